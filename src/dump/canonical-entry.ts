import type { Json } from '../codec.js';
import { comesAt } from './canonical-json.js';
import type { DumpEntry } from './dump-format.js';

/*
 * An entry read from a dump file whose text is exactly what `serializeDump` writes for it (src/dump/canonical-scan.ts
 * checks every byte before making one). Two things follow, and both are what make big dumps cheap:
 *
 * - it is decoded on first use: preloading 100k entries only indexes them, and a replay decodes the entries it hits;
 * - writing it again copies its text: a merge never re-serializes the entries it keeps from the existing file.
 *
 * The text is the entry's object as it sits inside a collection (`{` to `}`, indented for that depth), so it can be
 * written into any dump file unchanged. It holds a slice of the file's text, which stays in memory while any of its
 * entries does: far less than the parsed objects of the whole file would take.
 */

interface DecodedFields {
  readonly namespace: string;
  readonly params: Json;
  readonly result: Json;
  readonly promise: boolean;
  readonly tags?: readonly string[] | undefined;
}

/** What comes before an entry's `expiresAt` value, when it has one (the first field, alphabetically). */
const EXPIRES_AT = '{\n        "expiresAt": ';

/** A {@link DumpEntry} backed by its canonical text in a dump file; see the comment above. */
export class CanonicalEntry implements DumpEntry {
  readonly #source: string;
  readonly #start: number;
  readonly #end: number;
  #decoded: DecodedFields | undefined;

  /** `source.slice(start, end)` is the entry's canonical text (already checked by the scanner). */
  constructor(source: string, start: number, end: number) {
    this.#source = source;
    this.#start = start;
    this.#end = end;
  }

  /**
   * Read without decoding the entry: the exit dump filters preloaded entries by expiry, and should not decode them
   * all. A canonical number ends at the comma that ends the field.
   */
  get expiresAt(): number | undefined {
    const source = this.#source;
    const start = this.#start + EXPIRES_AT.length;
    if (!comesAt(source, this.#start, EXPIRES_AT)) return undefined;
    return Number(source.slice(start, source.indexOf(',', start)));
  }

  /** The entry's canonical text: the object from `{` to `}`, indented as inside a collection of a dump file. */
  get text(): string {
    return this.#source.slice(this.#start, this.#end);
  }

  get namespace(): string {
    return this.#fields().namespace;
  }

  get params(): Json {
    return this.#fields().params;
  }

  get result(): Json {
    return this.#fields().result;
  }

  get promise(): boolean {
    return this.#fields().promise;
  }

  get tags(): readonly string[] | undefined {
    return this.#fields().tags;
  }

  #fields(): DecodedFields {
    if (this.#decoded === undefined) {
      // The scanner checked the fields (these and no others) and their types. JSON.parse keeps a `__proto__` key
      // an own data property, as parseDump does.
      this.#decoded = JSON.parse(this.text) as DecodedFields;
    }
    return this.#decoded;
  }
}
