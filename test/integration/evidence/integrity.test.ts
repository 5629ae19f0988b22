/**
 * Issue 17: the holes an adversarial crash-and-tamper run found, each with the test that failed
 * before it was closed.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tar from 'tar-stream';
import { Decrypter, Encrypter } from 'age-encryption';
import { main, type CliIo } from '../../../src/main/evidence/cli';
import { EvidenceStore } from '../../../src/main/evidence/evidence-store';
import { EvidenceVault } from '../../../src/main/evidence/evidence-vault';
import { encodeFrameHeader, genesisHash, LOG_MAGIC, MAX_PAYLOAD, sha256 } from '../../../src/main/evidence/log-frames';
import { inspectLogDir } from '../../../src/main/evidence/log-inspection';
import { publicKeyFingerprint } from '../../../src/main/evidence/checkpoints';
import { buildAppendChild } from './child-bundle';
import { editFile, FAST_SCRYPT, makeStore, PASSPHRASE, type StoreFixture } from './store-fixture';

const LOG = 'inc-integrity';
let fx: StoreFixture;
let work: string;
let childScript: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'evidence-integrity-'));
  childScript = await buildAppendChild(work);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});
beforeEach(async () => {
  fx = await makeStore();
  for (let i = 1; i <= 5; i++) await fx.store.append(LOG, { type: 'crash.tick', body: { i } });
  await fx.store.closeAll();
});
afterEach(async () => {
  await fx.dispose();
});

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Every file under `root` with its bytes, for byte-for-byte comparisons. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of await readdir(root, { recursive: true })) {
    const full = path.join(root, name);
    const info = await stat(full);
    if (info.isFile()) files.set(name, createHash('sha256').update(await readFile(full)).digest('hex'));
    else files.set(`${name}/`, 'dir');
  }
  return files;
}

/** A child appending in a loop (pieces of 48 bytes, so the file often ends mid-record). */
function startWriter(): { child: ChildProcess; acks: () => number; ready: Promise<void>; errors: string[]; stop: () => Promise<void> } {
  const child = spawn(process.execPath, [childScript, fx.root, LOG], {
    env: { ...process.env, COCKPIT_EVIDENCE_PASSPHRASE: PASSPHRASE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let last = 0;
  const errors: string[] = [];
  let buffered = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout!.setEncoding('utf8').on('data', (data: string) => {
    buffered += data;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const [kind, value] = line.split(' ');
      if (kind === 'ready') onReady();
      else if (kind === 'ack') last = Number(value);
      else errors.push(line);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => errors.push(d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    child,
    acks: () => last,
    ready,
    errors,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('1-3: one writer; readers and verifiers never cut, take or delete', () => {
  it('refuses a second writer (another process, and a second store in this one) naming the holder', async () => {
    const writer = startWriter();
    try {
      await writer.ready;
      const { store } = await fx.reopen();
      await expect(store.append(LOG, { type: 'crash.tick', body: { i: -1 } })).rejects.toMatchObject({
        code: 'Locked',
        message: expect.stringContaining(`process ${writer.child.pid}`),
      });
      const lock = JSON.parse(await readFile(path.join(fx.logDir(LOG), 'writer.lock'), 'utf8')) as { pid: number; startTime?: string };
      expect(lock.pid).toBe(writer.child.pid);
      if (process.platform === 'linux') expect(lock.startTime).toMatch(/^\d+$/);
    } finally {
      await writer.stop();
    }
    // The dead writer's lock is stale: the next writer takes it over (and cuts its torn tail).
    const { store } = await fx.reopen();
    await store.append(LOG, { type: 'crash.tick', body: { i: 0 } });
    const other = new EvidenceStore({ vault: store.vault });
    await expect(other.append(LOG, { type: 'crash.tick', body: { i: -2 } })).rejects.toMatchObject({ code: 'Locked' });
    await other.dispose();
  });

  it('takes over a lock whose PID was reused by another process (start time differs)', async () => {
    const lockFile = path.join(fx.logDir(LOG), 'writer.lock');
    // A lock naming a live PID (ours) with a start time that is not ours: the owner is gone.
    await writeFile(lockFile, JSON.stringify({ pid: process.pid, startTime: '1', host: (await import('node:os')).hostname(), token: 'old', purpose: 'x', at: 'then' }));
    const { store } = await fx.reopen();
    if (process.platform === 'linux') {
      await store.append(LOG, { type: 'crash.tick', body: { i: 6 } });
      expect((await store.read(LOG)).length).toBe(6);
    }
    await store.closeAll();
  });

  it('a reader and a verifier during live appends cut nothing and the writer never fails', async () => {
    const writer = startWriter();
    const sizes: number[] = [];
    try {
      await writer.ready;
      for (let round = 0; round < 25; round++) {
        const verified = await cli(['verify', fx.logDir(LOG)], { COCKPIT_EVIDENCE_PASSPHRASE: PASSPHRASE });
        expect([0, 3], verified.out + verified.err).toContain(verified.code);
        const repair = await cli(['verify', fx.logDir(LOG), '--repair']);
        expect(repair.out + repair.err).not.toContain('torn tail repaired');
        const opened = await cli(['open', fx.logDir(LOG), '--json'], { COCKPIT_EVIDENCE_PASSPHRASE: PASSPHRASE });
        expect(opened.code, opened.err).toBe(0);
        sizes.push((await stat(fx.recordsPath(LOG))).size);
      }
      expect(writer.acks()).toBeGreaterThan(5);
    } finally {
      await writer.stop();
    }
    expect(writer.errors).toEqual([]);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]!).toBeGreaterThanOrEqual(sizes[i - 1]!);
    expect(await readdir(path.join(fx.logDir(LOG), 'quarantine')).catch(() => [])).toEqual([]);
    expect(await stat(path.join(fx.logDir(LOG), 'writer.lock')).catch(() => undefined)).toBeDefined();
  });

  it('an attachment upload completes while verify runs (in the app and from the CLI)', async () => {
    const { store } = await fx.reopen();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const upload = store.putAttachment(
      LOG,
      (async function* () {
        yield Buffer.alloc(2 * 1024 * 1024, 'first half ');
        await gate;
        yield Buffer.alloc(2 * 1024 * 1024, 'second half ');
      })(),
      { text: false },
    );
    // Wait until the upload's temp file exists, then verify twice over.
    const attachments = path.join(fx.logDir(LOG), 'attachments');
    for (let i = 0; i < 200 && !(await readdir(attachments)).some((n) => n.startsWith('.incoming-')); i++) await new Promise((r) => setTimeout(r, 10));
    expect((await readdir(attachments)).some((n) => n.startsWith('.incoming-'))).toBe(true);
    expect((await store.verify(LOG)).status).toBe('ok');
    expect((await cli(['verify', fx.logDir(LOG), '--repair'], { COCKPIT_EVIDENCE_PASSPHRASE: PASSPHRASE })).code).toBe(0);
    release();
    const sealed = await upload;
    await store.append(LOG, { type: 'evidence.added', body: { kind: 'file' }, attachments: [sealed.sha256] });
    expect(await store.verify(LOG)).toMatchObject({ status: 'ok', attachments: 1 });
  });
});

describe('4: checkpoints never silently disappear', () => {
  const cpFile = (): string => path.join(fx.logDir(LOG), 'checkpoints.jsonl');

  it('a damaged newline-terminated last checkpoint is corruption, not a torn write', async () => {
    const text = await readFile(cpFile(), 'utf8');
    const damaged = text.slice(0, 20) + (text[20] === 'x' ? 'y' : 'x') + text.slice(21);
    await writeFile(cpFile(), damaged.replace(/"count":5/, '"count":5,,'));
    const b = await fx.boundaries(LOG);
    // …with a cut to an earlier record, which the lost checkpoint would have caught.
    await editFile(fx.recordsPath(LOG), (bytes) => bytes.subarray(0, b[3]!));
    await fx.vault.forgetHead(LOG);
    const result = await cli(['verify', fx.logDir(LOG)]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/checkpoints\.jsonl line 1 is damaged/);
  });

  it('keeps a complete checkpoint whose final newline is missing (a cut below it is still caught)', async () => {
    const text = await readFile(cpFile(), 'utf8');
    await writeFile(cpFile(), text.replace(/\n$/, ''));
    expect((await cli(['verify', fx.logDir(LOG)])).code).toBe(0);
    const b = await fx.boundaries(LOG);
    await editFile(fx.recordsPath(LOG), (bytes) => bytes.subarray(0, b[4]!));
    await fx.vault.forgetHead(LOG);
    const result = await cli(['verify', fx.logDir(LOG)]);
    expect(result.code).toBe(1);
    expect(result.out).toContain('tail cut below a checkpoint');
  });

  it('a checkpoint signed after a torn fragment is kept, not glued onto it', async () => {
    await appendFile(cpFile(), '{"logId":"inc-integrity","cou');
    const { store } = await fx.reopen();
    await store.append(LOG, { type: 'crash.tick', body: { i: 6 } });
    const signed = await store.checkpoint(LOG, 'status: mitigated');
    await store.closeAll();
    const lines = (await readFile(cpFile(), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { signature: string });
    expect(lines.map((l) => l.signature)).toContain(signed.signature);
    expect((await cli(['verify', fx.logDir(LOG)])).code).toBe(0);
  });
});

describe('5: a wrong passphrase changes nothing', () => {
  it('leaves a torn store byte for byte as it was (with and without --repair)', async () => {
    await appendFile(fx.recordsPath(LOG), Buffer.from([0, 0, 1, 0, 9, 9, 9, 9, 9]));
    await appendFile(path.join(fx.logDir(LOG), 'checkpoints.jsonl'), '{"torn');
    const before = await snapshot(fx.root);
    for (const extra of [[], ['--repair']]) {
      const result = await cli(['verify', fx.logDir(LOG), ...extra], { COCKPIT_EVIDENCE_PASSPHRASE: 'not the passphrase' });
      expect(result.code).toBe(1);
      expect(result.err).toContain('WrongPassphrase');
      expect(await snapshot(fx.root)).toEqual(before);
    }
    // Read-only by default, even with the right passphrase.
    expect((await cli(['verify', fx.logDir(LOG)], { COCKPIT_EVIDENCE_PASSPHRASE: PASSPHRASE })).code).toBe(3);
    expect(await snapshot(fx.root)).toEqual(before);
  });
});

/** Unpacks an export (passphrase) into { name: bytes }. */
async function unpack(file: string, passphrase: string): Promise<Map<string, Buffer>> {
  const d = new Decrypter();
  d.addPassphrase(passphrase);
  const plain = await d.decrypt(new Uint8Array(await readFile(file)), 'uint8array');
  const extract = tar.extract();
  const files = new Map<string, Buffer>();
  const done = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) parts.push(chunk);
      files.set(entry.header.name, Buffer.concat(parts));
    }
  })();
  extract.end(Buffer.from(plain));
  await done;
  return files;
}

/** Re-packs files into an age export, re-signing manifest.json with `signer`. */
async function repack(files: Map<string, Buffer>, out: string, passphrase: string, signer: ReturnType<typeof generateKeyPairSync>): Promise<void> {
  const dir = [...files.keys()][0]!.split('/')[0]!;
  const manifest = JSON.parse(files.get(`${dir}/manifest.json`)!.toString()) as { publicKeyFingerprint: string; files: Array<{ path: string; sha256: string; size: number }> };
  const pem = signer.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  files.set(`${dir}/installation-public-key.pem`, Buffer.from(pem));
  manifest.publicKeyFingerprint = publicKeyFingerprint(signer.publicKey);
  const checkpoint = JSON.parse(files.get(`${dir}/checkpoint.json`)!.toString()) as Record<string, unknown>;
  const { checkpointMessage } = await import('../../../src/main/evidence/checkpoints');
  checkpoint.publicKey = pem;
  checkpoint.keyFingerprint = manifest.publicKeyFingerprint;
  checkpoint.signature = sign(null, checkpointMessage(checkpoint as never), signer.privateKey).toString('base64');
  files.set(`${dir}/checkpoint.json`, Buffer.from(JSON.stringify(checkpoint)));
  for (const f of manifest.files) {
    const bytes = files.get(`${dir}/${f.path}`)!;
    f.sha256 = createHash('sha256').update(bytes).digest('hex');
    f.size = bytes.length;
  }
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  files.set(`${dir}/manifest.json`, manifestBytes);
  files.set(`${dir}/manifest.sig`, Buffer.from(sign(null, manifestBytes, signer.privateKey).toString('base64')));
  const pack = tar.pack();
  for (const [name, bytes] of files) pack.entry({ name }, bytes);
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) parts.push(chunk);
  const e = new Encrypter();
  e.setPassphrase(passphrase);
  e.setScryptWorkFactor(10);
  await writeFile(out, await e.encrypt(new Uint8Array(Buffer.concat(parts))));
}

describe('6: a forged export', () => {
  it('re-signed with another key is flagged untrusted with its fingerprint; altered content fails', async () => {
    const { service } = await fx.reopen();
    const file = path.join(fx.root, 'real.age');
    await service.export(LOG, { passphrase: 'export passphrase', scryptWorkFactor: 10 }, file);
    const real = publicKeyFingerprint((await fx.reopen()).vault.signingKey().publicKey);
    const passFile = path.join(fx.root, 'export-pass.txt');
    await writeFile(passFile, 'export passphrase');
    const genuine = await cli(['verify', file, '--passphrase-file', passFile]);
    expect(genuine.code).toBe(4);
    expect(genuine.out.split('\n')[0]).toContain(`UNTRUSTED signer`);
    expect(genuine.out).toContain(real);
    expect((await cli(['verify', file, '--passphrase-file', passFile, '--trust', real])).code).toBe(0);

    const forger = generateKeyPairSync('ed25519');
    const files = await unpack(file, 'export passphrase');
    const resigned = path.join(fx.root, 'resigned.age');
    await repack(new Map(files), resigned, 'export passphrase', forger);
    const flagged = await cli(['verify', resigned, '--passphrase-file', passFile]);
    expect(flagged.code).toBe(4);
    expect(flagged.out).toContain(publicKeyFingerprint(forger.publicKey));
    expect((await cli(['verify', resigned, '--passphrase-file', passFile, '--trust', real])).code).toBe(1);

    // The forger also edits a record: the plaintext no longer matches the chain's digest.
    const altered = new Map(files);
    const recordsName = [...altered.keys()].find((n) => n.endsWith('/records.jsonl'))!;
    altered.set(recordsName, Buffer.from(altered.get(recordsName)!.toString().replace('"i":3', '"i":33')));
    const forged = path.join(fx.root, 'forged.age');
    await repack(altered, forged, 'export passphrase', forger);
    const refused = await cli(['verify', forged, '--passphrase-file', passFile]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('corrupt at seq 3: the record in records.jsonl is not the one sealed in the chain');
  });
});

describe('7: the installation key is pinned', () => {
  it('reports a swapped or missing installation.json as tampering, keyless and keyed', async () => {
    const installation = path.join(fx.root, 'installation.json');
    const original = await readFile(installation, 'utf8');
    const other = await makeStore('evidence-other-');
    try {
      await writeFile(installation, await readFile(path.join(other.root, 'installation.json')));
      const keyless = await cli(['verify', fx.logDir(LOG)]);
      expect(keyless.code).toBe(1);
      expect(keyless.out).toContain('the installation signing key changed');
      const keyed = await cli(['verify', fx.logDir(LOG)], { COCKPIT_EVIDENCE_PASSPHRASE: PASSPHRASE });
      expect(keyed.code).toBe(1);
      await expect(new EvidenceVault({ dir: fx.root, scrypt: FAST_SCRYPT }).unlock(PASSPHRASE)).rejects.toMatchObject({ code: 'Corrupt' });
      await rm(installation);
      const missing = await cli(['verify', fx.logDir(LOG)]);
      expect(missing.code).toBe(1);
      expect(missing.out).toContain('installation.json');
      expect(missing.err).not.toContain('checked against the keys they carry');
    } finally {
      await writeFile(installation, original);
      await other.dispose();
    }
    const status = await fx.vault.status();
    const verification = await (await fx.reopen()).store.verify(LOG);
    expect(verification.installationKey).toBe(status.installationKey);
  });
});

describe('8: verify reads attachments', () => {
  it('names a flipped and a deleted attachment', async () => {
    const { service, store } = await fx.reopen();
    const first = await service.addFile(LOG, { name: 'a.bin', stream: (async function* () { yield Buffer.alloc(300_000, 1); })() });
    const second = await service.addFile(LOG, { name: 'b.bin', stream: (async function* () { yield Buffer.alloc(300_000, 2); })() });
    expect(await store.verify(LOG)).toMatchObject({ status: 'ok', attachments: 2 });
    const shaA = (first.body as { sha256: string }).sha256;
    const shaB = (second.body as { sha256: string }).sha256;
    await editFile(path.join(fx.logDir(LOG), 'attachments', `${shaA}.att`), (b) => {
      const d = Buffer.from(b);
      d[d.length - 1000] ^= 1;
      return d;
    });
    await rm(path.join(fx.logDir(LOG), 'attachments', `${shaB}.att`));
    const result = await store.verify(LOG);
    expect(result).toMatchObject({ status: 'corrupt', corruptAtSeq: first.seq });
    expect(result.notice).toContain(`attachment ${shaA} (seq ${first.seq}) is damaged`);
    expect(result.notice).toContain(`attachment ${shaB} (seq ${second.seq}) is missing`);
    expect((await cli(['verify', fx.logDir(LOG)], { COCKPIT_EVIDENCE_PASSPHRASE: PASSPHRASE })).code).toBe(1);
  });
});

describe('10: cut tails and rollbacks above the last checkpoint', () => {
  it('signs a checkpoint every N records and on close', async () => {
    const { vault } = await fx.reopen();
    const store = new EvidenceStore({ vault, checkpointEvery: 4 });
    for (let i = 6; i <= 13; i++) await store.append(LOG, { type: 'crash.tick', body: { i } });
    await store.append(LOG, { type: 'crash.tick', body: { i: 14 } });
    await store.dispose();
    const reasons = (await readFile(path.join(fx.logDir(LOG), 'checkpoints.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { reason: string; count: number }));
    expect(reasons.map((r) => `${r.count}:${r.reason}`)).toEqual(['5:close', '9:every 4 records', '13:every 4 records', '14:close']);
  });

  it('reports a clean cut above the last checkpoint, and a rollback of the whole log folder', async () => {
    const { vault } = await fx.reopen();
    // Records 6-8 with no checkpoint over them yet; the folder is copied now (the "backup").
    const store = new EvidenceStore({ vault, checkpointEvery: Infinity });
    const backup = path.join(work, `backup-${Date.now()}`);
    await mkdir(backup);
    execFileSync('cp', ['-a', fx.logDir(LOG), backup]);
    for (let i = 6; i <= 8; i++) await store.append(LOG, { type: 'crash.tick', body: { i } });
    await store.dispose(); // closing checkpoint + head 8 in the vault
    // A clean cut at a record boundary, checkpoints trimmed to match: only the vault remembers.
    const b = await fx.boundaries(LOG);
    await editFile(fx.recordsPath(LOG), (bytes) => bytes.subarray(0, b[6]!));
    const cps = (await readFile(path.join(fx.logDir(LOG), 'checkpoints.jsonl'), 'utf8')).trim().split('\n');
    await writeFile(path.join(fx.logDir(LOG), 'checkpoints.jsonl'), `${cps[0]}\n`);
    const cut = await new EvidenceStore({ vault }).verify(LOG);
    expect(cut).toMatchObject({ status: 'corrupt', corruptAtSeq: 7 });
    expect(cut.notice).toMatch(/rolled back or cut: the vault last saw 8 records/);
    // The whole folder rolled back to the backup (5 records, its own valid checkpoint).
    await rm(fx.logDir(LOG), { recursive: true });
    execFileSync('cp', ['-a', path.join(backup, LOG), path.dirname(fx.logDir(LOG))]);
    const rolled = new EvidenceStore({ vault });
    expect(await rolled.verify(LOG)).toMatchObject({ status: 'corrupt', corruptAtSeq: 6 });
    await expect(rolled.append(LOG, { type: 'crash.tick', body: { i: 9 } })).rejects.toMatchObject({ code: 'Corrupt' });
    await rolled.dispose();
  });
});

describe('11: logs over 2 GiB', () => {
  it('inspects a sparse 2.1 GiB log by streaming, with memory bounded', async () => {
    const dir = path.join(work, 'big', 'logs', 'inc-big');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'records.log');
    const handle = await open(file, 'w');
    // Frames of ~32 MiB whose sealed bodies are zeros, left as holes in a sparse file: only the
    // headers are written, the CRC and hashes are computed over the zeros.
    const PAYLOAD = 32 * 1024 * 1024;
    const FRAMES = 68; // 68 × 32 MiB > 2 GiB
    expect(PAYLOAD).toBeLessThanOrEqual(MAX_PAYLOAD);
    const { crc32 } = await import('node:zlib');
    const frame = Buffer.alloc(8 + PAYLOAD);
    await handle.write(LOG_MAGIC, 0, LOG_MAGIC.length, 0);
    let offset = LOG_MAGIC.length;
    let prev = genesisHash('inc-big');
    for (let seq = 1; seq <= FRAMES; seq++) {
      const header = encodeFrameHeader({ keyVersion: 1, seq, prevHash: prev });
      frame.writeUInt32BE(PAYLOAD, 0);
      header.copy(frame, 8);
      frame.writeUInt32BE(crc32(frame.subarray(8), crc32(frame.subarray(0, 4))), 4);
      prev = sha256(frame);
      await handle.write(frame, 0, 8 + header.length, offset);
      offset += frame.length;
    }
    await handle.truncate(offset);
    await handle.close();
    expect((await stat(file)).size).toBeGreaterThan(2 ** 31);
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const inspection = await inspectLogDir(dir);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(inspection).toMatchObject({ status: 'ok', records: FRAMES, headHash: prev.toString('hex') });
    // The file is 2.1 GiB; the scan holds one frame (32 MiB) and a window.
    expect(peak - baseline).toBeLessThan(160 * 1024 * 1024);
    await rm(path.join(work, 'big'), { recursive: true, force: true });
  });
});
