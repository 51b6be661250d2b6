import type { RemoteInvalidation } from '../stores/store.js';
import type { RedisClient } from './client.js';
import { withDeadline } from './deadline.js';
import type { Guard } from './guard.js';

/*
 * Invalidations travel to other processes two ways. Tag versions (tag-versions.ts) make Redis itself answer a miss
 * for an invalidated entry, always. But processes also keep local copies of Redis entries in memory, which Redis
 * cannot reach: so every invalidation is also published on one channel per prefix, and each store hands the messages
 * to the memoizers that listen, which drop their copies. Pub/sub is best effort (a process disconnected at that
 * moment misses the message); a copy that missed it still never outlives the Redis entry's TTL.
 */

/** What the channel needs from its store. */
export interface InvalidationChannelHost {
  /** The channel name: `<prefix>:v<layout>:invalidations`. */
  readonly channel: string;
  /** The pub/sub connection (created on first use), or `undefined` when the store is closed. */
  subscriber(): RedisClient | undefined;
  readonly guard: Guard;
  client(): RedisClient;
  readonly timeout: number;
  /** A SUBSCRIBE or UNSUBSCRIBE failed. */
  failed(operation: 'subscribe' | 'unsubscribe', error: unknown): void;
  track(promise: Promise<unknown>): void;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Reads a message; anything malformed (another program on the channel) is ignored. */
export function parseInvalidation(text: string): RemoteInvalidation | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { origin, tags, keys } = parsed as Record<string, unknown>;
  if (origin !== undefined && typeof origin !== 'string') return undefined;
  if (tags !== undefined && !isStringList(tags)) return undefined;
  if (keys !== undefined && !isStringList(keys)) return undefined;
  if (tags === undefined && keys === undefined) return undefined;
  return { origin, tags, keys } as RemoteInvalidation;
}

/** Publishes invalidations, and fans the ones received out to local listeners over one subscription. */
export class InvalidationChannel {
  readonly #host: InvalidationChannelHost;
  readonly #listeners = new Set<(invalidation: RemoteInvalidation) => void>();
  readonly #onMessage = (text: string): void => {
    const invalidation = parseInvalidation(text);
    if (invalidation === undefined) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(invalidation);
      } catch {
        // A listener's failure is its own (memoizers do not throw here); the others still hear the message.
      }
    }
  };

  constructor(host: InvalidationChannelHost) {
    this.#host = host;
  }

  /** Tells every listening process; resolves once Redis took it (or failed: counted by the guard). */
  async publish(invalidation: RemoteInvalidation): Promise<void> {
    const message = JSON.stringify(invalidation);
    await this.#host.guard.run('publish', this.#host.timeout, () =>
      this.#host.client().sendCommand(['PUBLISH', this.#host.channel, message]),
    );
  }

  /** Calls `listener` with every invalidation published on the channel; answers the function that stops it. */
  listen(listener: (invalidation: RemoteInvalidation) => void): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#send('subscribe');
    return () => {
      if (this.#listeners.delete(listener) && this.#listeners.size === 0) this.#send('unsubscribe');
    };
  }

  #send(operation: 'subscribe' | 'unsubscribe'): void {
    const client = this.#host.subscriber();
    if (client === undefined) return;
    const { channel, timeout } = this.#host;
    const command =
      operation === 'subscribe'
        ? client.subscribe(channel, this.#onMessage)
        : client.unsubscribe(channel, this.#onMessage);
    const done = withDeadline(command, timeout, operation).catch((error: unknown) =>
      this.#host.failed(operation, error),
    );
    this.#host.track(done);
  }
}
