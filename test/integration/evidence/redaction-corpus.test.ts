import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { secretCorpus, type CorpusEntry } from '../../../src/main/evidence/secret-corpus.fixture';
import { makeStore, type StoreFixture } from './store-fixture';

const LOG = 'inc-corpus';
let fx: StoreFixture;
let corpus: CorpusEntry[];
let exportDir: string;

async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(root, { recursive: true })) {
    const full = path.join(root, name);
    if ((await stat(full)).isFile()) out.push(full);
  }
  return out;
}

beforeAll(async () => {
  fx = await makeStore();
  corpus = secretCorpus();
  for (const entry of corpus) {
    await fx.service.addText(LOG, { title: `pasted: ${entry.name}`, text: entry.text, context: { context: 'codesign-production', namespace: 'codesign' } });
    await fx.store.append(LOG, { type: 'procedure.output', body: { step: entry.name, output: { stdout: entry.text, lines: entry.text.split('\n') } } });
  }
  const bigText = corpus.map((e) => `${'2026-11-28T00:00:00Z noise line\n'.repeat(3000)}${e.text}`).join('\n');
  await fx.service.addText(LOG, { title: 'large paste', text: bigText });
  const capture = path.join(fx.root, 'capture.log');
  await writeFile(capture, `captured by kubectl logs\n${bigText}`);
  await fx.service.addFile(LOG, { path: capture });
  const keyFile = path.join(fx.root, 'k.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', keyFile]).toString().trim();
  const out = path.join(fx.root, 'corpus.age');
  await fx.service.export(LOG, { recipient }, out);
  exportDir = path.join(fx.root, 'export-unpacked');
  await mkdir(exportDir);
  execFileSync('tar', ['-x', '-C', exportDir], { input: execFileSync('age', ['-d', '-i', keyFile, out], { maxBuffer: 64 * 1024 * 1024 }) });
}, 120_000);

afterAll(async () => {
  await fx.dispose();
});

describe('redaction corpus', () => {
  it('leaves zero plaintext secrets in the decrypted store: records and attachments', async () => {
    const { records } = await fx.store.readChained(LOG);
    const texts = [JSON.stringify(records)];
    for (const sha of new Set(records.flatMap((r) => r.attachments ?? []))) {
      const parts: Buffer[] = [];
      for await (const part of fx.store.readAttachment(LOG, sha)) parts.push(part);
      texts.push(Buffer.concat(parts).toString('utf8'));
    }
    expect(texts.length).toBeGreaterThanOrEqual(3);
    for (const entry of corpus) {
      for (const secret of entry.secrets) for (const text of texts) expect(text, entry.name).not.toContain(secret);
    }
    expect(texts.join('\n')).toContain('[REDACTED:k8s-service-account-token]');
  });

  it('leaves zero plaintext secrets in the raw store files', async () => {
    const files = await filesUnder(path.join(fx.root, 'logs'));
    for (const file of files) {
      const bytes = await readFile(file);
      for (const entry of corpus) for (const secret of entry.secrets) expect(bytes.includes(secret), `${file}: ${entry.name}`).toBe(false);
    }
  });

  it('leaves zero plaintext secrets in the export, decrypted by age', async () => {
    const files = await filesUnder(exportDir);
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const entry of corpus) for (const secret of entry.secrets) expect(text, `${path.basename(file)}: ${entry.name}`).not.toContain(secret);
    }
  });

  it('carries the custody fields on every record', async () => {
    const { records } = await fx.store.readChained(LOG);
    expect(records.length).toBe(corpus.length * 2 + 3);
    let prev: string | undefined;
    records.forEach((r, i) => {
      expect(r.seq).toBe(i + 1);
      expect(r.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(r.actor).toBe(userInfo().username);
      expect(r.type).toMatch(/^[a-z]+\.[a-z-]+$/);
      expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
      if (prev !== undefined) expect(r.prev).toBe(prev);
      prev = r.hash;
      for (const sha of r.attachments ?? []) expect(sha).toMatch(/^[0-9a-f]{64}$/);
    });
    expect(records[0]!.context).toEqual({ context: 'codesign-production', namespace: 'codesign' });
    expect(records.filter((r) => (r.attachments ?? []).length > 0)).toHaveLength(2);
  });
});
