import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CockpitFailure } from '../../shared/result';
import { fsyncDirectory } from './durable-files';
import { NONCE_BYTES, TAG_BYTES } from './log-frames';

/**
 * Sealed attachment file: magic | u32be keyVersion | attachmentId[16], then chunks:
 *   u32be plainLength | u8 final | nonce[12] | ciphertext | tag[16]
 * Each chunk's associated data binds the log id, key version, attachment id, chunk index and
 * final flag, so truncation, reordering and splicing between attachments all fail to open.
 * The file is named by the SHA-256 of its (redacted) plaintext.
 * `ICEVATT2` (written now) has chunks of up to 1 MiB; `ICEVATT1` files, with chunks of up to
 * 64 KiB and otherwise the same layout, still open.
 */
export const ATTACHMENT_MAGIC = Buffer.from('ICEVATT2', 'latin1');
export const ATTACHMENT_CHUNK = 1024 * 1024;
/** The largest chunk each format version may hold: anything longer is corruption. */
const MAX_CHUNK_BY_MAGIC = new Map<string, number>([
  ['ICEVATT1', 64 * 1024],
  ['ICEVATT2', ATTACHMENT_CHUNK],
]);
const FILE_HEADER = ATTACHMENT_MAGIC.length + 4 + 16;
const CHUNK_HEADER = 4 + 1 + NONCE_BYTES;

/**
 * The associated data of every chunk of one attachment; `forChunk` fills in the index and final
 * flag in place (setAAD copies it, so one buffer serves all chunks).
 */
function chunkAad(logId: string, keyVersion: number, attachmentId: Buffer): { forChunk(index: number, final: boolean): Buffer } {
  const prefix = Buffer.from(`incident-cockpit attachment\0${logId}\0`);
  const aad = Buffer.alloc(prefix.length + 4 + 16 + 4 + 1);
  prefix.copy(aad, 0);
  aad.writeUInt32BE(keyVersion, prefix.length);
  attachmentId.copy(aad, prefix.length + 4);
  return {
    forChunk(index, final) {
      aad.writeUInt32BE(index, prefix.length + 20);
      aad.writeUInt8(final ? 1 : 0, prefix.length + 24);
      return aad;
    },
  };
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
 * Chunk N+1 is encrypted while chunk N is written and hashed (on the hasher's thread).
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
  const aad = chunkAad(logId, keyVersion, attachmentId);
  const temp = path.join(dir, `.incoming-${attachmentId.toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  let size = 0;
  try {
    const header = Buffer.alloc(FILE_HEADER);
    ATTACHMENT_MAGIC.copy(header, 0);
    header.writeUInt32BE(keyVersion, ATTACHMENT_MAGIC.length);
    attachmentId.copy(header, ATTACHMENT_MAGIC.length + 4);
    let position = 0;
    let inFlight: Promise<void> = Promise.resolve();
    // One write in flight: it runs on the thread pool while the next chunk is encrypted.
    const write = async (parts: Buffer[]): Promise<void> => {
      await inFlight;
      const at = position;
      const expected = parts.reduce((n, part) => n + part.length, 0);
      position += expected;
      inFlight = handle.writev(parts, at).then(({ bytesWritten }) => {
        if (bytesWritten !== expected) throw new Error(`short write: ${bytesWritten} of ${expected} bytes`);
      });
      // Observed here so a failed write is not an unhandled rejection before the next await.
      inFlight.catch(() => undefined);
    };
    let index = 0;
    const sealChunk = (plain: Buffer, final: boolean): Buffer[] => {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(aad.forChunk(index, final));
      const head = Buffer.allocUnsafe(CHUNK_HEADER);
      head.writeUInt32BE(plain.length, 0);
      head.writeUInt8(final ? 1 : 0, 4);
      nonce.copy(head, 5);
      const body = cipher.update(plain);
      cipher.final();
      index++;
      return index === 1 ? [header, head, body, cipher.getAuthTag()] : [head, body, cipher.getAuthTag()];
    };
    // A chunk is held until the next one arrives: only then is it known not to be the final one.
    let held: Buffer | undefined;
    for await (const chunk of fixedChunks(options.source, ATTACHMENT_CHUNK)) {
      const hashing = hasher.update(chunk);
      if (hashing) await hashing;
      size += chunk.length;
      if (held) await write(sealChunk(held, false));
      held = chunk;
    }
    await write(sealChunk(held ?? Buffer.alloc(0), true));
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
    const maxChunk = MAX_CHUNK_BY_MAGIC.get(header.toString('latin1', 0, ATTACHMENT_MAGIC.length));
    if (bytesRead !== FILE_HEADER || maxChunk === undefined) {
      throw new CockpitFailure('Corrupt', 'The attachment file has no valid header.', file);
    }
    const keyVersion = header.readUInt32BE(ATTACHMENT_MAGIC.length);
    const aad = chunkAad(logId, keyVersion, header.subarray(ATTACHMENT_MAGIC.length + 4));
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
      if (length > maxChunk) throw new CockpitFailure('Corrupt', `Chunk ${index} has an impossible length.`, file);
      const sealed = Buffer.allocUnsafe(length + TAG_BYTES);
      const body = await handle.read(sealed, 0, sealed.length, position + CHUNK_HEADER);
      if (body.bytesRead !== sealed.length) throw new CockpitFailure('Corrupt', `The attachment is truncated in chunk ${index}.`, file);
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(chunkHead.subarray(5)));
        decipher.setAAD(aad.forChunk(index, final));
        decipher.setAuthTag(sealed.subarray(length));
        plain = decipher.update(sealed.subarray(0, length));
        decipher.final();
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
