/** The builders every domain's contract file uses to declare its requests and streams. */
import { z } from 'zod';
export const request = (input) => ({ returns: () => ({ input }) });
export const stream = (input) => ({
    emits: () => ({ input }),
    /** A stream of raw bytes (log chunks, terminal output). */
    emitsBytes: () => ({ input, bytes: true }),
});
export const NoInput = z.strictObject({});
export const IncidentId = z.string().regex(/^inc-[0-9]{8}-[a-z0-9]{4,12}$/, 'is not an incident id');
