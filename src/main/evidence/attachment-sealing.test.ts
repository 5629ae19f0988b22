import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
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

  it('stores identical content once', async () => {
    const data = randomBytes(1000);
    const a = await sealAttachment({ dir, logId: 'inc-a', key, keyVersion: 1, source: once(data) });
    const b = await sealAttachment({ dir, logId: 'inc-a', key, keyVersion: 1, source: once(data) });
    expect(a.file).toBe(b.file);
    expect(await readdir(dir)).toEqual([`${a.sha256}.att`]);
  });
});
