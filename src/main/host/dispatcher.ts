import type { z } from 'zod';
import {
  requests,
  streams,
  type RequestInput,
  type RequestName,
  type RequestOutput,
  type StreamEvent,
  type StreamInput,
  type StreamName,
} from '../../shared/contract';
import type { StreamFlowHints } from '../../shared/contract/define';
import type { Event, IDisposable } from '../../shared/lifetimes';
import { CockpitFailure, fail, ok, type CockpitError, type Result } from '../../shared/result';
import type { Logger } from '../app/logger';

export type RequestHandlers = {
  [K in RequestName]: (input: z.output<(typeof requests)[K]['input']>) => Promise<RequestOutput<K>> | RequestOutput<K>;
};

/** One domain's part of the handler table (`src/main/<domain>/handlers.ts` returns it). */
export type HandlersOf<K extends RequestName> = Pick<RequestHandlers, K>;

/**
 * What a stream provider writes to. Events are queued in order and delivered in bounded batches;
 * exactly one `end` or `fail` closes the stream (later calls are ignored). When the reader falls
 * behind (unacknowledged bytes above the high-water mark) `paused` turns true and `onDidPause`
 * fires: a provider with a pausable source (a socket, a pty, a watch) stops reading until
 * `onDidResume`. Events emitted while paused are still kept, up to the session's hard cap.
 */
export interface StreamSink<E> {
  emit(event: E): void;
  end(reason?: string): void;
  fail(error: CockpitFailure | Error): void;
  readonly paused: boolean;
  readonly onDidPause: Event<void>;
  readonly onDidResume: Event<void>;
  /** True once the stream ended, failed or was unsubscribed. */
  readonly closed: boolean;
  /**
   * Drops the events queued and not sent yet (what was sent stays the reader's to acknowledge),
   * as a tty flushes its output queue on an interrupt; nothing once the stream is closing (its
   * last events go out). Answers the bytes dropped. A sink that holds no queue has none.
   */
  discardQueued?(): number;
}

/**
 * Starts a stream for one subscriber; the disposable it returns (or resolves to) stops it and
 * releases what it holds. Throwing (or rejecting) with a CockpitFailure refuses the subscription
 * with that error.
 */
export type StreamProvider<I, E> = (input: I, sink: StreamSink<E>) => IDisposable | Promise<IDisposable>;

export type StreamProviders = {
  [K in StreamName]: StreamProvider<z.output<(typeof streams)[K]['input']>, StreamEvent<K>>;
};

/**
 * The generic bridge's main-process half, shared by both hosts: checks the channel, validates
 * the input against the contract's schema, runs the handler, and answers with a `Result`.
 * Nothing a renderer sends can throw out of here.
 */
/** The tables a dispatcher serves: the app's contract, or a test's / benchmark's own. */
export interface ContractTables {
  requests: Record<string, { input: z.ZodType }>;
  streams: Record<string, { input: z.ZodType; bytes?: boolean; flow?: StreamFlowHints }>;
}

const APP_CONTRACT: ContractTables = { requests, streams };

/** An own entry of `table` named by `name`, whatever a peer sent as the name. */
function entryOf<T>(table: Record<string, T>, name: unknown): T | undefined {
  return typeof name === 'string' && Object.hasOwn(table, name) ? table[name] : undefined;
}

/** What a host needs of a dispatcher (the real one, or one still waiting for the services). */
export type ContractCarrier = Pick<ContractDispatcher, 'invoke' | 'subscribe' | 'isByteStream' | 'flowHints' | 'streamError'>;

/**
 * A carrier whose dispatcher is still being made: the web host can listen (and print its URL)
 * while the services load; requests wait for them, or answer `Unavailable` if they failed.
 */
export class PendingDispatcher implements ContractCarrier {
  private readonly tables: ContractDispatcher;

  constructor(
    private readonly ready: Promise<ContractCarrier>,
    logger: Logger,
    contract: ContractTables = APP_CONTRACT,
  ) {
    // Stream kinds and flow hints are static: read them from the tables without waiting.
    this.tables = new ContractDispatcher({} as RequestHandlers, {} as StreamProviders, logger, contract);
  }

  async invoke(channel: string, rawInput: unknown): Promise<Result<unknown>> {
    return this.ready.then(
      (dispatcher) => dispatcher.invoke(channel, rawInput),
      (error: unknown) => fail('Unavailable', `the cockpit failed to start: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  async subscribe(channel: string, rawInput: unknown, sink: StreamSink<unknown>): Promise<Result<IDisposable>> {
    return this.ready.then(
      (dispatcher) => dispatcher.subscribe(channel, rawInput, sink),
      (error: unknown) => fail('Unavailable', `the cockpit failed to start: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  isByteStream(channel: string): boolean {
    return this.tables.isByteStream(channel);
  }

  flowHints(channel: string): StreamFlowHints | undefined {
    return this.tables.flowHints(channel);
  }

  streamError(channel: string, error: unknown): CockpitError {
    return this.tables.streamError(channel, error);
  }
}

export class ContractDispatcher {
  private live = 0;

  constructor(
    private readonly handlers: RequestHandlers,
    private readonly providers: StreamProviders,
    private readonly logger: Logger,
    private readonly contract: ContractTables = APP_CONTRACT,
  ) {}

  /** Streams running now, across every session of every host. */
  get liveStreams(): number {
    return this.live;
  }

  isByteStream(channel: string): boolean {
    return entryOf(this.contract.streams, channel)?.bytes === true;
  }

  /** The stream's own flow-control settings, if its contract entry declares any. */
  flowHints(channel: string): StreamFlowHints | undefined {
    return entryOf(this.contract.streams, channel)?.flow;
  }

  async invoke(channel: string, rawInput: unknown): Promise<Result<unknown>> {
    try {
      const spec = entryOf(this.contract.requests, channel);
      if (!spec) return fail('Invalid', `unknown request "${describeName(channel)}"`);
      const parsed = spec.input.safeParse(rawInput ?? {});
      if (!parsed.success) {
        const message = describeIssues(parsed.error);
        this.logger.warn('request.invalid', { channel, message });
        return fail('Invalid', message);
      }
      const handler = (this.handlers as unknown as Record<string, (input: unknown) => unknown>)[channel]!;
      return ok(await handler(parsed.data));
    } catch (error) {
      return this.toFailure(String(describeName(channel)), error);
    }
  }

  /**
   * Starts a stream that writes to `sink`; resolves to what stops it, or to the error that
   * refused it (unknown stream, bad input, a provider that threw).
   */
  async subscribe(channel: string, rawInput: unknown, sink: StreamSink<unknown>): Promise<Result<IDisposable>> {
    try {
      const spec = entryOf(this.contract.streams, channel);
      if (!spec) return fail('Invalid', `unknown stream "${describeName(channel)}"`);
      const parsed = spec.input.safeParse(rawInput ?? {});
      if (!parsed.success) return fail('Invalid', describeIssues(parsed.error));
      const provider = (this.providers as unknown as Record<string, StreamProvider<unknown, unknown>>)[channel]!;
      const running = await provider(parsed.data, sink);
      this.live++;
      let stopped = false;
      return ok({
        dispose: () => {
          if (stopped) return;
          stopped = true;
          this.live--;
          running.dispose();
        },
      });
    } catch (error) {
      return this.toFailure(String(describeName(channel)), error);
    }
  }

  /** The error a provider's failure reaches the renderer as (CockpitFailure keeps its code). */
  streamError(channel: string, error: unknown): CockpitError {
    return (this.toFailure(channel, error) as { ok: false; error: CockpitError }).error;
  }

  private toFailure(channel: string, error: unknown): Result<never> {
    if (error instanceof CockpitFailure) {
      this.logger.warn('request.failed', { channel, code: error.code, message: error.message });
      return { ok: false, error: error.toError() };
    }
    this.logger.error('request.crashed', { channel, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    return fail('Internal', `internal error while handling ${channel}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function describeName(name: unknown): string {
  return typeof name === 'string' ? name.slice(0, 80) : `(a ${Array.isArray(name) ? 'list' : typeof name}, not a name)`;
}

/** `title: needs at least 3 characters; severity: ...` — what the UI shows for `Invalid`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

export type { RequestInput, StreamInput };
