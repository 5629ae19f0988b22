/**
 * The RFC3339Nano stamp the API server puts before each line with `timestamps=true`
 * (`2026-11-27T10:00:00.123456789Z `). Stamps are compared as (seconds, nanoseconds), never as
 * text: Go trims trailing zeros, so `…:00Z` sorts after `…:00.1Z` as a string.
 */

export interface Stamp {
  /** Whole seconds since the epoch. */
  sec: number;
  /** 0..999,999,999. */
  nano: number;
}

export interface StampedLine extends Stamp {
  /** Where the text after the stamp (and its space) starts. */
  bodyStart: number;
}

const secondsCache = new Map<string, number>();
/** The last `YYYY-MM-DDTHH:MM:SS` seen (UTC) and its seconds: most lines share their second. */
const lastKey = new Uint8Array(19);
let lastSec = Number.NaN;

/**
 * Parses the stamp at `bytes[start..]`; undefined when the line does not start with one. With
 * `into`, the answer is written there (no object per line on the hot path: copy it to keep it).
 */
export function parseStamp(bytes: Uint8Array, start: number, end: number, into?: StampedLine): StampedLine | undefined {
  // YYYY-MM-DDTHH:MM:SS is 19 bytes, then an optional fraction, then Z (or an offset), then a space.
  if (end - start < 20 || bytes[start + 4] !== 45 || bytes[start + 10] !== 84) return undefined;
  let i = start + 19;
  let nano = 0;
  const c1 = bytes[i + 1]! - 48;
  if (bytes[i] === 46 && bytes[i + 10] === 90 && i + 10 < end && c1 >= 0 && c1 <= 9) {
    // The usual case, nine digits then Z: no loop.
    const c2 = bytes[i + 2]! - 48;
    const c3 = bytes[i + 3]! - 48;
    const c4 = bytes[i + 4]! - 48;
    const c5 = bytes[i + 5]! - 48;
    const c6 = bytes[i + 6]! - 48;
    const c7 = bytes[i + 7]! - 48;
    const c8 = bytes[i + 8]! - 48;
    const c9 = bytes[i + 9]! - 48;
    if ((c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9) >= 0 && c2 <= 9 && c3 <= 9 && c4 <= 9 && c5 <= 9 && c6 <= 9 && c7 <= 9 && c8 <= 9 && c9 <= 9) {
      nano = ((((((((c1 * 10 + c2) * 10 + c3) * 10 + c4) * 10 + c5) * 10 + c6) * 10 + c7) * 10 + c8) * 10 + c9);
      i += 10;
    }
  }
  if (i === start + 19 && bytes[i] === 46) {
    i++;
    let digits = 0;
    while (i < end && bytes[i]! >= 48 && bytes[i]! <= 57) {
      if (digits < 9) nano = nano * 10 + (bytes[i]! - 48);
      digits++;
      i++;
    }
    for (let d = digits; d < 9; d++) nano *= 10;
  }
  let zone = 'Z';
  if (bytes[i] === 90) {
    i++;
  } else if ((bytes[i] === 43 || bytes[i] === 45) && end - i >= 6) {
    zone = String.fromCharCode(...bytes.subarray(i, i + 6));
    i += 6;
  } else {
    return undefined;
  }
  if (i < end && bytes[i] !== 32) return undefined;
  let sec: number | undefined;
  if (zone === 'Z' && !Number.isNaN(lastSec)) {
    // Most lines share their second with the line before: the 19 bytes compared, newest digits first.
    const k = lastKey;
    const b = start;
    if (
      k[18] === bytes[b + 18] && k[17] === bytes[b + 17] && k[15] === bytes[b + 15] && k[14] === bytes[b + 14] && k[12] === bytes[b + 12] && k[11] === bytes[b + 11] &&
      k[9] === bytes[b + 9] && k[8] === bytes[b + 8] && k[6] === bytes[b + 6] && k[5] === bytes[b + 5] && k[3] === bytes[b + 3] && k[2] === bytes[b + 2] &&
      k[1] === bytes[b + 1] && k[0] === bytes[b] && k[4] === bytes[b + 4] && k[7] === bytes[b + 7] && k[10] === bytes[b + 10] && k[13] === bytes[b + 13] && k[16] === bytes[b + 16]
    ) {
      sec = lastSec;
    }
  }
  if (sec === undefined) {
    const key = String.fromCharCode(...bytes.subarray(start, start + 19)) + zone;
    sec = secondsCache.get(key);
    if (sec === undefined) {
      const ms = Date.parse(key);
      if (Number.isNaN(ms)) return undefined;
      sec = ms / 1000;
      if (secondsCache.size > 10_000) secondsCache.clear();
      secondsCache.set(key, sec);
    }
    if (zone === 'Z') {
      lastKey.set(bytes.subarray(start, start + 19));
      lastSec = sec;
    }
  }
  const bodyStart = i < end ? i + 1 : i;
  if (into) {
    into.sec = sec;
    into.nano = nano;
    into.bodyStart = bodyStart;
    return into;
  }
  return { sec, nano, bodyStart };
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function compareStamps(a: Stamp, b: Stamp): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nano - b.nano;
}

/** Milliseconds since the epoch, fractions kept (to ~200 ns): for the line index and time ranges. */
export const stampMillis = (s: Stamp): number => s.sec * 1000 + s.nano / 1e6;

/** The stamp as the API's `sinceTime` takes it (RFC3339 with nanoseconds). */
export function formatStamp(s: Stamp): string {
  const iso = new Date(s.sec * 1000).toISOString().slice(0, 19);
  return s.nano ? `${iso}.${String(s.nano).padStart(9, '0')}Z` : `${iso}Z`;
}
