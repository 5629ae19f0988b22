/**
 * The page's half of the stream protocol, written once for both hosts (the Electron preload and
 * the web host's bridge): it numbers subscriptions, hands batches to their handlers in order,
 * acknowledges what was consumed, and closes each subscription with exactly one `error` or `end`.
 */
import type { StreamHandlers } from './contract';
import type { CockpitError } from './result';
import type { ClientMessage, ServerMessage } from './wire';

type StreamMessage = Extract<ServerMessage, { t: 'events' | 'end' | 'error' }>;

interface Live {
  handlers: StreamHandlers<unknown>;
}

export class StreamClient {
  private readonly live = new Map<number, Live>();
  /** Credit not yet sent, by subscription: every acknowledgement of one task goes in one message. */
  private readonly credits = new Map<number, number>();

  /**
   * @param send delivers a message to main; it throws or returns false when there is no
   *   connection, and the subscription then ends in `Unreachable`.
   * @param nextId the id source shared with requests on the same connection.
   */
  constructor(
    private readonly send: (message: ClientMessage) => boolean | void,
    private readonly nextId: () => number,
  ) {}

  get size(): number {
    return this.live.size;
  }

  subscribe(channel: string, input: unknown, handlers: StreamHandlers<unknown>): () => void {
    const id = this.nextId();
    this.live.set(id, { handlers });
    let sent: boolean | void = false;
    try {
      sent = this.send({ t: 'subscribe', id, channel, input });
    } catch {
      sent = false;
    }
    if (sent === false) {
      queueMicrotask(() => this.close(id, { t: 'error', id, error: unreachable() }));
    }
    return () => {
      if (!this.live.delete(id)) return;
      try {
        this.send({ t: 'unsubscribe', id });
      } catch {
        // no connection: main already stopped it with the session
      }
    };
  }

  /** A JSON stream message from main. */
  receive(message: StreamMessage): void {
    if (message.t === 'events') this.deliver(message.id, message.events, message.n);
    else this.close(message.id, message);
  }

  /** A binary batch of a byte stream. */
  receiveBytes(id: number, chunks: Uint8Array[], bytes: number): void {
    this.deliver(id, chunks, bytes);
  }

  /** The connection is gone: main has stopped this page's streams, so each ends now. */
  connectionLost(error: CockpitError = unreachable()): void {
    for (const id of [...this.live.keys()]) this.close(id, { t: 'error', id, error });
  }

  private deliver(id: number, events: unknown[], bytes: number): void {
    const live = this.live.get(id);
    if (!live) return;
    let acked = false;
    const ack = () => {
      if (acked || !this.live.has(id)) return;
      acked = true;
      this.credit(id, bytes);
    };
    try {
      live.handlers.events(events, ack);
    } catch (error) {
      console.error(`stream handler failed: ${String(error)}`);
    }
    if (!live.handlers.manualAck) ack();
  }

  /**
   * Adds to `id`'s credit, sent at the end of the task: xterm parses several batches in one task
   * and acknowledges each, and one message instead of several is a few percent of the page's CPU
   * in a terminal flood (WebSocket.send is not cheap). Main sees the credit no later than it did.
   */
  private credit(id: number, bytes: number): void {
    if (this.credits.size === 0) queueMicrotask(() => this.sendCredits());
    this.credits.set(id, (this.credits.get(id) ?? 0) + bytes);
  }

  private sendCredits(): void {
    const credits = [...this.credits];
    this.credits.clear();
    for (const [id, bytes] of credits) {
      if (!this.live.has(id)) continue;
      try {
        this.send({ t: 'ack', id, bytes });
      } catch {
        // the connection went; nothing to credit
      }
    }
  }

  private close(id: number, message: Extract<ServerMessage, { t: 'end' | 'error' }>): void {
    const live = this.live.get(id);
    if (!live) return;
    this.live.delete(id);
    try {
      if (message.t === 'end') live.handlers.end?.(message.reason);
      else if (live.handlers.error) live.handlers.error(message.error);
      else console.error(`stream failed: ${message.error.message}`);
    } catch (error) {
      console.error(`stream handler failed: ${String(error)}`);
    }
  }
}

function unreachable(): CockpitError {
  return { code: 'Unreachable', message: 'lost the connection to the cockpit host' };
}
