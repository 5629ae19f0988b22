/**
 * Evidence store figures: append latency with fsync, attachment sealing throughput next to raw
 * AES-256-GCM on the same bytes, and open + verify of a 100,000-record incident.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Report } from './report';
import { percentile } from './stats';
import { EvidenceVault } from '../src/main/evidence/evidence-vault';
import { EvidenceStore } from '../src/main/evidence/evidence-store';
import { dataKeyLabel, sealRecordFrame } from '../src/main/evidence/record-sealing';
import { unwrapSecret } from '../src/main/evidence/sealing';
import { scanLog, sha256 } from '../src/main/evidence/log-frames';
import { ATTACHMENT_CHUNK, inlineSha256, sealAttachment } from '../src/main/evidence/attachment-sealing';
import { offThreadSha256 } from '../src/main/evidence/off-thread-hashing';
import { inspectLogDir } from '../src/main/evidence/log-inspection';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printReport } from './report';

/** Runs `task` and answers its time and the peak RSS growth seen while it ran (sampled every 5 ms). */
async function measured(task: () => Promise<unknown>): Promise<{ ms: number; peakGrowth: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const start = performance.now();
  await task();
  const ms = performance.now() - start;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms, peakGrowth: peak - baseline };
}


async function appendLatency(store: EvidenceStore, root: string, report: Report): Promise<void> {
  const note = 'Checked pod restarts in codesign; api-7f9 OOMKilled twice, raising memory limit per runbook 4.2.';
  for (let i = 0; i < 50; i++) await store.append('bench-append', { type: 'note.revised', body: { markdown: note, rev: i } });
  // The disk peer's writes alternate with the appends, so both see the same disk and the same
  // load from anything else on the machine.
  const handle = await open(path.join(root, 'disk-append-peer.bin'), fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_DSYNC);
  const peerRecord = Buffer.alloc(400, 0x61);
  const samples: number[] = [];
  const disk: number[] = [];
  for (let i = 0; i < 2000; i++) {
    let start = performance.now();
    await store.append('bench-append', { type: 'note.revised', body: { markdown: note, rev: i }, context: { context: 'codesign-production', namespace: 'codesign' } });
    samples.push(performance.now() - start);
    start = performance.now();
    await handle.write(peerRecord, 0, peerRecord.length, i * peerRecord.length);
    disk.push(performance.now() - start);
  }
  await handle.close();
  report('evidence append p50', percentile(samples, 50), 'ms', 'durable (O_DSYNC) per record');
  report('evidence append p99', percentile(samples, 99), 'ms', '≤ 5 ms');
  report('disk O_DSYNC 400 B append p50', percentile(disk, 50), 'ms', 'peer: the disk alone, alternating with the appends');
  report('disk O_DSYNC 400 B append p99', percentile(disk, 99), 'ms', 'peer: the disk alone, alternating with the appends');
}

async function sealThroughput(store: EvidenceStore, root: string, report: Report): Promise<void> {
  const SIZE = 256 * 1024 * 1024;
  const MB = SIZE / 1024 / 1024;
  const data = randomBytes(SIZE);
  async function* source(): AsyncGenerator<Buffer> {
    for (let offset = 0; offset < SIZE; offset += ATTACHMENT_CHUNK) yield data.subarray(offset, offset + ATTACHMENT_CHUNK);
  }
  const key = randomBytes(32);
  // The pipeline figure writes to tmpfs when there is one, so it measures sealing rather than the
  // disk's writeback; the durable figure below goes to the disk, next to the disk's own figure.
  const memoryRoot = await stat('/dev/shm').then((s) => (s.isDirectory() ? '/dev/shm' : undefined)).catch(() => undefined);
  const dir = await mkdtemp(path.join(memoryRoot ?? root, 'evidence-seal-'));
  // CPU time of every thread of the process (main, hashing worker, thread pool) per task, least
  // over the rounds: unlike MB/s it barely moves with load from elsewhere on the machine.
  const cpu = { raw: Infinity, pipeline: Infinity };
  const timed = async (task: () => unknown, cpuOf?: keyof typeof cpu): Promise<number> => {
    const startCpu = process.cpuUsage();
    const start = performance.now();
    await task();
    const ms = performance.now() - start;
    const used = process.cpuUsage(startCpu);
    if (cpuOf) cpu[cpuOf] = Math.min(cpu[cpuOf], (used.user + used.system) / 1000);
    return ms;
  };
  const raw = (): void => {
    const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
    cipher.update(data);
    cipher.final();
    cipher.getAuthTag();
  };
  // The same cipher in the same chunks as the store seals, nothing else: what the chunking alone costs or saves.
  const rawChunked = (): void => {
    for (let offset = 0; offset < SIZE; offset += ATTACHMENT_CHUNK) {
      const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
      cipher.update(data.subarray(offset, offset + ATTACHMENT_CHUNK));
      cipher.final();
      cipher.getAuthTag();
    }
  };
  // The pipeline: 1 MiB chunks, AES-256-GCM per chunk, SHA-256 on a worker (the store's default), pipelined writes.
  const sealed: string[] = [];
  const pipeline = async (): Promise<void> => {
    const { file } = await sealAttachment({ dir, logId: 'bench-seal', key, keyVersion: 1, source: source(), hasher: offThreadSha256(), durable: false });
    sealed.push(file);
  };
  const pipelineInline = async (): Promise<void> => {
    const { file } = await sealAttachment({ dir, logId: 'bench-seal', key, keyVersion: 1, source: source(), hasher: inlineSha256(), durable: false });
    sealed.push(file);
  };
  const durable = (): Promise<unknown> => store.putAttachment('bench-seal', source(), { text: false });
  const diskOnly = async (): Promise<void> => {
    const handle = await open(path.join(root, 'disk-peer.bin'), 'w');
    for (let offset = 0; offset < SIZE; offset += 1024 * 1024) await handle.write(data, offset, 1024 * 1024, offset);
    await handle.sync();
    await handle.close();
  };
  // Sealed files are removed between rounds, untimed, so tmpfs does not fill with them.
  const timedSeal = async (task: () => Promise<void>, cpuOf?: keyof typeof cpu): Promise<number> => {
    const ms = await timed(task, cpuOf);
    await Promise.all(sealed.splice(0).map((file) => rm(file, { force: true })));
    return ms;
  };
  raw();
  rawChunked();
  await timedSeal(pipeline);
  const best = { raw: Infinity, rawChunked: Infinity, pipeline: Infinity, pipelineInline: Infinity, durable: Infinity, disk: Infinity };
  for (let round = 0; round < 3; round++) {
    data[round] ^= 1;
    best.raw = Math.min(best.raw, await timed(raw, 'raw'));
    best.pipeline = Math.min(best.pipeline, await timedSeal(pipeline, 'pipeline'));
    best.rawChunked = Math.min(best.rawChunked, await timed(rawChunked));
    best.pipelineInline = Math.min(best.pipelineInline, await timedSeal(pipelineInline));
    best.durable = Math.min(best.durable, await timed(durable));
    best.disk = Math.min(best.disk, await timed(diskOnly));
  }
  const mbps = (ms: number): number => MB / (ms / 1000);
  await rm(dir, { recursive: true, force: true });
  const where = memoryRoot ? 'to tmpfs' : 'to disk, no fsync';
  report('evidence seal MB/s', mbps(best.pipeline), 'MB/s', `chunked AES-256-GCM + SHA-256 (worker) + writes ${where}`);
  report('raw aes-256-gcm MB/s', mbps(best.raw), 'MB/s', 'node:crypto, same bytes, one call, in memory');
  report('evidence seal ratio', mbps(best.pipeline) / mbps(best.raw), 'x', '≥ 0.8');
  report('raw aes-256-gcm MB/s, 1 MiB chunks', mbps(best.rawChunked), 'MB/s', 'node:crypto, same bytes, a cipher per 1 MiB chunk as the store seals');
  report('evidence seal ratio vs 1 MiB-chunked raw', mbps(best.pipeline) / mbps(best.rawChunked), 'x', 'peer: the same chunking, AES alone');
  report('evidence seal CPU ms per MB', cpu.pipeline / MB, 'ms/MB', 'all threads: AES-256-GCM + SHA-256 + ring copy + writes');
  report('raw aes-256-gcm CPU ms per MB', cpu.raw / MB, 'ms/MB', 'peer: the one-call figure above');
  report('evidence seal MB/s, SHA-256 inline', mbps(best.pipelineInline), 'MB/s', 'peer: hashing on the main thread');
  report('evidence seal durable MB/s', mbps(best.durable), 'MB/s', 'same, through the store, with fsync');
  report('disk write+fsync MB/s', mbps(best.disk), 'MB/s', 'peer: plain writes of the same bytes + fsync');
}

async function openVerify(root: string, vault: EvidenceVault, report: Report): Promise<void> {
  const LOG = 'bench-100k';
  const COUNT = 100_000;
  const seedStore = new EvidenceStore({ vault });
  await seedStore.append(LOG, { type: 'incident.declared', body: { title: 'bench', severity: 'SEV2' } });
  await seedStore.closeAll();
  // Records 2..100,000 are sealed with the store's own framing and key, written in bulk
  // (100,000 fsynced appends would measure the disk, not open + verify).
  const dir = path.join(root, 'logs', LOG);
  const keyFile = JSON.parse(await readFile(path.join(dir, 'key.json'), 'utf8')) as { keyVersion: number; wrapped: string };
  const dataKey = unwrapSecret(vault.masterKey(), dataKeyLabel(LOG, keyFile.keyVersion), Buffer.from(keyFile.wrapped, 'base64'));
  const existing = scanLog(await readFile(path.join(dir, 'records.log')), LOG);
  let prev = existing.frames.at(-1)!.hash;
  const frames: Buffer[] = [];
  for (let seq = 2; seq <= COUNT; seq++) {
    const plaintext = {
      v: 1,
      log: LOG,
      seq,
      at: new Date(Date.UTC(2026, 10, 28) + seq * 1000).toISOString(),
      actor: 'oncall',
      type: seq % 3 === 0 ? 'checklist.item-done' : 'timeline.event',
      context: { context: 'codesign-production', namespace: 'codesign' },
      body: { text: `event ${seq}: pod api-${seq % 17} restarted, readiness probe failed`, n: seq },
      prev: prev.toString('hex'),
    };
    const frame = sealRecordFrame(LOG, dataKey, { keyVersion: keyFile.keyVersion, seq, prevHash: prev }, Buffer.from(JSON.stringify(plaintext)));
    prev = sha256(frame);
    frames.push(frame);
  }
  await appendFile(path.join(dir, 'records.log'), Buffer.concat(frames));
  const best = { keyed: Infinity, keyedMem: Infinity, keyless: Infinity, keylessMem: Infinity };
  for (let round = 0; round < 3; round++) {
    const store = new EvidenceStore({ vault });
    let verdict: Awaited<ReturnType<EvidenceStore['verify']>> | undefined;
    const keyed = await measured(async () => (verdict = await store.verify(LOG)));
    if (verdict?.status !== 'ok' || verdict.records !== COUNT) throw new Error(`bench log did not verify: ${JSON.stringify(verdict)}`);
    await store.closeAll({ checkpoint: false });
    await store.dispose();
    let inspection: Awaited<ReturnType<typeof inspectLogDir>> | undefined;
    const keyless = await measured(async () => (inspection = await inspectLogDir(dir, { publicKey: vault.signingKey().publicKey })));
    if (inspection?.status !== 'ok' || inspection.records !== COUNT) throw new Error(`bench log did not inspect: ${JSON.stringify(inspection?.notice)}`);
    best.keyed = Math.min(best.keyed, keyed.ms);
    best.keyedMem = Math.min(best.keyedMem, keyed.peakGrowth);
    best.keyless = Math.min(best.keyless, keyless.ms);
    best.keylessMem = Math.min(best.keylessMem, keyless.peakGrowth);
  }
  // Peer, same run and load: AES-256-GCM opening the same 100k records from memory, nothing else.
  const { openRecordFrame } = await import('../src/main/evidence/record-sealing');
  const frames100k = scanLog(await readFile(path.join(dir, 'records.log')), LOG).frames;
  let peer = Infinity;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    for (const frame of frames100k) openRecordFrame(LOG, dataKey, frame);
    peer = Math.min(peer, performance.now() - start);
  }
  const MB = 1024 * 1024;
  report('aes-256-gcm open of the same 100k records', peer / 1000, 's', 'peer: decryption alone, in memory, same run');
  report('evidence open+verify 100k records', best.keyed / 1000, 's', '≤ 1.5 s; with the key: chain, checkpoints, vault head and every record opened');
  report('evidence open+verify 100k records peak memory growth', best.keyedMem / MB, 'MB', '≤ 64 MB (streamed; was +183 MB)');
  report('evidence open+verify 100k records without key', best.keyless / 1000, 's', 'keyless: framing, chain, checkpoints (was 1.6 s)');
  report('evidence open+verify 100k records without key peak memory growth', best.keylessMem / MB, 'MB', '≤ 64 MB');
}

/** Redaction throughput on benign text and on each rule's crafted worst case (issue 14). */
async function redactionThroughput(report: Report): Promise<void> {
  const { SecretRedactor } = await import('../src/main/evidence/secret-redaction');
  const { WORST_CASE_INPUTS } = await import('../src/main/evidence/redaction-worst-cases');
  const redactor = new SecretRedactor();
  const SIZE = 1024 * 1024;
  const benignLine = '2026-11-28T10:05:11Z INFO codesign-api-7f9c pod=api-7f9c-x2 path=/v1/sign status=200 took=12ms user=alice\n';
  const benign = benignLine.repeat(Math.ceil(SIZE / benignLine.length)).slice(0, SIZE);
  const time = async (text: string): Promise<number> => {
    await redactor.redactText(text.slice(0, 10_000));
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const start = performance.now();
      await redactor.redactText(text);
      best = Math.min(best, performance.now() - start);
    }
    return best;
  };
  const benignMs = await time(benign);
  let worstMs = 0;
  let worstName = '';
  for (const [name, make] of Object.entries(WORST_CASE_INPUTS)) {
    const ms = await time(make(SIZE));
    if (ms > worstMs) {
      worstMs = ms;
      worstName = name;
    }
  }
  const mbps = (ms: number): number => SIZE / 1024 / 1024 / (ms / 1000);
  report('redaction MB/s benign', mbps(benignMs), 'MB/s', '1 MiB of log lines, every rule');
  report('redaction MB/s worst case', mbps(worstMs), 'MB/s', `within 4x of benign (slowest crafted input: ${worstName})`);
  report('redaction worst case vs benign', benignMs > 0 ? worstMs / benignMs : 0, 'x', '≤ 4x');
}

async function verifyWithAttachments(vault: EvidenceVault, report: Report): Promise<void> {
  const LOG = 'bench-attachments';
  const store = new EvidenceStore({ vault });
  const SIZE = 32 * 1024 * 1024;
  const COUNT = 8;
  for (let i = 0; i < COUNT; i++) {
    const data = randomBytes(SIZE);
    const { sha256: sha } = await store.putAttachment(
      LOG,
      (async function* () {
        for (let offset = 0; offset < SIZE; offset += ATTACHMENT_CHUNK) yield data.subarray(offset, offset + ATTACHMENT_CHUNK);
      })(),
      { text: false },
    );
    await store.append(LOG, { type: 'evidence.added', body: { kind: 'file', n: i }, attachments: [sha] });
  }
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    const verdict = await store.verify(LOG);
    best = Math.min(best, performance.now() - start);
    if (verdict.status !== 'ok' || verdict.attachments !== COUNT) throw new Error(`attachments did not verify: ${JSON.stringify(verdict)}`);
  }
  await store.dispose();
  report('evidence verify with attachments MB/s', (SIZE * COUNT) / 1024 / 1024 / (best / 1000), 'MB/s', `${COUNT} × 32 MiB read back, decrypted and hashed (compare evidence seal MB/s)`);
}

export async function run(report: Report, only?: Set<string>): Promise<void> {
  const wants = (name: string): boolean => !only || only.has(name);
  const root = await mkdtemp(path.join(tmpdir(), 'evidence-bench-'));
  try {
    const vault = new EvidenceVault({ dir: root, scrypt: { N: 2 ** 14, r: 8, p: 1 } });
    await vault.initialise('bench passphrase');
    const store = new EvidenceStore({ vault });
    if (wants('append')) await appendLatency(store, root, report);
    if (wants('seal')) await sealThroughput(store, root, report);
    await store.dispose();
    if (wants('open')) await openVerify(root, vault, report);
    if (wants('attachments')) await verifyWithAttachments(vault, report);
    if (wants('redaction')) await redactionThroughput(report);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function invokedDirectly(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// `npx tsx bench/evidence.bench.ts [--only open|seal|append|attachments]` runs this file alone.
if (invokedDirectly()) {
  const flag = process.argv.indexOf('--only');
  await run(printReport, flag > 0 ? new Set(process.argv[flag + 1]!.split(',')) : undefined);
}
