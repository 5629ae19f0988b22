import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ATTACHMENT_CHUNK, attachmentPlainSize, openAttachment, sealAttachment } from './attachment-sealing';

let dir: string;
const key = randomBytes(32);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'evidence-att-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* once(data: Buffer): AsyncGenerator<Buffer> {
  yield data;
}

async function readAll(file: string, sha: string, logId = 'inc-a', k = key): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of openAttachment({ file, logId, key: k, expectedSha256: sha })) parts.push(part);
  return Buffer.concat(parts);
}

const CHUNK_RECORD = 4 + 1 + 12 + ATTACHMENT_CHUNK + 16;
const HEADER = 8 + 4 + 16;

/** An attachment as the first format version wrote it (`ICEVATT1`), built independently of the sealer. */
function sealVersion1(data: Buffer, chunk: number, logId = 'inc-a', keyVersion = 1): Buffer {
  const id = randomBytes(16);
  const header = Buffer.alloc(HEADER);
  header.write('ICEVATT1', 0, 'latin1');
  header.writeUInt32BE(keyVersion, 8);
  id.copy(header, 12);
  const parts = [header];
  const count = Math.max(1, Math.ceil(data.length / chunk));
  for (let i = 0; i < count; i++) {
    const plain = data.subarray(i * chunk, (i + 1) * chunk);
    const final = i === count - 1;
    const nonce = randomBytes(12);
    const fixed = Buffer.alloc(25);
    fixed.writeUInt32BE(keyVersion, 0);
    id.copy(fixed, 4);
    fixed.writeUInt32BE(i, 20);
    fixed.writeUInt8(final ? 1 : 0, 24);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.concat([Buffer.from(`incident-cockpit attachment\0${logId}\0`), fixed]));
    const head = Buffer.alloc(17);
    head.writeUInt32BE(plain.length, 0);
    head.writeUInt8(final ? 1 : 0, 4);
    nonce.copy(head, 5);
    parts.push(head, cipher.update(plain), cipher.final(), cipher.getAuthTag());
  }
  return Buffer.concat(parts);
}

describe('sealed attachments', () => {
  for (const size of [0, 1, ATTACHMENT_CHUNK - 1, ATTACHMENT_CHUNK, ATTACHMENT_CHUNK * 3, ATTACHMENT_CHUNK * 3 + 17]) {
    it(`round-trips ${size} bytes and names the file by the plaintext SHA-256`, async () => {
      const data = randomBytes(size);
      const sealed = await sealAttachment({ dir, logId: 'inc-a', key, keyVersion: 1, source: once(data) });
      expect(sealed.sha256).toBe(createHash('sha256').update(data).digest('hex'));
      expect(path.basename(sealed.file)).toBe(`${sealed.sha256}.att`);
      expect((await readAll(sealed.file, sealed.sha256)).equals(data)).toBe(true);
      expect(await attachmentPlainSize(sealed.file)).toBe(size);
      if (size > 64) expect((await readFile(sealed.file)).includes(data.subarray(0, 64))).toBe(false);
    });
  }

  it('detects truncation, reordering, a flipped byte, a wrong key and a wrong log', async () => {
    const data = randomBytes(ATTACHMENT_CHUNK * 3 + 100);
    const { file, sha256 } = await sealAttachment({ dir, logId: 'inc-a', key, keyVersion: 1, source: once(data) });
    const original = await readFile(file);
    const variant = async (bytes: Buffer): Promise<void> => {
      const f = path.join(dir, 'variant.att');
      await writeFile(f, bytes);
      await expect(readAll(f, sha256)).rejects.toMatchObject({ code: 'Corrupt' });
    };
    await variant(original.subarray(0, HEADER + 2 * CHUNK_RECORD));
    await variant(original.subarray(0, original.length - 5));
    const chunk = (i: number): Buffer => original.subarray(HEADER + i * CHUNK_RECORD, HEADER + (i + 1) * CHUNK_RECORD);
    await variant(Buffer.concat([original.subarray(0, HEADER), chunk(1), chunk(0), original.subarray(HEADER + 2 * CHUNK_RECORD)]));
    const flipped = Buffer.from(original);
    flipped[HEADER + CHUNK_RECORD + 500] ^= 1;
    await variant(flipped);
    await variant(Buffer.concat([original, Buffer.from('trailing')]));
    await expect(readAll(file, sha256, 'inc-a', randomBytes(32))).rejects.toMatchObject({ code: 'Corrupt' });
    await expect(readAll(file, sha256, 'inc-b')).rejects.toMatchObject({ code: 'Corrupt' });
  });

  it('writes ICEVATT2 files with 1 MiB chunks', async () => {
    const data = randomBytes(ATTACHMENT_CHUNK + 5);
    const { file } = await sealAttachment({ dir, logId: 'inc-a', key, keyVersion: 1, source: once(data) });
    const bytes = await readFile(file);
    expect(bytes.toString('latin1', 0, 8)).toBe('ICEVATT2');
    expect(ATTACHMENT_CHUNK).toBe(1024 * 1024);
    expect(bytes.readUInt32BE(HEADER)).toBe(ATTACHMENT_CHUNK);
    expect(bytes.readUInt32BE(HEADER + CHUNK_RECORD)).toBe(5);
    expect(bytes.length).toBe(HEADER + CHUNK_RECORD + 4 + 1 + 12 + 5 + 16);
  });

  it('still opens ICEVATT1 files (64 KiB chunks) and refuses a longer chunk in one', async () => {
    const data = randomBytes(64 * 1024 * 2 + 9);
    const sha = createHash('sha256').update(data).digest('hex');
    const file = path.join(dir, `${sha}.att`);
    await writeFile(file, sealVersion1(data, 64 * 1024));
    expect((await readAll(file, sha)).equals(data)).toBe(true);
    expect(await attachmentPlainSize(file)).toBe(data.length);
    const oversized = path.join(dir, 'oversized.att');
    await writeFile(oversized, sealVersion1(data, 64 * 1024 + 1));
    await expect(readAll(oversized, sha)).rejects.toMatchObject({ code: 'Corrupt', message: expect.stringContaining('impossible length') });
  });

  it('stores identical content once', async () => {
    const data = randomBytes(1000);
    const a = await sealAttachment({ dir, logId: 'inc-a', key, keyVersion: 1, source: once(data) });
    const b = await sealAttachment({ dir, logId: 'inc-a', key, keyVersion: 1, source: once(data) });
    expect(a.file).toBe(b.file);
    expect(await readdir(dir)).toEqual([`${a.sha256}.att`]);
  });
});
