import { Emitter, type IDisposable } from '../../shared/lifetimes';
import { CockpitFailure, type CockpitError } from '../../shared/result';
import type { ServerMessage } from '../../shared/wire';
import type { Logger } from '../app/logger';
import type { ContractCarrier, StreamSink } from './dispatcher';

/** How one page's session is carried: the web host's socket, or Electron's webContents. */
export interface StreamTransport {
  /** Sends one `ServerMessage`, already serialised as JSON. */
  sendText(text: string): void;
  /** Sends one batch of a byte stream, as binary. */
  sendBytes(id: number, chunks: Uint8Array[]): void;
  /** Bytes handed to the transport and not yet written to the peer (ws.bufferedAmount); 0 where unknown. */
  bufferedAmount(): number;
}

export interface FlowControl {
  /** Unacknowledged plus queued bytes at which the source is paused. */
  highWaterMark: number;
  /** ... and below which it is resumed. */
  lowWaterMark: number;
  /** A batch is flushed when it holds this many events, this many bytes, or is this old. */
  maxBatchEvents: number;
  maxBatchBytes: number;
  maxBatchWaitMs: number;
  /**
   * Queued plus unacknowledged bytes past which a stream whose source did not pause is failed
   * (the page fell too far behind): main's memory per stream never grows past this.
   */
  maxBufferedBytes: number;
  /** The transport's own buffer (ws.bufferedAmount) above which nothing more is sent for now. */
  maxTransportBytes: number;
}

/** VS Code's terminal pauses at 100,000 unacknowledged characters; our streams batch, so more. */
export const DEFAULT_FLOW: FlowControl = {
  highWaterMark: 1024 * 1024,
  lowWaterMark: 256 * 1024,
  maxBatchEvents: 2000,
  maxBatchBytes: 256 * 1024,
  maxBatchWaitMs: 16,
  maxBufferedBytes: 2 * 1024 * 1024,
  maxTransportBytes: 4 * 1024 * 1024,
};

/** Byte streams (logs, terminals at full speed) keep more in flight: bytes are cheap to batch. */
export const BYTE_STREAM_FLOW: Partial<FlowControl> = {
  highWaterMark: 4 * 1024 * 1024,
  lowWaterMark: 1024 * 1024,
  maxBatchBytes: 256 * 1024,
  maxBufferedBytes: 8 * 1024 * 1024,
};

const TRANSPORT_RETRY_MS = 5;

/**
 * One page load's streams, written once for both hosts. Each subscription yields bounded
 * batches, then exactly one `end` or `error`; the page acknowledges what it consumed and the
 * provider is paused above the high-water mark. Disposing the session (page reloaded, window
 * closed, socket gone) stops every subscription it holds.
 */
export class StreamSession implements IDisposable {
  private readonly subscriptions = new Map<number, Subscription>();
  private disposed = false;

  constructor(
    private readonly dispatcher: ContractCarrier,
    private readonly transport: StreamTransport,
    private readonly logger: Logger,
    /** Overrides applied last, over the defaults and each stream's own hints (tests, benchmarks). */
    private readonly overrides: Partial<FlowControl> = {},
  ) {}

  /** Live subscriptions (started or starting). */
  get size(): number {
    return this.subscriptions.size;
  }

  subscribe(id: number, channel: string, input: unknown): void {
    if (this.disposed) return;
    const previous = this.subscriptions.get(id);
    if (previous) {
      this.logger.warn('stream.id-reused', { id, channel });
      previous.stop();
    }
    const bytes = this.dispatcher.isByteStream(channel);
    const flow: FlowControl = { ...DEFAULT_FLOW, ...(bytes ? BYTE_STREAM_FLOW : {}), ...this.dispatcher.flowHints(channel), ...this.overrides };
    const subscription = new Subscription(id, channel, bytes, this.transport, flow, this.logger, () => {
      if (this.subscriptions.get(id) === subscription) this.subscriptions.delete(id);
    });
    this.subscriptions.set(id, subscription);
    void this.dispatcher.subscribe(channel, input, subscription.sink).then(
      (result) => (result.ok ? subscription.started(result.value) : subscription.refused(result.error)),
      (error: unknown) => subscription.refused(this.dispatcher.streamError(channel, error)),
    );
  }

  unsubscribe(id: number): void {
    this.subscriptions.get(id)?.stop();
  }

  ack(id: number, bytes: number): void {
    this.subscriptions.get(id)?.ack(bytes);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const subscription of [...this.subscriptions.values()]) subscription.stop();
    this.subscriptions.clear();
  }
}

type State = 'starting' | 'open' | 'closing' | 'closed';

class Subscription {
  private state: State = 'starting';
  private provider: IDisposable | undefined;
  private queue: Array<string | Uint8Array> = [];
  private queuedBytes = 0;
  private unacked = 0;
  private timer: NodeJS.Timeout | undefined;
  private final: ServerMessage | undefined;
  private isPaused = false;
  private readonly pauses = new Emitter<void>();
  private readonly resumes = new Emitter<void>();
  readonly sink: StreamSink<unknown>;

  constructor(
    private readonly id: number,
    private readonly channel: string,
    private readonly bytes: boolean,
    private readonly transport: StreamTransport,
    private readonly flow: FlowControl,
    private readonly logger: Logger,
    private readonly forget: () => void,
  ) {
    const paused = () => this.isPaused;
    const closed = () => this.state === 'closing' || this.state === 'closed';
    this.sink = {
      emit: (event) => this.emit(event),
      end: (reason) => this.close({ t: 'end', id, reason: reason ?? 'ended' }),
      fail: (error) => this.close({ t: 'error', id, error: toCockpitError(error) }),
      get paused() {
        return paused();
      },
      onDidPause: this.pauses.event,
      onDidResume: this.resumes.event,
      get closed() {
        return closed();
      },
      discardQueued: () => this.discardQueued(),
    };
  }

  started(provider: IDisposable): void {
    if (this.state === 'closed') {
      provider.dispose();
      return;
    }
    this.provider = provider;
    if (this.state === 'starting') this.state = 'open';
    // A provider that ended during its own start is released now.
    if (this.state === 'closing' && this.queue.length === 0) this.finish();
  }

  refused(error: CockpitError): void {
    if (this.state === 'closed') return;
    this.queue = [];
    this.queuedBytes = 0;
    this.final = { t: 'error', id: this.id, error };
    this.finish();
  }

  ack(bytes: number): void {
    if (this.state === 'closed') return;
    this.unacked = Math.max(0, this.unacked - bytes);
    this.flush();
    this.updatePause();
  }

  /** Stopped by the page (unsubscribe) or its session: nothing more is sent. */
  stop(): void {
    if (this.state === 'closed') return;
    this.final = undefined;
    this.queue = [];
    this.queuedBytes = 0;
    this.finish();
  }

  private emit(event: unknown): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    let item: string | Uint8Array;
    if (this.bytes) {
      if (!(event instanceof Uint8Array)) {
        this.close({ t: 'error', id: this.id, error: { code: 'Internal', message: `${this.channel} emitted something that is not bytes` } });
        return;
      }
      item = event;
    } else {
      try {
        item = JSON.stringify(event) ?? 'null';
      } catch (error) {
        this.close({ t: 'error', id: this.id, error: { code: 'Internal', message: `${this.channel} emitted an event that cannot be sent: ${String(error)}` } });
        return;
      }
    }
    const size = this.bytes ? (item as Uint8Array).byteLength : (item as string).length;
    if (this.queuedBytes + this.unacked + size > this.flow.maxBufferedBytes && this.queue.length > 0) {
      this.overflow();
      return;
    }
    // A byte stream that was idle (nothing queued, nothing unacknowledged: a keystroke's echo)
    // sends at once; only output that follows while the page is still consuming is batched.
    const idle = this.bytes && this.queue.length === 0 && this.unacked === 0;
    this.queue.push(item);
    this.queuedBytes += size;
    this.updatePause();
    if (idle || this.queue.length >= this.flow.maxBatchEvents || this.queuedBytes >= this.flow.maxBatchBytes) this.flush();
    else this.schedule(this.flow.maxBatchWaitMs);
  }

  private discardQueued(): number {
    if (this.state !== 'open' || this.queue.length === 0) return 0;
    const dropped = this.queuedBytes;
    this.queue = [];
    this.queuedBytes = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.updatePause();
    return dropped;
  }

  private overflow(): void {
    const limit = `${(this.flow.maxBufferedBytes / (1024 * 1024)).toFixed(1)} MiB`;
    this.logger.warn('stream.overflow', { channel: this.channel, id: this.id, limit });
    this.queue = [];
    this.queuedBytes = 0;
    this.final = {
      t: 'error',
      id: this.id,
      error: { code: 'Unavailable', message: `${this.channel}: the page fell more than ${limit} behind and the stream was stopped; reopen it to continue` },
    };
    this.finish();
  }

  private close(final: ServerMessage): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.final = final;
    const wasStarting = this.state === 'starting';
    this.state = 'closing';
    if (this.queue.length === 0 && !wasStarting) this.finish();
    else this.flush();
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, ms);
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.state === 'closed') return;
    while (this.queue.length > 0) {
      if (this.unacked >= this.flow.highWaterMark) return; // the page's ack resumes us
      if (this.transport.bufferedAmount() > this.flow.maxTransportBytes) {
        this.schedule(TRANSPORT_RETRY_MS);
        return;
      }
      this.sendBatch();
    }
    if (this.state === 'closing' && this.provider !== undefined) this.finish();
    else if (this.state === 'closing' && this.final?.t === 'error') this.finish();
  }

  private sendBatch(): void {
    let count = 0;
    let size = 0;
    while (count < this.queue.length && count < this.flow.maxBatchEvents && size < this.flow.maxBatchBytes) {
      const item = this.queue[count]!;
      size += typeof item === 'string' ? item.length : item.byteLength;
      count++;
    }
    const batch = this.queue.splice(0, count);
    this.queuedBytes -= size;
    this.unacked += size;
    try {
      if (this.bytes) this.transport.sendBytes(this.id, batch as Uint8Array[]);
      else this.transport.sendText(`{"t":"events","id":${this.id},"n":${size},"events":[${(batch as string[]).join(',')}]}`);
    } catch (error) {
      this.logger.warn('stream.send-failed', { channel: this.channel, message: String(error) });
    }
  }

  private updatePause(): void {
    const load = this.queuedBytes + this.unacked;
    if (!this.isPaused && load >= this.flow.highWaterMark) {
      this.isPaused = true;
      this.pauses.fire();
    } else if (this.isPaused && load < this.flow.lowWaterMark) {
      this.isPaused = false;
      this.resumes.fire();
    }
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.final) {
      try {
        this.transport.sendText(JSON.stringify(this.final));
      } catch (error) {
        this.logger.warn('stream.send-failed', { channel: this.channel, message: String(error) });
      }
    }
    this.forget();
    this.pauses.dispose();
    this.resumes.dispose();
    const provider = this.provider;
    this.provider = undefined;
    try {
      provider?.dispose();
    } catch (error) {
      this.logger.error('stream.dispose-failed', { channel: this.channel, message: String(error) });
    }
  }
}

function toCockpitError(error: unknown): CockpitError {
  if (error instanceof CockpitFailure) return error.toError();
  return { code: 'Internal', message: error instanceof Error ? error.message : String(error) };
}
