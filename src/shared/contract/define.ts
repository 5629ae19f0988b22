/** The builders every domain's contract file uses to declare its requests and streams. */
import { z } from 'zod';

export interface RequestSpec<I extends z.ZodType, O> {
  input: I;
  /** Phantom: carries the output type; never read at run time. */
  output?: O;
}
/** A stream's own flow-control settings, where the defaults do not fit (a terminal wants less in flight). */
export interface StreamFlowHints {
  highWaterMark?: number;
  lowWaterMark?: number;
  maxBatchBytes?: number;
  maxBatchWaitMs?: number;
  maxBufferedBytes?: number;
}

export interface StreamSpec<I extends z.ZodType, E> {
  input: I;
  /** Phantom: carries the event type. */
  event?: E;
  /** Byte streams carry `Uint8Array` events as binary frames, never JSON or base64. */
  bytes?: boolean;
  flow?: StreamFlowHints;
}

export const request = <I extends z.ZodType>(input: I) => ({ returns: <O>(): RequestSpec<I, O> => ({ input }) });
export const stream = <I extends z.ZodType>(input: I) => ({
  emits: <E>(): StreamSpec<I, E> => ({ input }),
  /** A stream of raw bytes (log chunks, terminal output). */
  emitsBytes: (flow?: StreamFlowHints): StreamSpec<I, Uint8Array> => ({ input, bytes: true, ...(flow ? { flow } : {}) }),
});

export const NoInput = z.strictObject({});
export const IncidentId = z.string().regex(/^inc-[0-9]{8}-[a-z0-9]{4,12}$/, 'is not an incident id');
