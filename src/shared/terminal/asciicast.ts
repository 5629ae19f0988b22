/**
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a header line, then one JSON
 * array per event, `[seconds, code, data]` with code `o` (output), `i` (input) or `r` (resize,
 * data `COLSxROWS`). Pure: the recorder in main writes it, the player in the renderer reads it.
 */

export interface CastHeader {
  version: 2;
  width: number;
  height: number;
  /** Unix seconds at the start of the recording. */
  timestamp: number;
  title?: string;
  env?: { SHELL?: string; TERM?: string };
}

export type CastEventCode = 'o' | 'i' | 'r';
export type CastEvent = [seconds: number, code: CastEventCode, data: string];

export interface Cast {
  header: CastHeader;
  events: CastEvent[];
}

/** Seconds with microsecond precision, as asciinema writes them. */
const seconds = (s: number) => Math.round(s * 1e6) / 1e6;

export function encodeCastHeader(header: CastHeader): string {
  return JSON.stringify(header);
}

export function encodeCastEvent(event: CastEvent): string {
  return JSON.stringify([seconds(event[0]), event[1], event[2]]);
}

/** The whole file: header and events, one per line, ending with a newline. */
export function encodeCast(cast: Cast): string {
  return [encodeCastHeader(cast.header), ...cast.events.map(encodeCastEvent)].join('\n') + '\n';
}

export class CastFormatError extends Error {}

/**
 * Reads a cast file; a line that is not a v2 event is an error naming its line number, so a
 * damaged recording is reported instead of replayed wrong.
 */
export function parseCast(text: string): Cast {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new CastFormatError('the recording is empty');
  let header: CastHeader;
  try {
    header = JSON.parse(lines[0]!) as CastHeader;
  } catch {
    throw new CastFormatError('line 1: the header is not JSON');
  }
  if (header?.version !== 2) throw new CastFormatError('line 1: not an asciicast v2 header');
  if (!Number.isInteger(header.width) || !Number.isInteger(header.height)) throw new CastFormatError('line 1: the header has no width and height');
  const events: CastEvent[] = [];
  for (let i = 1; i < lines.length; i++) {
    let event: unknown;
    try {
      event = JSON.parse(lines[i]!);
    } catch {
      throw new CastFormatError(`line ${i + 1}: not JSON`);
    }
    if (!Array.isArray(event) || typeof event[0] !== 'number' || !['o', 'i', 'r', 'm'].includes(event[1]) || typeof event[2] !== 'string') {
      throw new CastFormatError(`line ${i + 1}: not an event [seconds, code, data]`);
    }
    if (event[1] === 'm') continue;
    events.push(event as CastEvent);
  }
  return { header, events };
}

/** `COLSxROWS` of a resize event, or undefined. */
export function parseResize(data: string): { cols: number; rows: number } | undefined {
  const match = /^(\d+)x(\d+)$/.exec(data);
  return match ? { cols: Number(match[1]), rows: Number(match[2]) } : undefined;
}

/** The recording's length in seconds. */
export const castDuration = (cast: Cast): number => cast.events.at(-1)?.[0] ?? 0;
