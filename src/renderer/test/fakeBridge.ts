import type { RequestInput, RequestName, RequestOutput, StreamEvent, StreamName } from '../../shared/contract';
import type { CockpitError } from '../../shared/result';
import { RequestError } from '../cockpit';
import type { Bridge, StreamHandlers } from '../state/bridge';

type Answer<K extends RequestName> = RequestOutput<K> | CockpitError | ((input: RequestInput<K>) => RequestOutput<K> | Promise<RequestOutput<K>>);

/**
 * A bridge for store tests: requests answered from a table (a value, an error, or a function),
 * every call recorded, streams that the test feeds, and a location whose hash the test can move.
 */
export class FakeBridge implements Bridge {
  readonly calls: Array<{ name: RequestName; input: unknown }> = [];
  readonly subscriptions = new Map<string, Set<StreamHandlers<unknown>>>();
  private readonly answers = new Map<RequestName, Answer<RequestName>>();
  private hash: string;
  private readonly hashListeners = new Set<() => void>();

  constructor(hash = '') {
    this.hash = hash;
  }

  answer<K extends RequestName>(name: K, answer: Answer<K>): this {
    this.answers.set(name, answer as unknown as Answer<RequestName>);
    return this;
  }

  callsOf(name: RequestName): unknown[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.input);
  }

  async call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestOutput<K>> {
    this.calls.push({ name, input });
    const answer = this.answers.get(name) as Answer<K> | undefined;
    if (answer === undefined) throw new RequestError({ code: 'Unavailable', message: `no answer for ${name} in this test` });
    if (typeof answer === 'function') return (answer as (input: RequestInput<K>) => RequestOutput<K>)(input);
    if (answer && typeof answer === 'object' && 'code' in answer && 'message' in answer) throw new RequestError(answer as CockpitError);
    return structuredClone(answer as RequestOutput<K>);
  }

  subscribe<K extends StreamName>(name: K, _input: unknown, handlers: StreamHandlers<StreamEvent<K>>): () => void {
    const set = this.subscriptions.get(name) ?? new Set();
    set.add(handlers as StreamHandlers<unknown>);
    this.subscriptions.set(name, set);
    return () => set.delete(handlers as StreamHandlers<unknown>);
  }

  /** Delivers a batch to every subscriber of `name`; answers how many batches were acknowledged. */
  emit<K extends StreamName>(name: K, events: Array<StreamEvent<K>>): number {
    let acked = 0;
    for (const handlers of this.subscriptions.get(name) ?? []) handlers.events(events, () => acked++);
    return acked;
  }

  /** Ends every subscription of `name` with `error`, as the stream session does for a failed stream. */
  fail(name: StreamName, error: CockpitError): void {
    for (const handlers of this.subscriptions.get(name) ?? []) handlers.error?.(error);
    this.subscriptions.delete(name);
  }

  subscriberCount(name: StreamName): number {
    return this.subscriptions.get(name)?.size ?? 0;
  }

  readonly location = {
    hash: () => this.hash,
    setHash: (hash: string) => {
      if (this.hash === hash) return;
      this.hash = hash;
      for (const listener of this.hashListeners) listener();
    },
    onHashChange: (listener: () => void) => {
      this.hashListeners.add(listener);
      return () => this.hashListeners.delete(listener);
    },
  };

  hashListenerCount(): number {
    return this.hashListeners.size;
  }
}
