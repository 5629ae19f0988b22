import { Emitter } from '../../shared/lifetimes';
import type { StreamSink } from './dispatcher';

/**
 * Collects stream events and flushes them together on the next turn of the event loop, so a
 * burst (log lines, watch events) crosses the process boundary as one message, in order.
 */
export class EventBatcher<E> {
  private pending: E[] = [];
  private scheduled = false;

  constructor(private readonly flush: (events: E[]) => void) {}

  push(event: E): void {
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const events = this.pending;
      this.pending = [];
      if (events.length) this.flush(events);
    });
  }
}

/** Until the stream session lands: a sink that only forwards events. */
export function interimSink(emit: (event: unknown) => void): StreamSink<unknown> {
  return { emit, end: () => undefined, fail: () => undefined, paused: false, onDidPause: new Emitter<void>().event, onDidResume: new Emitter<void>().event, closed: false };
}
