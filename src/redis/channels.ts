import type { RedisClient } from './client.js';
import { withDeadline } from './deadline.js';

/** One caller's view of a channel: the next message, or `undefined` when the wait ends without one. */
export interface Subscription {
  /** The next message (one that arrived since the last call counts), or `undefined` after `milliseconds`. */
  next(milliseconds: number): Promise<string | undefined>;
  /** A message that arrived since the last call, without waiting. */
  take(): string | undefined;
  /** Stops listening; the channel is unsubscribed when its last subscription closes. */
  close(): void;
}

class ChannelSubscription implements Subscription {
  #buffered: string | undefined;
  #resolve: ((message: string | undefined) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly onClose: (subscription: ChannelSubscription) => void) {}

  deliver(message: string): void {
    const resolve = this.#resolve;
    if (resolve === undefined) {
      this.#buffered = message;
      return;
    }
    this.#settle();
    resolve(message);
  }

  take(): string | undefined {
    const message = this.#buffered;
    this.#buffered = undefined;
    return message;
  }

  next(milliseconds: number): Promise<string | undefined> {
    if (this.#buffered !== undefined) return Promise.resolve(this.take());
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#timer = setTimeout(() => {
        this.#settle();
        resolve(undefined);
      }, milliseconds);
    });
  }

  #settle(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#resolve = undefined;
  }

  close(): void {
    const resolve = this.#resolve;
    this.#settle();
    resolve?.(undefined);
    this.onClose(this);
  }
}

interface ChannelState {
  readonly subscriptions: Set<ChannelSubscription>;
  readonly listener: (message: string) => void;
}

/** What {@link Channels} needs from the store. */
export interface ChannelsHost {
  /** The pub/sub connection (created on first use), or `undefined` when the store is closed. */
  subscriber(): RedisClient | undefined;
  /** Milliseconds a SUBSCRIBE may take before the caller falls back to polling. */
  readonly timeout: number;
  /** A (UN)SUBSCRIBE failed or timed out; waiters go on polling. */
  failed(operation: 'subscribe' | 'unsubscribe', error: unknown): void;
  /** Keeps a background operation for `close()` to wait for. */
  track(promise: Promise<unknown>): void;
}

/**
 * Shares one pub/sub connection between all waiters of a store: one SUBSCRIBE per channel however many callers
 * wait on it, fanned out to each caller's {@link Subscription}. Subscribing is best effort: when it fails or is slow
 * the caller still gets a subscription, and its polling fallback finds the value.
 */
export class Channels {
  readonly #channels = new Map<string, ChannelState>();
  readonly #host: ChannelsHost;

  constructor(host: ChannelsHost) {
    this.#host = host;
  }

  /** Subscribes to `channel`; resolves once the subscription is confirmed, failed or timed out. Never rejects. */
  async listen(channel: string): Promise<Subscription> {
    let state = this.#channels.get(channel);
    let confirmation: Promise<unknown> | undefined;
    if (state === undefined) {
      const subscriptions = new Set<ChannelSubscription>();
      const listener = (message: string): void => {
        for (const subscription of subscriptions) subscription.deliver(message);
      };
      state = { subscriptions, listener };
      this.#channels.set(channel, state);
      confirmation = this.#send('subscribe', (client) => client.subscribe(channel, listener));
    }
    const subscription = new ChannelSubscription((closed) => this.#remove(channel, closed));
    state.subscriptions.add(subscription);
    // Only the first waiter of a channel waits for the confirmation; later ones join a subscription under way,
    // and their first look at the value happens after this anyway.
    if (confirmation !== undefined) await confirmation;
    return subscription;
  }

  #remove(channel: string, subscription: ChannelSubscription): void {
    const state = this.#channels.get(channel);
    if (state === undefined || !state.subscriptions.delete(subscription) || state.subscriptions.size > 0) return;
    this.#channels.delete(channel);
    this.#host.track(this.#send('unsubscribe', (client) => client.unsubscribe(channel, state.listener)));
  }

  async #send(operation: 'subscribe' | 'unsubscribe', command: (client: RedisClient) => Promise<unknown>) {
    const client = this.#host.subscriber();
    if (client === undefined) return;
    try {
      await withDeadline(command(client), this.#host.timeout, operation);
    } catch (error) {
      this.#host.failed(operation, error);
    }
  }
}
