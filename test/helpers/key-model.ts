// ---------------------------------------------------------------------------------------------------------------------
// Reference model: an independent deep equality with the semantics the encoding promises (-0 differs from 0, NaN equals
// NaN, a hole differs from undefined, property and insertion order never matter, null-prototype objects equal plain
// objects, typed arrays compare by type and bytes).
// ---------------------------------------------------------------------------------------------------------------------

export type Kind =
  | 'string'
  | 'number'
  | 'boolean'
  | 'undefined'
  | 'bigint'
  | 'null'
  | 'array'
  | 'object'
  | 'date'
  | 'regexp'
  | 'map'
  | 'set'
  | 'buffer'
  | 'dataview'
  | 'arraybuffer'
  | `typed:${string}`;

export function kindOf(value: unknown): Kind {
  if (value === null) return 'null';
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean' || type === 'undefined' || type === 'bigint') {
    return type;
  }
  if (Array.isArray(value)) return 'array';
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) return 'object';
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regexp';
  if (value instanceof Map) return 'map';
  if (value instanceof Set) return 'set';
  if (Buffer.isBuffer(value)) return 'buffer';
  if (value instanceof DataView) return 'dataview';
  if (ArrayBuffer.isView(value)) return `typed:${value.constructor.name}`;
  if (value instanceof ArrayBuffer) return 'arraybuffer';
  throw new Error(`the reference model does not support ${String(value)}`);
}

export function bytesOf(value: ArrayBufferView | ArrayBuffer): Buffer {
  return value instanceof ArrayBuffer
    ? Buffer.from(value)
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** Multiset equality under an equivalence relation (greedy matching is exact for equivalences). */
export function sameMultiset<T>(left: T[], right: T[], equal: (a: T, b: T) => boolean): boolean {
  if (left.length !== right.length) return false;
  const used = new Array<boolean>(right.length).fill(false);
  return left.every((item) => {
    const index = right.findIndex((candidate, position) => !used[position] && equal(item, candidate));
    if (index < 0) return false;
    used[index] = true;
    return true;
  });
}

export function same(a: unknown, b: unknown): boolean {
  const kind = kindOf(a);
  if (kind !== kindOf(b)) return false;
  switch (kind) {
    case 'number':
      return Object.is(a, b);
    case 'array': {
      const left = a as unknown[];
      const right = b as unknown[];
      if (left.length !== right.length) return false;
      for (let index = 0; index < left.length; index++) {
        if (index in left !== index in right) return false;
        if (index in left && !same(left[index], right[index])) return false;
      }
      return true;
    }
    case 'object': {
      const leftKeys = Object.keys(a as object).sort();
      const rightKeys = Object.keys(b as object).sort();
      return (
        leftKeys.length === rightKeys.length &&
        leftKeys.every(
          (key, index) =>
            key === rightKeys[index] && same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
        )
      );
    }
    case 'date':
      return Object.is((a as Date).getTime(), (b as Date).getTime());
    case 'regexp':
      return (a as RegExp).source === (b as RegExp).source && (a as RegExp).flags === (b as RegExp).flags;
    case 'map':
      return sameMultiset(
        [...(a as Map<unknown, unknown>)],
        [...(b as Map<unknown, unknown>)],
        ([k1, v1], [k2, v2]) => same(k1, k2) && same(v1, v2),
      );
    case 'set':
      return sameMultiset([...(a as Set<unknown>)], [...(b as Set<unknown>)], same);
    case 'string':
    case 'boolean':
    case 'undefined':
    case 'bigint':
    case 'null':
      return a === b;
    default:
      return bytesOf(a as ArrayBufferView).equals(bytesOf(b as ArrayBufferView));
  }
}

/** A structural description of a value that records everything encoding could conceivably change in place. */
export function snapshot(value: unknown): unknown {
  const kind = kindOf(value);
  switch (kind) {
    case 'number':
      return Object.is(value, -0) ? '-0' : Number.isNaN(value) ? 'NaN' : value;
    case 'bigint':
      return `${value}n`;
    case 'array': {
      const array = value as unknown[];
      return {
        array: Array.from({ length: array.length }, (_, index) => (index in array ? snapshot(array[index]) : '<hole>')),
        keys: Object.keys(array),
      };
    }
    case 'object':
      return {
        prototype: Object.getPrototypeOf(value) === null ? 'null' : 'Object',
        entries: Object.keys(value as object).map((key) => [key, snapshot((value as Record<string, unknown>)[key])]),
      };
    case 'date':
      return { date: String((value as Date).getTime()) };
    case 'regexp':
      return { regexp: String(value), lastIndex: (value as RegExp).lastIndex };
    case 'map':
      return { map: [...(value as Map<unknown, unknown>)].map(([key, member]) => [snapshot(key), snapshot(member)]) };
    case 'set':
      return { set: [...(value as Set<unknown>)].map(snapshot) };
    case 'string':
    case 'boolean':
    case 'undefined':
    case 'null':
      return { [kind]: value };
    default: {
      const view = value as ArrayBufferView;
      return {
        [kind]: bytesOf(view).toString('hex'),
        offset: view instanceof ArrayBuffer ? 0 : view.byteOffset,
      };
    }
  }
}

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let index = out.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [out[index], out[other]] = [out[other]!, out[index]!];
  }
  return out;
}

/** Copies `bytes` into a fresh buffer at a random aligned offset, so clones never share memory or offsets. */
export function relocated(bytes: Buffer, align: number, random: () => number): { buffer: ArrayBuffer; offset: number } {
  const offset = align * Math.floor(random() * 3);
  const buffer = new ArrayBuffer(offset + bytes.length + align);
  new Uint8Array(buffer).set(bytes, offset);
  return { buffer, offset };
}

/**
 * A deep clone that is equal under the reference model but built differently: properties, Map entries and Set members
 * are inserted in a shuffled order, objects randomly switch between plain and null prototypes, binary data moves to
 * other offsets, RegExp lastIndex changes.
 */
export function reshuffle(value: unknown, random: () => number): unknown {
  const kind = kindOf(value);
  switch (kind) {
    case 'array': {
      const array = value as unknown[];
      const out = new Array<unknown>(array.length);
      const indexes = Object.keys(array).map(Number);
      for (const index of shuffled(indexes, random)) out[index] = reshuffle(array[index], random);
      return out;
    }
    case 'object': {
      const out: Record<string, unknown> = random() < 0.5 ? Object.create(null) : {};
      for (const key of shuffled(Object.keys(value as object), random)) {
        Object.defineProperty(out, key, {
          value: reshuffle((value as Record<string, unknown>)[key], random),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'date':
      return new Date((value as Date).getTime());
    case 'regexp': {
      const out = new RegExp((value as RegExp).source, (value as RegExp).flags);
      out.lastIndex = Math.floor(random() * 5);
      return out;
    }
    case 'map':
      return new Map(
        shuffled([...(value as Map<unknown, unknown>)], random).map(([key, member]) => [
          reshuffle(key, random),
          reshuffle(member, random),
        ]),
      );
    case 'set':
      return new Set(shuffled([...(value as Set<unknown>)], random).map((member) => reshuffle(member, random)));
    case 'buffer':
      return Buffer.from(bytesOf(value as Buffer));
    case 'arraybuffer':
      return (value as ArrayBuffer).slice(0);
    case 'dataview': {
      const bytes = bytesOf(value as DataView);
      const { buffer, offset } = relocated(bytes, 1, random);
      return new DataView(buffer, offset, bytes.length);
    }
    default: {
      if (!kind.startsWith('typed:')) return value;
      const view = value as unknown as ArrayLike<unknown> & ArrayBufferView & { BYTES_PER_ELEMENT: number };
      const Constructor = view.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => unknown;
      const { buffer, offset } = relocated(bytesOf(view), view.BYTES_PER_ELEMENT, random);
      return new Constructor(buffer, offset, view.length);
    }
  }
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    if (value instanceof Map) {
      for (const [key, member] of value) {
        deepFreeze(key);
        deepFreeze(member);
      }
    } else if (value instanceof Set) {
      for (const member of value) deepFreeze(member);
    } else {
      for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    }
    Object.freeze(value);
  }
  return value;
}
