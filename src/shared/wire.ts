/**
 * The messages that carry the contract between a page and main, in both hosts (WebSocket frames
 * in the web host, IPC messages in Electron). A page sends invoke / subscribe / unsubscribe / ack;
 * main answers with results, event batches (JSON, or binary for byte streams) and exactly one
 * `end` or `error` per subscription. The envelope is validated by schema before anything reads it.
 */
import { z } from 'zod';
import type { CockpitError, Result } from './result';

const MessageId = z.number().int().min(0).max(2 ** 31 - 1);
const Channel = z.string().min(1).max(200);

export const ClientMessageSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('invoke'), id: MessageId, channel: Channel, input: z.unknown() }),
  z.strictObject({ t: z.literal('subscribe'), id: MessageId, channel: Channel, input: z.unknown() }),
  z.strictObject({ t: z.literal('unsubscribe'), id: MessageId }),
  /** The page consumed `bytes` of the stream's batches (its flow-control credit back to main). */
  z.strictObject({ t: z.literal('ack'), id: MessageId, bytes: z.number().int().min(0).max(2 ** 40) }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export type ServerMessage =
  | { t: 'result'; id: number; result: Result<unknown> }
  /** `events` is a JSON array; `n` is the batch's size in bytes, acknowledged back. */
  | { t: 'events'; id: number; n: number; events: unknown[] }
  | { t: 'end'; id: number; reason: string }
  | { t: 'error'; id: number; error: CockpitError }
  /** The host is going away (restart, quit): the page should not retry this address. */
  | { t: 'bye'; reason: string };

/**
 * Parses a client message. A broken envelope is refused; when it still names an invoke and a
 * usable id, `replyTo` says which request to answer with `Invalid` so the page is not left waiting.
 */
export function parseClientMessage(raw: unknown): { message: ClientMessage } | { refused: string; replyTo?: number } {
  const parsed = ClientMessageSchema.safeParse(raw);
  if (parsed.success) return { message: parsed.data };
  const refused = `malformed message: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'message'} ${i.message}`).join('; ').slice(0, 300)}`;
  const fields = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  const id = Object.hasOwn(fields ?? {}, 'id') ? fields!.id : undefined;
  if (fields?.t === 'invoke' && MessageId.safeParse(id).success) return { refused, replyTo: id as number };
  return { refused };
}

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
