/**
 * The messages that carry the contract between a page and main, in both hosts (WebSocket frames
 * in the web host, IPC messages in Electron). A page sends invoke / subscribe / unsubscribe / ack;
 * main answers with results, event batches (JSON, or binary for byte streams) and exactly one
 * `end` or `error` per subscription. Main validates the envelope by schema (wire-envelope.ts)
 * before anything reads it; this file stays free of zod so the page's bridge is small.
 */
import type { CockpitError, Result } from './result';

export type ClientMessage =
  | { t: 'invoke'; id: number; channel: string; input: unknown }
  | { t: 'subscribe'; id: number; channel: string; input: unknown }
  | { t: 'unsubscribe'; id: number }
  /** The page consumed `bytes` of the stream's batches (its flow-control credit back to main). */
  | { t: 'ack'; id: number; bytes: number };

export type ServerMessage =
  | { t: 'result'; id: number; result: Result<unknown> }
  /** `events` is a JSON array; `n` is the batch's size in bytes, acknowledged back. */
  | { t: 'events'; id: number; n: number; events: unknown[] }
  | { t: 'end'; id: number; reason: string }
  | { t: 'error'; id: number; error: CockpitError }
  /** The host is going away (restart, quit): the page should not retry this address. */
  | { t: 'bye'; reason: string };

/**
 * Binary frames (web host) carry byte-stream batches: a 9-byte header, kind (1 byte, 1 = byte
 * batch), subscription id (u32 LE) and chunk count (u32 LE), then each chunk's length (u32 LE),
 * then the chunks' bytes.
 */
export const BINARY_KIND_BYTES = 1;

export function encodeByteBatch(id: number, chunks: readonly Uint8Array[]): Uint8Array {
  const header = 9 + 4 * chunks.length;
  let total = header;
  for (const chunk of chunks) total += chunk.byteLength;
  const frame = new Uint8Array(total);
  const view = new DataView(frame.buffer);
  view.setUint8(0, BINARY_KIND_BYTES);
  view.setUint32(1, id, true);
  view.setUint32(5, chunks.length, true);
  let offset = header;
  chunks.forEach((chunk, index) => {
    view.setUint32(9 + 4 * index, chunk.byteLength, true);
    frame.set(chunk, offset);
    offset += chunk.byteLength;
  });
  return frame;
}

/** The inverse of `encodeByteBatch`; chunks are views into `frame`. Undefined when malformed. */
export function decodeByteBatch(frame: Uint8Array): { id: number; chunks: Uint8Array[]; bytes: number } | undefined {
  if (frame.byteLength < 9) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint8(0) !== BINARY_KIND_BYTES) return undefined;
  const id = view.getUint32(1, true);
  const count = view.getUint32(5, true);
  const header = 9 + 4 * count;
  if (header > frame.byteLength) return undefined;
  const chunks: Uint8Array[] = [];
  let offset = header;
  for (let index = 0; index < count; index++) {
    const length = view.getUint32(9 + 4 * index, true);
    if (offset + length > frame.byteLength) return undefined;
    chunks.push(frame.subarray(offset, offset + length));
    offset += length;
  }
  return { id, chunks, bytes: offset - header };
}

export const RPC_PATH = '/rpc';
export const TOKEN_COOKIE = 'cockpit_token';
/** The largest message the web host accepts; the client refuses bigger ones itself, by name. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
