import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CockpitFailure } from '../../shared/result';
import { fsyncDirectory } from './durable-files';
import { NONCE_BYTES, TAG_BYTES } from './log-frames';

/**
 * Sealed attachment file: `ICEVATT1` | u32be keyVersion | attachmentId[16], then chunks:
 *   u32be plainLength | u8 final | nonce[12] | ciphertext | tag[16]
 * Each chunk's associated data binds the log id, key version, attachment id, chunk index and
 * final flag, so truncation, reordering and splicing between attachments all fail to open.
 * The file is named by the SHA-256 of its (redacted) plaintext.
 */
export const ATTACHMENT_MAGIC = Buffer.from('ICEVATT1', 'latin1');
export const ATTACHMENT_CHUNK = 64 * 1024;
const FILE_HEADER = ATTACHMENT_MAGIC.length + 4 + 16;
const CHUNK_HEADER = 4 + 1 + NONCE_BYTES;
const WRITE_BATCH = 4 * 1024 * 1024;

function chunkAad(logId: string, keyVersion: number, attachmentId: Buffer, index: number, final: boolean): Buffer {
  const fixed = Buffer.alloc(4 + 16 + 4 + 1);
  fixed.writeUInt32BE(keyVersion, 0);
  attachmentId.copy(fixed, 4);
  fixed.writeUInt32BE(index, 20);
  fixed.writeUInt8(final ? 1 : 0, 24);
  return Buffer.concat([Buffer.from(`incident-cockpit attachment\0${logId}\0`), fixed]);
}

/** Incremental SHA-256 of the plaintext; swappable so hashing can run off the main thread. */
export interface PlaintextHasher {
  /** May return a promise: the caller waits on it (back-pressure from an off-thread hasher). */
  update(chunk: Buffer): void | Promise<void>;
  digest(): Promise<string>;
}

export const inlineSha256 = (): PlaintextHasher => {
  const hash = createHash('sha256');
  return { update: (chunk) => void hash.update(chunk), digest: async () => hash.digest('hex') };
};

export interface SealedAttachment {
  sha256: string;
  size: number;
  /** The sealed file, named `<sha256>.att` in `dir`. */
  file: string;
}

const pendingBytesOf = (parts: Buffer[]): number => parts.reduce((n, p) => n + p.length, 0);

/** Re-chunks any byte stream into fixed-size chunks (the last may be shorter). */
async function* fixedChunks(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const chunk of source) {
    let piece = chunk;
    while (held + piece.length >= size) {
      const take = size - held;
      parts.push(piece.subarray(0, take));
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
      parts = [];
      held = 0;
      piece = piece.subarray(take);
    }
    if (piece.length > 0) {
      parts.push(piece);
      held += piece.length;
    }
  }
  if (held > 0) yield Buffer.concat(parts, held);
}

/**
 * Streams plaintext into a sealed attachment file in `dir`, chunk by chunk, never holding the
 * whole content; fsyncs file and directory before resolving. Identical content is stored once.
 */
export async function sealAttachment(options: {
  dir: string;
  logId: string;
  key: Buffer;
  keyVersion: number;
  source: AsyncIterable<Buffer>;
  hasher?: PlaintextHasher;
  /** false skips the fsyncs: only for measuring the sealing pipeline apart from the disk. */
  durable?: boolean;
}): Promise<SealedAttachment> {
  const { dir, logId, key, keyVersion } = options;
  const hasher = options.hasher ?? inlineSha256();
  const attachmentId = randomBytes(16);
  const temp = path.join(dir, `.incoming-${attachmentId.toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  let size = 0;
  try {
    const header = Buffer.alloc(FILE_HEADER);
    ATTACHMENT_MAGIC.copy(header, 0);
    header.writeUInt32BE(keyVersion, ATTACHMENT_MAGIC.length);
    attachmentId.copy(header, ATTACHMENT_MAGIC.length + 4);
    let pending: Buffer[] = [header];
    let pendingBytes = header.length;
    let position = 0;
    let inFlight: Promise<unknown> = Promise.resolve();
    // Sealed chunks are written in ~1 MiB batches, one batch in flight while the next is sealed.
    const flush = async (): Promise<void> => {
      await inFlight;
      const batch = pending;
      const at = position;
      position += pendingBytes;
      pending = [];
      pendingBytes = 0;
      const expected = pendingBytesOf(batch);
      inFlight = handle.writev(batch, at).then(({ bytesWritten }) => {
        if (bytesWritten !== expected) throw new Error(`short write: ${bytesWritten} of ${expected} bytes`);
      });
      // Observed here so a failed write is not an unhandled rejection before the next await.
      inFlight.catch(() => undefined);
    };
    let index = 0;
    let held: Buffer | undefined;
    const sealChunk = async (plain: Buffer, final: boolean): Promise<void> => {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(chunkAad(logId, keyVersion, attachmentId, index, final));
      const head = Buffer.allocUnsafe(CHUNK_HEADER);
      head.writeUInt32BE(plain.length, 0);
      head.writeUInt8(final ? 1 : 0, 4);
      nonce.copy(head, 5);
      const body = cipher.update(plain);
      cipher.final();
      const tag = cipher.getAuthTag();
      pending.push(head, body, tag);
      pendingBytes += head.length + body.length + tag.length;
      index++;
      if (pendingBytes >= WRITE_BATCH || final) await flush();
    };
    for await (const chunk of fixedChunks(options.source, ATTACHMENT_CHUNK)) {
      const hashing = hasher.update(chunk);
      if (hashing) await hashing;
      size += chunk.length;
      if (held) await sealChunk(held, false);
      held = chunk;
    }
    await sealChunk(held ?? Buffer.alloc(0), true);
    await inFlight;
    if (options.durable !== false) await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  const sha256 = await hasher.digest();
  const file = path.join(dir, `${sha256}.att`);
  const existing = await stat(file).catch(() => undefined);
  if (existing) await rm(temp, { force: true });
  else await rename(temp, file);
  if (options.durable !== false) await fsyncDirectory(dir);
  return { sha256, size, file };
}

/**
 * Streams the plaintext of a sealed attachment, checking every chunk, the final flag and, at the
 * end, that the content hashes to its name. Throws CockpitFailure('Corrupt') on any mismatch.
 */
export async function* openAttachment(options: {
  file: string;
  logId: string;
  key: Buffer;
  expectedSha256: string;
}): AsyncGenerator<Buffer> {
  const { file, logId, key } = options;
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(FILE_HEADER);
    const { bytesRead } = await handle.read(header, 0, FILE_HEADER, 0);
    if (bytesRead !== FILE_HEADER || !header.subarray(0, ATTACHMENT_MAGIC.length).equals(ATTACHMENT_MAGIC)) {
      throw new CockpitFailure('Corrupt', 'The attachment file has no valid header.', file);
    }
    const keyVersion = header.readUInt32BE(ATTACHMENT_MAGIC.length);
    const attachmentId = header.subarray(ATTACHMENT_MAGIC.length + 4);
    const hash = createHash('sha256');
    const chunkHead = Buffer.alloc(CHUNK_HEADER);
    let position = FILE_HEADER;
    let index = 0;
    for (;;) {
      const head = await handle.read(chunkHead, 0, CHUNK_HEADER, position);
      if (head.bytesRead !== CHUNK_HEADER) {
        throw new CockpitFailure('Corrupt', `The attachment is truncated before chunk ${index} (no final chunk).`, file);
      }
      const length = chunkHead.readUInt32BE(0);
      const final = chunkHead.readUInt8(4) === 1;
      if (length > ATTACHMENT_CHUNK) throw new CockpitFailure('Corrupt', `Chunk ${index} has an impossible length.`, file);
      const sealed = Buffer.alloc(length + TAG_BYTES);
      const body = await handle.read(sealed, 0, sealed.length, position + CHUNK_HEADER);
      if (body.bytesRead !== sealed.length) throw new CockpitFailure('Corrupt', `The attachment is truncated in chunk ${index}.`, file);
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(chunkHead.subarray(5)));
        decipher.setAAD(chunkAad(logId, keyVersion, attachmentId, index, final));
        decipher.setAuthTag(sealed.subarray(length));
        plain = Buffer.concat([decipher.update(sealed.subarray(0, length)), decipher.final()]);
      } catch {
        throw new CockpitFailure('Corrupt', `Chunk ${index} of the attachment fails authentication (altered, reordered or wrong key).`, file);
      }
      hash.update(plain);
      position += CHUNK_HEADER + sealed.length;
      index++;
      if (plain.length > 0) yield plain;
      if (final) break;
    }
    const { size } = await handle.stat();
    if (size !== position) throw new CockpitFailure('Corrupt', 'The attachment has bytes after its final chunk.', file);
    if (hash.digest('hex') !== options.expectedSha256) {
      throw new CockpitFailure('Corrupt', 'The attachment content does not hash to its name.', file);
    }
  } finally {
    await handle.close();
  }
}

/** The plaintext size of a sealed attachment, read from its chunk headers only. */
export async function attachmentPlainSize(file: string): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(CHUNK_HEADER);
    let position = FILE_HEADER;
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(head, 0, CHUNK_HEADER, position);
      if (bytesRead !== CHUNK_HEADER) throw new CockpitFailure('Corrupt', 'The attachment is truncated.', file);
      const length = head.readUInt32BE(0);
      total += length;
      position += CHUNK_HEADER + length + TAG_BYTES;
      if (head.readUInt8(4) === 1) return total;
    }
  } finally {
    await handle.close();
  }
}
