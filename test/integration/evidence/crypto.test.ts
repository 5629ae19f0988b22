import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cp, readdir, readFile, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { scanLog } from '../../../src/main/evidence/log-frames';
import { EvidenceVault } from '../../../src/main/evidence/evidence-vault';
import { EvidenceStore } from '../../../src/main/evidence/evidence-store';
import { ATTACHMENT_CHUNK } from '../../../src/main/evidence/attachment-sealing';
import { FAST_SCRYPT, makeStore, PASSPHRASE, type StoreFixture } from './store-fixture';

let fx: StoreFixture;
beforeEach(async () => {
  fx = await makeStore();
});
afterEach(async () => {
  await fx.dispose();
});

async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await readdir(root, { recursive: true })) {
    const full = path.join(root, name);
    if ((await stat(full)).isFile()) out[name] = (await readFile(full)).toString('base64');
  }
  return out;
}

async function attachmentNonces(dir: string): Promise<string[]> {
  const nonces: string[] = [];
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.att'))) {
    const bytes = await readFile(path.join(dir, name));
    let position = 8 + 4 + 16;
    while (position < bytes.length) {
      const length = bytes.readUInt32BE(position);
      nonces.push(bytes.subarray(position + 5, position + 17).toString('hex'));
      position += 4 + 1 + 12 + length + 16;
    }
  }
  return nonces;
}

async function* chunks(total: number): AsyncGenerator<Buffer> {
  for (let sent = 0; sent < total; sent += ATTACHMENT_CHUNK) yield randomBytes(Math.min(ATTACHMENT_CHUNK, total - sent));
}

describe('evidence crypto', () => {
  it('never repeats a nonce across 20,000 records and five restarts', async () => {
    const LOG = 'inc-nonces';
    const ROUNDS = 5;
    const PER_ROUND = 4000;
    for (let round = 0; round < ROUNDS; round++) {
      const { store } = await fx.reopen();
      for (let batch = 0; batch < PER_ROUND; batch += 200) {
        await Promise.all(
          Array.from({ length: 200 }, (_, i) => store.append(LOG, { type: 'tick', body: { round, n: batch + i } })),
        );
      }
      for (let a = 0; a < 3; a++) await store.putAttachment(LOG, chunks(ATTACHMENT_CHUNK * 8 + a), { text: false });
      await store.closeAll();
    }
    const scan = scanLog(await readFile(fx.recordsPath(LOG)), LOG);
    expect(scan.problem).toBeUndefined();
    expect(scan.frames).toHaveLength(ROUNDS * PER_ROUND);
    const recordNonces = scan.frames.map((f) => f.nonce.toString('hex'));
    const chunkNonces = await attachmentNonces(path.join(fx.logDir(LOG), 'attachments'));
    // 8 full chunks, then 8 full + a final of 1 byte, then 8 full + a final of 2 bytes.
    expect(chunkNonces.length).toBe(ROUNDS * (8 + 9 + 9));
    const all = [...recordNonces, ...chunkNonces];
    expect(new Set(all).size).toBe(all.length);
    const { store } = await fx.reopen();
    expect(await store.verify(LOG)).toMatchObject({ status: 'ok', records: ROUNDS * PER_ROUND });
  });

  it('fails cleanly with the wrong master key and writes nothing', async () => {
    await fx.store.append('inc-keys', { type: 'note.revised', body: 'sealed under vault A' });
    await fx.store.closeAll();
    const other = await makeStore('evidence-other-');
    try {
      await cp(fx.logDir('inc-keys'), other.logDir('inc-keys'), { recursive: true });
      await other.store.closeAll();
      const before = await snapshot(other.root);
      const { store } = await other.reopen();
      await expect(store.read('inc-keys')).rejects.toMatchObject({ code: 'Corrupt', message: expect.stringContaining('does not open with this vault') });
      await expect(store.append('inc-keys', { type: 'x', body: 'y' })).rejects.toMatchObject({ code: 'Corrupt' });
      await expect(store.verify('inc-keys')).rejects.toMatchObject({ code: 'Corrupt' });
      expect(await snapshot(other.root)).toEqual(before);
    } finally {
      await other.dispose();
    }
  });

  it('fails cleanly with the wrong passphrase, writes nothing, and stays locked', async () => {
    await fx.store.append('inc-keys', { type: 'note.revised', body: 'secret-free note' });
    await fx.store.closeAll();
    await fx.vault.lock();
    const before = await snapshot(fx.root);
    const vault = new EvidenceVault({ dir: fx.root, scrypt: FAST_SCRYPT });
    await expect(vault.unlock(`${PASSPHRASE}!`)).rejects.toMatchObject({ code: 'WrongPassphrase' });
    const store = new EvidenceStore({ vault });
    await expect(store.append('inc-keys', { type: 'x', body: 'y' })).rejects.toMatchObject({ code: 'Locked' });
    await expect(store.read('inc-keys')).rejects.toMatchObject({ code: 'Locked' });
    expect(await snapshot(fx.root)).toEqual(before);
    expect((await vault.status()).state).toBe('locked');
  });

  it('keeps plaintext out of the files on disk', async () => {
    const marker = `plaintext-canary-${randomBytes(8).toString('hex')}`;
    await fx.store.append('inc-plain', { type: 'note.revised', body: { text: marker } });
    const { sha256 } = await fx.store.putAttachment('inc-plain', (async function* () {
      yield Buffer.from(`${marker}\n`.repeat(1000));
    })(), { text: true });
    for (const [name, content] of Object.entries(await snapshot(fx.root))) {
      expect(Buffer.from(content, 'base64').includes(marker), name).toBe(false);
    }
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
