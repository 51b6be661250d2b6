import { EventEmitter } from 'node:events';
import { warn } from '../internal/warn.js';
import type { InvalidationOptions, RemoteInvalidation, Store, StoredEntry } from '../stores/store.js';
import { Channels } from './channels.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { createOwnedClient, type OwnedConnection, prepareOwnedClient, type RedisClient } from './client.js';
import { decodeEnvelope, type RemoteEntry } from './envelope.js';
import { classifyFailure, type Failure, secretsOfUrl } from './failure.js';
import { FailureReports, type RedisStoreEvents } from './failure-reports.js';
import { removeIfSame, withoutVersions } from './flight-results.js';
import { Guard } from './guard.js';
import { InvalidationChannel } from './invalidation-channel.js';
import { entryKeys, invalidationChannel, isHexKey } from './keys.js';
import { clearPrefix } from './prefix-clear.js';
import { createRedisCounters, type RedisCounters, type RedisStoreStats } from './redis-stats.js';
import { type RedisStoreOptions, type RedisStoreSettings, resolveRedisStoreOptions } from './redis-store-options.js';
import { refreshFlight } from './refresh.js';
import { singleFlight } from './single-flight.js';
import type { SingleFlightHost, SingleFlightRequest, SingleFlightResult } from './single-flight-host.js';
import { bumpTags, type TagVersionHost, tagsAreCurrent } from './tag-versions.js';
import { prepareWrite, type ValueWriteHost, writeValue } from './value-writes.js';

let storeCount = 0;

/**
 * A Redis tier for memotape: a {@link Store} keyed by 32-hex persisted keys, plus cross-process single flight.
 * Nothing it does can fail a user's call: every operation runs under memotape's own deadline, a circuit breaker
 * skips the tier while it is down, and failures become counts in {@link stats} and `'down'`/`'up'`/`'error'` events
 * (one warning per outage).
 *
 * @example
 * ```ts
 * import { RedisStore } from 'memotape/redis';
 * const remote = new RedisStore({ url: process.env.REDIS_URL, prefix: 'myapp' });
 * const { value } = await remote.singleFlight(key, { run: () => compute(), encode, decode });
 * await remote.close();
 * ```
 */
export class RedisStore extends EventEmitter<RedisStoreEvents> implements Store {
  /** The key prefix of this store. */
  readonly prefix: string;
  readonly #settings: RedisStoreSettings;
  readonly #counters: RedisCounters = createRedisCounters();
  readonly #secrets: readonly string[];
  readonly #breaker: CircuitBreaker;
  readonly #guard: Guard;
  readonly #client: RedisClient;
  /** The client's reconnection and closing, when memotape created it (a `url`); a `client` you passed is yours. */
  readonly #connection: OwnedConnection | undefined;
  readonly #channels: Channels;
  readonly #singleFlightHost: SingleFlightHost;
  readonly #tagHost: TagVersionHost;
  readonly #invalidations: InvalidationChannel;
  readonly #writes: ValueWriteHost;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #id = ++storeCount;
  readonly #reports: FailureReports;
  #subscriber: RedisClient | undefined;
  #subscriberConnection: OwnedConnection | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: RedisStoreOptions) {
    super();
    const settings = resolveRedisStoreOptions(options);
    this.#settings = settings;
    this.prefix = settings.prefix;
    this.#secrets = settings.url === undefined ? secretsOfClient(settings.client) : secretsOfUrl(settings.url);
    this.#reports = new FailureReports(settings.prefix, this.#id, this.#counters, this);
    this.#breaker = new CircuitBreaker({
      ...settings.circuitBreaker,
      clock: Date.now,
      onOpen: () => this.#reports.wentDown(),
      onClose: () => this.#reports.cameUp(),
    });
    const onClientError = (error: unknown): void => {
      this.#reports.clientFailed(classifyFailure(error, this.#secrets).message);
    };
    if (settings.url !== undefined) {
      ({ client: this.#client, connection: this.#connection } = createOwnedClient(
        settings.url,
        this.#secrets,
        onClientError,
      ));
    } else {
      this.#client = settings.client as RedisClient;
      this.#connection = undefined;
    }
    const firstAttempt = this.#connection?.firstAttempt ?? (() => undefined);
    const reporter = {
      failed: (operation: string, failure: Failure) => this.#reports.failed(operation, failure),
      skipped: () => {
        this.#counters.skipped++;
      },
    };
    this.#guard = new Guard(this.#breaker, reporter, this.#secrets, firstAttempt);
    this.#channels = new Channels({
      subscriber: () => this.#subscriberClient(onClientError),
      timeout: settings.timeouts.get,
      failed: (operation, error) => this.#reports.failed(operation, classifyFailure(error, this.#secrets)),
      track: (promise) => this.#track(promise),
    });
    this.#invalidations = new InvalidationChannel({
      channel: invalidationChannel(settings.prefix),
      subscriber: () => this.#subscriberClient(onClientError),
      guard: this.#guard,
      client: () => this.#client,
      timeout: settings.timeouts.set,
      failed: (operation, error) => this.#reports.failed(operation, classifyFailure(error, this.#secrets)),
      track: (promise) => this.#track(promise),
    });
    this.#tagHost = {
      prefix: settings.prefix,
      timeouts: settings.timeouts,
      defaultTtl: settings.defaultTtl,
      guard: this.#guard,
      client: () => this.#client,
    };
    this.#writes = {
      prefix: settings.prefix,
      defaultTtl: settings.defaultTtl,
      maxValueBytes: settings.maxValueBytes,
      setTimeout: settings.timeouts.set,
      guard: this.#guard,
      counters: this.#counters,
      tags: this.#tagHost,
      client: () => this.#client,
      track: (promise) => this.#track(promise),
    };
    this.#singleFlightHost = {
      prefix: settings.prefix,
      leaseMs: settings.leaseMs,
      waitTimeout: settings.waitTimeout,
      singleFlight: settings.singleFlight,
      timeouts: settings.timeouts,
      guard: this.#guard,
      channels: this.#channels,
      counters: this.#counters,
      client: () => this.#client,
      prepareWrite: (hexKey, entry, startedAt) => prepareWrite(this.#writes, hexKey, entry, startedAt),
      readEnvelope: (hexKey, text) => decodeEnvelope(hexKey, text, Date.now()),
      tagsAreCurrent: (entry) => tagsAreCurrent(this.#tagHost, entry),
      writeInBackground: (hexKey, entry, startedAt) => {
        void writeValue(this.#writes, hexKey, entry, startedAt);
      },
      track: (promise) => this.#track(promise),
    };
  }

  /**
   * The entry stored under `key`, or `undefined` (a miss, damaged data, or Redis unreachable). Never rejects for
   * Redis failures; rejects with a TypeError for a key that is not 32 hex characters.
   *
   * @example
   * ```ts
   * const entry = await remote.get('3f1c0a9be2d47f6a8c01e5b9d3a7f2e9');
   * ```
   */
  async get(key: string): Promise<StoredEntry | undefined> {
    checkKey(key);
    const keys = entryKeys(this.prefix, key);
    const attempt = await this.#guard.run('get', this.#settings.timeouts.get, () =>
      this.#client.sendCommand(['GET', keys.value]),
    );
    let entry: RemoteEntry | undefined = attempt.ok ? decodeEnvelope(key, attempt.value, Date.now()) : undefined;
    // A tagged entry is only as good as its tag versions: one invalidated since it was stored makes it a miss.
    const tagged = entry?.tags !== undefined && entry.tags.length > 0;
    if (entry !== undefined && tagged && !(await tagsAreCurrent(this.#tagHost, entry))) {
      this.#counters.staleTags++;
      void removeIfSame(this.#singleFlightHost, keys, attempt.ok ? attempt.value : undefined);
      entry = undefined;
    }
    if (entry === undefined) this.#counters.misses++;
    else this.#counters.hits++;
    return entry === undefined ? undefined : withoutVersions(entry);
  }

  /**
   * Stores `entry` under `key` with a TTL: until `entry.expiresAt`, else `defaultTtl`. An expired entry and one
   * larger than `maxValueBytes` are not written. Never rejects for Redis failures; `close()` waits for it.
   *
   * @example
   * ```ts
   * await remote.set(key, { namespace: 'f', params: { args: [1] }, result: 2, promise: false, createdAt: Date.now() });
   * ```
   */
  set(key: string, entry: StoredEntry): Promise<void> {
    if (!isHexKey(key)) return Promise.reject(invalidKey(key));
    return writeValue(this.#writes, key, entry, undefined);
  }

  /**
   * Makes every entry stored with one of `tags` a miss, in every process that shares this server: each tag's version
   * moves on, and readers compare an entry's versions with the current ones (see docs/freshness.md); listeners
   * (`onInvalidation`: memoizers holding local copies) are told too. A computation under way when a tag is
   * invalidated does not store its result. Never rejects for Redis failures (they are counted, with one warning);
   * rejects with a TypeError for tags that are not non-empty strings.
   *
   * @example
   * ```ts
   * await remote.invalidateTags(['user:123']);
   * ```
   */
  invalidateTags(tags: readonly string[], options: InvalidationOptions = {}): Promise<void> {
    if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string' || tag === '')) {
      return Promise.reject(new TypeError('Expected `tags` to be an array of non-empty strings'));
    }
    if (tags.length === 0) return Promise.resolve();
    const done = bumpTags(this.#tagHost, tags).then(async (ok) => {
      if (ok) {
        this.#counters.tagInvalidations++;
        await this.#invalidations.publish({ origin: options.origin, tags: [...tags] });
        return;
      }
      warn(
        'MEMOTAPE_REDIS_INVALIDATION_FAILED',
        `Redis tier (${this.prefix}): tags could not be invalidated (${tags.slice(0, 3).join(', ')}${tags.length > 3 ? ', ...' : ''}); entries stored with them may be served until they expire.`,
        `redis-invalidate:${this.#id}:${this.#reports.outages}`,
      );
    });
    this.#track(done);
    return done;
  }

  /**
   * Refreshes `key` in the background for `staleWhileRevalidate`, at most once at a time across every process that
   * shares this server: answers `undefined` when another process holds the key's lease (it is computing), a `hit`
   * when the entry there is fresh already, else the value computed here (and stored). Rejects only with what `run`
   * throws.
   *
   * @example
   * ```ts
   * const refreshed = await remote.refresh(key, { run: () => fetchPrices(), encode, decode });
   * ```
   */
  refresh<T>(key: string, request: SingleFlightRequest<T>): Promise<SingleFlightResult<T> | undefined> {
    if (!isHexKey(key)) return Promise.reject(invalidKey(key));
    return refreshFlight(this.#singleFlightHost, key, request, Date.now);
  }

  /**
   * Removes the value stored under `key`, and tells the processes listening (`onInvalidation`) to drop their copies;
   * answers whether there was one (false also when Redis is unreachable).
   *
   * @example
   * ```ts
   * await remote.delete(key);
   * ```
   */
  async delete(key: string, options: InvalidationOptions = {}): Promise<boolean> {
    checkKey(key);
    const attempt = await this.#guard.run('delete', this.#settings.timeouts.set, () =>
      this.#client.sendCommand(['UNLINK', entryKeys(this.prefix, key).value]),
    );
    await this.#invalidations.publish({ origin: options.origin, keys: [key] });
    return attempt.ok && Number(attempt.value) > 0;
  }

  /**
   * Calls `listener` whenever keys (`delete`) or tags (`invalidateTags`) are invalidated through this prefix, by any
   * process; memoizers use it to drop their local copies. Best effort (pub/sub): a process disconnected at that
   * moment misses the message. Answers the function that stops listening.
   *
   * @example
   * ```ts
   * const stop = remote.onInvalidation(({ tags }) => console.log('invalidated', tags));
   * ```
   */
  onInvalidation(listener: (invalidation: RemoteInvalidation) => void): () => void {
    return this.#invalidations.listen(listener);
  }

  /**
   * Removes every key of this store's prefix (values and leases of every layout version) with SCAN and UNLINK,
   * never KEYS or FLUSHDB, so it works under an ACL user limited to the prefix and leaves other data alone.
   * Being an explicit request, it rejects with a `RedisTierError` when Redis cannot be reached.
   *
   * @example
   * ```ts
   * await remote.clear();
   * ```
   */
  clear(): Promise<void> {
    return clearPrefix(this.#guard, this.#client, this.prefix, this.#settings.timeouts.set);
  }

  /**
   * Returns the value of `key`, computing it at most once across every process that shares this Redis server:
   * the first caller takes a lease and computes (renewing the lease while it runs), the others wait for its value
   * (pub/sub, with polling as a fallback) for at most `waitTimeout`. Errors of `run` reach its own caller only:
   * its lease is released at once and a waiter computes instead. When Redis is unreachable, slow or full the value
   * is computed here. Rejects only with what `run` throws.
   *
   * @example
   * ```ts
   * const { value, source } = await remote.singleFlight(key, {
   *   namespace: 'render',
   *   run: () => render(page),
   *   encode: (html) => ({ namespace: 'render', params: { args: [page] }, result: html, promise: true, createdAt: Date.now() }),
   *   decode: (entry) => entry.result as string,
   * });
   * ```
   */
  singleFlight<T>(key: string, request: SingleFlightRequest<T>): Promise<SingleFlightResult<T>> {
    if (!isHexKey(key)) return Promise.reject(invalidKey(key));
    return singleFlight(this.#singleFlightHost, key, request);
  }

  /**
   * Counts since the store was created, and the circuit breaker's state.
   *
   * @example
   * ```ts
   * console.table(remote.stats());
   * ```
   */
  stats(): RedisStoreStats {
    return { ...this.#counters, circuit: this.#breaker.state };
  }

  /** The TTL (ms) of entries written without their own expiry; memoizers keep local copies no longer. */
  get defaultTtl(): number {
    return this.#settings.defaultTtl;
  }

  /** The circuit breaker's state: `closed` while the tier is used, `open` while it is skipped. */
  get circuit(): CircuitState {
    return this.#breaker.state;
  }

  /**
   * Waits for pending background writes (each bounded by its deadline), then closes the connections memotape opened
   * (a `client` you passed stays open). Later calls skip Redis. Calling it again returns the same promise.
   *
   * @example
   * ```ts
   * process.once('beforeExit', () => remote.close());
   * ```
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    this.#guard.close();
    this.#subscriberConnection?.destroy();
    this.#connection?.destroy();
  }

  #track(promise: Promise<unknown>): void {
    this.#pending.add(promise);
    promise.finally(() => this.#pending.delete(promise)).catch(() => {});
  }

  #subscriberClient(onError: (error: unknown) => void): RedisClient | undefined {
    if (this.#guard.closed) return undefined;
    if (this.#subscriber === undefined) {
      this.#subscriber = this.#client.duplicate() as RedisClient;
      this.#subscriberConnection = prepareOwnedClient(this.#subscriber, onError);
    }
    return this.#subscriber;
  }
}

function invalidKey(key: unknown): TypeError {
  return new TypeError(`Expected \`key\` to be a 32-hex persisted key, got ${String(key)}`);
}

function checkKey(key: unknown): void {
  if (!isHexKey(key)) throw invalidKey(key);
}

function secretsOfClient(client: RedisClient | undefined): string[] {
  const password = (client as { options?: { password?: unknown; url?: unknown } } | undefined)?.options;
  const secrets: string[] = [];
  if (typeof password?.password === 'string') secrets.push(password.password);
  if (typeof password?.url === 'string') secrets.push(...secretsOfUrl(password.url));
  return secrets;
}
