/** The results the disk and Redis scenarios store: the same shapes, so their numbers compare. */

/** A result of ~200 bytes of JSON. */
export function smallResult(index) {
  return {
    id: index,
    name: `item-${index}`,
    tags: ['alpha', 'beta', 'gamma'],
    score: index / 7,
    active: index % 2 === 0,
    payload: 'x'.repeat(96),
  };
}
