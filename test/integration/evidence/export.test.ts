import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkExportBundle } from '../../../src/main/evidence/export-bundle';
import { makeStore, type StoreFixture } from './store-fixture';

const LOG = 'inc-export';
let fx: StoreFixture;
let identityFile: string;
let identity: string;
let recipient: string;

beforeEach(async () => {
  fx = await makeStore();
  identityFile = path.join(fx.root, 'colleague-key.txt');
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' });
  identity = (await readFile(identityFile, 'utf8')).split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
  recipient = execFileSync('age-keygen', ['-y', identityFile]).toString().trim();
});
afterEach(async () => {
  await fx.dispose();
});

function ageDecryptToDir(file: string, dir: string): void {
  const plain = execFileSync('age', ['-d', '-i', identityFile, file], { maxBuffer: 512 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: plain, maxBuffer: 512 * 1024 * 1024 });
}

async function seed(): Promise<void> {
  await fx.store.append(LOG, { type: 'incident.declared', body: { title: 'Checkout latency', severity: 'SEV2' }, context: { context: 'codesign-production', namespace: 'codesign' } });
  await fx.service.addText(LOG, { title: 'api log excerpt', text: 'GET /orders 200 812ms\nGET /orders 504 30001ms\n' });
  await fx.service.addFile(LOG, { stream: (async function* () { yield Buffer.from('pod/api-1 OOMKilled\n'.repeat(5000)); })(), name: 'events.txt' });
  await fx.store.append(LOG, { type: 'incident.severity-changed', body: { from: 'SEV2', to: 'SEV1' } });
}

describe('evidence export', () => {
  it('round-trips through the real age binary with records, attachments, checkpoint, key and report', async () => {
    await seed();
    const out = path.join(fx.root, 'export.age');
    const result = await fx.service.export(LOG, { recipient }, out);
    expect(result.records).toBe(4);
    const unpacked = path.join(fx.root, 'unpacked');
    await mkdir(unpacked);
    ageDecryptToDir(out, unpacked);
    const base = path.join(unpacked, `evidence-${LOG}`);
    expect((await readdir(base)).sort()).toEqual(
      ['attachments', 'checkpoint.json', 'installation-public-key.pem', 'manifest.json', 'manifest.sig', 'records.jsonl', 'records.log', 'report.md'].sort(),
    );
    const lines = (await readFile(path.join(base, 'records.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const stored = (await fx.store.read(LOG)).slice(0, 4);
    expect(lines.map(({ prev: _p, hash: _h, salt: _s, ...r }) => r)).toEqual(stored);
    expect(lines.every((l) => typeof l.salt === 'string')).toBe(true);
    expect(lines.at(-1)!.hash).toBe(result.headHash);
    const [sha] = stored[2]!.attachments!;
    const attachment = await readFile(path.join(base, 'attachments', sha!));
    expect(createHash('sha256').update(attachment).digest('hex')).toBe(sha);
    const checkpoint = JSON.parse(await readFile(path.join(base, 'checkpoint.json'), 'utf8')) as { count: number; headHash: string; reason: string };
    expect(checkpoint).toMatchObject({ count: 4, headHash: result.headHash, reason: 'export' });
    const installation = JSON.parse(await readFile(path.join(fx.root, 'installation.json'), 'utf8')) as { publicKey: string };
    expect(await readFile(path.join(base, 'installation-public-key.pem'), 'utf8')).toBe(installation.publicKey);
    const report = await readFile(path.join(base, 'report.md'), 'utf8');
    expect(report).toContain('| 4 |');
    expect(report).toContain('| SEV2 → SEV1 |');
    expect(report).toMatch(/^# Incident report: Checkout latency$/m);

    const check = await checkExportBundle(out, { identity });
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);

    const custody = (await fx.store.read(LOG)).at(-1)!;
    expect(custody.type).toBe('evidence.exported');
    expect(custody.body).toMatchObject({
      file: out,
      sha256: createHash('sha256').update(await readFile(out)).digest('hex'),
      encryption: 'age-x25519',
      records: 4,
      headHash: result.headHash,
    });
    expect(custody.seq).toBe(result.custodySeq);
  });

  it('fails verification when the export file is modified anywhere', async () => {
    await seed();
    const out = path.join(fx.root, 'export.age');
    await fx.service.export(LOG, { recipient }, out);
    const original = await readFile(out);
    for (const position of [original.length - 40, Math.floor(original.length / 2), 300]) {
      const damaged = Buffer.from(original);
      damaged[position] ^= 0x01;
      await writeFile(out, damaged);
      const outcome = await checkExportBundle(out, { identity }).catch((err: Error & { code?: string }) => err);
      if (outcome instanceof Error) expect(outcome).toMatchObject({ code: 'WrongPassphrase' });
      else expect(outcome.ok, `byte ${position}`).toBe(false);
      expect(spawnSync('age', ['-d', '-i', identityFile, out]).status).not.toBe(0);
    }
  });

  it('fails verification when content is changed and re-encrypted to the same recipient', async () => {
    await seed();
    const out = path.join(fx.root, 'export.age');
    await fx.service.export(LOG, { recipient }, out);
    const unpacked = path.join(fx.root, 'unpacked');
    await mkdir(unpacked);
    ageDecryptToDir(out, unpacked);
    const records = path.join(unpacked, `evidence-${LOG}`, 'records.jsonl');
    await writeFile(records, (await readFile(records, 'utf8')).replace('SEV1', 'SEV3'));
    const tarred = execFileSync('tar', ['-c', '-C', unpacked, `evidence-${LOG}`]);
    execFileSync('age', ['-r', recipient, '-o', out], { input: tarred });
    const check = await checkExportBundle(out, { identity });
    expect(check.ok).toBe(false);
    expect(check.problems.join('\n')).toContain('records.jsonl does not match its manifest hash');
  });

  it('exports with a passphrase and pins the signer when asked', async () => {
    await seed();
    const out = path.join(fx.root, 'export-pass.age');
    const result = await fx.service.export(LOG, { passphrase: 'colleague passphrase', scryptWorkFactor: 12 }, out);
    const good = await checkExportBundle(out, { passphrase: 'colleague passphrase' }, result.checkpoint.keyFingerprint);
    expect(good.problems).toEqual([]);
    const pinnedElsewhere = await checkExportBundle(out, { passphrase: 'colleague passphrase' }, 'ab'.repeat(32));
    expect(pinnedElsewhere.ok).toBe(false);
    expect(pinnedElsewhere.problems.join()).toContain('not the trusted key');
    await expect(checkExportBundle(out, { passphrase: 'wrong' })).rejects.toMatchObject({ code: 'WrongPassphrase' });
  });

  it('streams a 96 MB capture in and out without holding it in memory', async () => {
    const SIZE = 96 * 1024 * 1024;
    const keystream = createCipheriv('aes-128-ctr', randomBytes(16), randomBytes(16));
    const expected = createHash('sha256');
    const zero = Buffer.alloc(256 * 1024);
    async function* capture(): AsyncGenerator<Buffer> {
      for (let sent = 0; sent < SIZE; sent += zero.length) {
        const chunk = keystream.update(zero);
        expected.update(chunk);
        yield chunk;
      }
    }
    let peak = 0;
    const baseline = process.memoryUsage();
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(peak, now.heapUsed + now.arrayBuffers - baseline.heapUsed - baseline.arrayBuffers);
    }, 5);
    try {
      const added = await fx.service.addFile(LOG, { stream: capture(), name: 'capture.pcap' });
      expect(added.body).toMatchObject({ size: SIZE, redacted: false, mediaType: 'application/octet-stream' });
      expect(added.body.sha256).toBe(expected.digest('hex'));
      const out = path.join(fx.root, 'big.age');
      await fx.service.export(LOG, { recipient }, out);
      const check = await checkExportBundle(out, { identity });
      expect(check.problems).toEqual([]);
      expect(check.attachments).toEqual([{ sha256: added.body.sha256, size: SIZE }]);
    } finally {
      clearInterval(sampler);
    }
    // Whole in memory would be ≥ 96 MB; chunks, write batches and not-yet-collected garbage stay well under.
    expect(peak).toBeLessThan((SIZE * 2) / 3);
    console.info(`96 MB capture: peak heap+arrayBuffers growth ${(peak / 1024 / 1024).toFixed(1)} MB`);
  });
});
