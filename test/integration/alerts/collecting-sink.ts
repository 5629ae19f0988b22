import type { StreamSink } from '../../../src/main/host/dispatcher';
import type { AlertsEvent } from '../../../src/shared/contract/alerts';
import { Emitter } from '../../../src/shared/lifetimes';

/** A StreamSink that keeps what it is given. */
export function collectingSink(): StreamSink<AlertsEvent> & { events: AlertsEvent[]; ended?: string } {
  const pause = new Emitter<void>();
  const sink = {
    events: [] as AlertsEvent[],
    ended: undefined as string | undefined,
    closed: false,
    paused: false,
    onDidPause: pause.event,
    onDidResume: pause.event,
    emit(e: AlertsEvent) {
      if (!sink.closed) sink.events.push(e);
    },
    end(reason?: string) {
      sink.closed = true;
      sink.ended = reason ?? 'ended';
    },
    fail(error: Error) {
      sink.closed = true;
      sink.ended = `failed: ${error.message}`;
    },
  };
  return sink;
}
