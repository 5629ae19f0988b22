import type { z } from 'zod';
import {
  isRequestName,
  isStreamName,
  requests,
  streams,
  type RequestInput,
  type RequestName,
  type RequestOutput,
  type StreamEvent,
  type StreamInput,
  type StreamName,
} from '../../shared/contract';
import { CockpitFailure, fail, ok, type Result } from '../../shared/result';
import type { Logger } from '../app/logger';

export type RequestHandlers = {
  [K in RequestName]: (input: z.output<(typeof requests)[K]['input']>) => Promise<RequestOutput<K>> | RequestOutput<K>;
};

/** One domain's part of the handler table (`src/main/<domain>/handlers.ts` returns it). */
export type HandlersOf<K extends RequestName> = Pick<RequestHandlers, K>;

export type StreamProviders = {
  [K in StreamName]: (input: z.output<(typeof streams)[K]['input']>, emit: (event: StreamEvent<K>) => void) => () => void;
};

/**
 * The generic bridge's main-process half, shared by both hosts: checks the channel, validates
 * the input against the contract's schema, runs the handler, and answers with a `Result`.
 * Nothing a renderer sends can throw out of here.
 */
export class ContractDispatcher {
  constructor(
    private readonly handlers: RequestHandlers,
    private readonly providers: StreamProviders,
    private readonly logger: Logger,
  ) {}

  async invoke(channel: string, rawInput: unknown): Promise<Result<unknown>> {
    if (!isRequestName(channel)) return fail('Invalid', `unknown request "${String(channel).slice(0, 80)}"`);
    const parsed = requests[channel].input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const message = describeIssues(parsed.error);
      this.logger.warn('request.invalid', { channel, message });
      return fail('Invalid', message);
    }
    try {
      const handler = this.handlers[channel] as (input: unknown) => unknown;
      return ok(await handler(parsed.data));
    } catch (error) {
      return this.toFailure(channel, error);
    }
  }

  /** Starts a stream; the returned function stops it. */
  subscribe(channel: string, rawInput: unknown, emit: (event: unknown) => void): Result<() => void> {
    if (!isStreamName(channel)) return fail('Invalid', `unknown stream "${String(channel).slice(0, 80)}"`);
    const parsed = streams[channel].input.safeParse(rawInput ?? {});
    if (!parsed.success) return fail('Invalid', describeIssues(parsed.error));
    try {
      const provider = this.providers[channel] as (input: unknown, emit: (event: unknown) => void) => () => void;
      return ok(provider(parsed.data, emit));
    } catch (error) {
      return this.toFailure(channel, error);
    }
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

/** `title: needs at least 3 characters; severity: ...` — what the UI shows for `Invalid`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

export type { RequestInput, StreamInput };
