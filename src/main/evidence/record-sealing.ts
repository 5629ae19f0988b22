import { encodeFrame, encodeFrameHeader, sha256, type ScannedFrame } from './log-frames';
import { openBytes, sealBytes } from './sealing';

/** The label a log's data key is wrapped under: binds it to its log id and key version. */
export const dataKeyLabel = (logId: string, keyVersion: number): string => `incident-cockpit data key\0${logId}\0${keyVersion}`;

/** Per log id and header length: one reusable buffer holding the prefix, the header copied in place (setAAD copies it). */
const aadBuffers = new Map<string, { prefix: number; buffer: Buffer }>();

/** Associated data of a record: the log id and the frame header (key version, seq, prevHash[, plainDigest]). */
function recordAad(logId: string, header: Buffer): Buffer {
  const id = `${header.length}\0${logId}`;
  let entry = aadBuffers.get(id);
  if (!entry) {
    const prefix = Buffer.from(`incident-cockpit record\0${logId}\0`);
    entry = { prefix: prefix.length, buffer: Buffer.alloc(prefix.length + header.length) };
    prefix.copy(entry.buffer, 0);
    if (aadBuffers.size > 1000) aadBuffers.clear();
    aadBuffers.set(id, entry);
  }
  header.copy(entry.buffer, entry.prefix);
  return entry.buffer;
}

/**
 * Seals one record's plaintext into a complete (v2) frame with a fresh random nonce; the header
 * carries the plaintext's SHA-256, so the plaintext alone (an export) can be checked against the
 * chain. The plaintext holds a random salt, so the digest tells nothing to whoever lacks it.
 */
export function sealRecordFrame(
  logId: string,
  dataKey: Buffer,
  frame: { keyVersion: number; seq: number; prevHash: Buffer },
  plaintext: Buffer,
): Buffer {
  const header = encodeFrameHeader({ ...frame, plainDigest: sha256(plaintext) });
  const { nonce, sealed } = sealBytes(dataKey, recordAad(logId, header), plaintext);
  return encodeFrame(header, nonce, sealed);
}

/** Opens a scanned frame's plaintext; throws when key, log id or header do not match. */
export function openRecordFrame(logId: string, dataKey: Buffer, frame: ScannedFrame): Buffer {
  const plaintext = openBytes(dataKey, recordAad(logId, frame.header), frame.nonce, frame.sealed);
  if (frame.plainDigest && !sha256(plaintext).equals(frame.plainDigest)) throw new Error('the plaintext does not match the digest in its frame header');
  return plaintext;
}

/** The plaintext JSON sealed in each frame: the record plus the custody and chain fields. */
export interface SealedRecordPlaintext {
  v: 1;
  log: string;
  seq: number;
  at: string;
  actor: string;
  type: string;
  context?: { context?: string; namespace?: string };
  body: unknown;
  attachments?: string[];
  /** Hex SHA-256 of the previous sealed frame (the same value the frame header carries). */
  prev: string;
  /** Random hex (v2 frames): keeps the plaintext digest in the frame header from confirming guesses. */
  salt?: string;
}

/**
 * The exact object (and so, through JSON.stringify, the exact bytes) sealed for a record: written
 * by the store, rebuilt by an export's verifier from the exported record to check the frame's digest.
 */
export function sealedPlaintextOf(
  logId: string,
  r: { seq: number; at: string; actor: string; type: string; context?: SealedRecordPlaintext['context']; body: unknown; attachments?: string[]; prev: string; salt?: string },
): SealedRecordPlaintext {
  return {
    v: 1,
    log: logId,
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    type: r.type,
    ...(r.context ? { context: r.context } : {}),
    body: r.body ?? null,
    ...(r.attachments && r.attachments.length > 0 ? { attachments: [...r.attachments] } : {}),
    prev: r.prev,
    ...(r.salt !== undefined ? { salt: r.salt } : {}),
  };
}
