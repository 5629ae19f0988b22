/**
 * The schema of what a page may send (wire.ts's `ClientMessage`), checked in main before
 * anything reads a message. Kept apart from wire.ts so the page's bridge need not bundle zod.
 */
import { z } from 'zod';
import type { ClientMessage } from './wire';

const MessageId = z.number().int().min(0).max(2 ** 31 - 1);
const Channel = z.string().min(1).max(200);

export const ClientMessageSchema: z.ZodType<ClientMessage> = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('invoke'), id: MessageId, channel: Channel, input: z.unknown() }),
  z.strictObject({ t: z.literal('subscribe'), id: MessageId, channel: Channel, input: z.unknown() }),
  z.strictObject({ t: z.literal('unsubscribe'), id: MessageId }),
  /** The page consumed `bytes` of the stream's batches (its flow-control credit back to main). */
  z.strictObject({ t: z.literal('ack'), id: MessageId, bytes: z.number().int().min(0).max(2 ** 40) }),
]);

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

