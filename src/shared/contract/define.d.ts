/** The builders every domain's contract file uses to declare its requests and streams. */
import { z } from 'zod';
export interface RequestSpec<I extends z.ZodType, O> {
    input: I;
    /** Phantom: carries the output type; never read at run time. */
    output?: O;
}
export interface StreamSpec<I extends z.ZodType, E> {
    input: I;
    /** Phantom: carries the event type. */
    event?: E;
    /** Byte streams carry `Uint8Array` events as binary frames, never JSON or base64. */
    bytes?: boolean;
}
export declare const request: <I extends z.ZodType>(input: I) => {
    returns: <O>() => RequestSpec<I, O>;
};
export declare const stream: <I extends z.ZodType>(input: I) => {
    emits: <E>() => StreamSpec<I, E>;
    /** A stream of raw bytes (log chunks, terminal output). */
    emitsBytes: () => StreamSpec<I, Uint8Array>;
};
export declare const NoInput: z.ZodObject<{}, z.core.$strict>;
export declare const IncidentId: z.ZodString;
