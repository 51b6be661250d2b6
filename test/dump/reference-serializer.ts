import type { DumpContents, DumpEntry } from '../../src/dump/dump-format.js';

/*
 * The first, plain implementation of serializeDump (one JSON.stringify per field and a re-indenting pass), kept as
 * the reference the fast one must match byte for byte.
 */

function sortedKeys<T>(map: ReadonlyMap<string, T>): string[] {
  return [...map.keys()].sort();
}

function jsonAt(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) throw new TypeError('a dump entry holds a value that is not JSON');
  return text.includes('\n') ? text.replaceAll('\n', `\n${indent}`) : text;
}

function serializeEntry(entry: DumpEntry, indent: string): string {
  const inner = `${indent}  `;
  const fields: string[] = [];
  if (entry.expiresAt !== undefined) fields.push(`${inner}"expiresAt": ${jsonAt(entry.expiresAt, inner)}`);
  fields.push(`${inner}"namespace": ${JSON.stringify(entry.namespace)}`);
  fields.push(`${inner}"params": ${jsonAt(entry.params, inner)}`);
  fields.push(`${inner}"promise": ${entry.promise ? 'true' : 'false'}`);
  fields.push(`${inner}"result": ${jsonAt(entry.result, inner)}`);
  if (entry.tags !== undefined) fields.push(`${inner}"tags": ${jsonAt(entry.tags, inner)}`);
  return `{\n${fields.join(',\n')}\n${indent}}`;
}

/** What serializeDump wrote before it was made fast. */
export function referenceSerializeDump(dump: DumpContents): string {
  const parts: string[] = [];
  let size = 0;
  for (const name of sortedKeys(dump.collections)) {
    const collection = dump.collections.get(name)!;
    if (collection.size === 0) continue;
    size += collection.size;
    const entries = sortedKeys(collection).map(
      (key) => `      ${JSON.stringify(key)}: ${serializeEntry(collection.get(key)!, '      ')}`,
    );
    parts.push(`    ${JSON.stringify(name)}: {\n${entries.join(',\n')}\n    }`);
  }
  const collections = parts.length === 0 ? '{}' : `{\n${parts.join(',\n')}\n  }`;
  return `{\n  "cache_size": ${size},\n  "collections": ${collections},\n  "version": 1\n}\n`;
}
