// A slow function memoized with memotape: the first call runs it, the second replays the stored result.
// Run with: npm install && npm run demo
import { Memoizer } from '../dist/index.js';

function slowSquare(n) {
  const until = Date.now() + 300; // stands in for a slow computation or a remote call
  while (Date.now() < until) {
    // busy-wait
  }
  return n * n;
}

async function fetchGreeting(name) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  return `hello, ${name}`;
}

const memoizer = new Memoizer();
const square = memoizer.memoize({ name: 'slowSquare' })(slowSquare);
const greet = memoizer.memoize({ name: 'fetchGreeting' })(fetchGreeting);

function timed(label, run) {
  const start = process.hrtime.bigint();
  const value = run();
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label.padEnd(28)} ${String(value).padEnd(16)} ${elapsed.toFixed(3).padStart(10)} ms`);
}

async function timedAsync(label, run) {
  const start = process.hrtime.bigint();
  const value = await run();
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label.padEnd(28)} ${String(value).padEnd(16)} ${elapsed.toFixed(3).padStart(10)} ms`);
}

console.log('memotape demo: a slow function, memoized\n');
timed('square(12), first call', () => square(12));
timed('square(12), second call', () => square(12));
await timedAsync('greet("ada"), first call', () => greet('ada'));
await timedAsync('greet("ada"), second call', () => greet('ada'));
const [first, second] = await Promise.all([greet('grace'), greet('grace')]);
console.log(`\ntwo concurrent greet("grace") calls shared one run: ${first === second}`);
console.log('stats:', JSON.stringify(memoizer.stats()));
