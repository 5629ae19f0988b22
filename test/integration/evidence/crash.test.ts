import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { EvidenceVault } from '../../../src/main/evidence/evidence-vault';
import { EvidenceStore } from '../../../src/main/evidence/evidence-store';

const here = path.dirname(fileURLToPath(import.meta.url));
const PASSPHRASE = 'crash test passphrase';
const KILLS = 210;
let work: string;
let childScript: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'evidence-crash-'));
  childScript = path.join(work, 'append-child.mjs');
  // Bundled once so each of the 200+ spawns starts plain node in tens of milliseconds.
  await build({
    entryPoints: [path.join(here, 'append-child.ts')],
    outfile: childScript,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'silent',
  });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface ChildRun {
  ready: number | undefined;
  lastAck: number;
  errors: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runAndKill(storeDir: string, logId: string): Promise<ChildRun> {
  const child = spawn(process.execPath, [childScript, storeDir, logId], {
    env: { ...process.env, COCKPIT_EVIDENCE_PASSPHRASE: PASSPHRASE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: ChildRun = { ready: undefined, lastAck: 0, errors: [] };
  let buffered = '';
  // Kill after a random number of acknowledged appends (0-4) plus a random few milliseconds, so
  // the kill lands at a random point of a record whatever the machine's load.
  const acksWanted = Math.floor(Math.random() * 5);
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    buffered += data;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const [kind, value] = line.split(' ');
      if (kind === 'ready') {
        run.ready = Number(value);
        run.lastAck = Number(value);
        if (acksWanted === 0) onReady();
      } else if (kind === 'ack') {
        run.lastAck = Number(value);
        if (run.ready !== undefined && run.lastAck - run.ready >= acksWanted) onReady();
      } else run.errors.push(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (data: string) => run.errors.push(data));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  if (Math.random() < 0.1) {
    await sleep(Math.random() * 60);
  } else {
    await Promise.race([ready, exited]);
    await sleep(Math.random() * 4);
  }
  child.kill('SIGKILL');
  await exited;
  return run;
}

describe('evidence store under SIGKILL', () => {
  it(`loses at most the record in flight across ${KILLS} kills`, async () => {
    const storeDir = path.join(work, 'store');
    const vault = new EvidenceVault({ dir: storeDir, scrypt: { N: 2 ** 12, r: 8, p: 1 } });
    await vault.initialise(PASSPHRASE);
    const logId = 'crash-incident';
    let known = 0;
    let repaired = 0;
    let lostInFlight = 0;
    let keptUnacked = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const run = await runAndKill(storeDir, logId);
      expect(run.errors, `child errors at kill ${kill}`).toEqual([]);
      const store = new EvidenceStore({ vault });
      const verdict = await store.verify(logId).catch((err: Error & { code?: string }) => {
        if (err.code === 'NotFound') return undefined;
        throw err;
      });
      if (!verdict) {
        expect(run.lastAck).toBe(0);
        continue;
      }
      expect(['ok', 'repaired'], verdict.notice).toContain(verdict.status);
      if (verdict.status === 'repaired') repaired++;
      const records = await store.read(logId);
      const acked = Math.max(run.lastAck, known);
      expect(records.length).toBeGreaterThanOrEqual(acked);
      expect(records.length).toBeLessThanOrEqual(acked + 1);
      if (records.length === acked + 1) keptUnacked++;
      for (let k = known; k < records.length; k++) {
        expect(records[k]!.seq).toBe(k + 1);
        expect((records[k]!.body as { i: number }).i).toBe(k + 1);
      }
      if (run.ready !== undefined && run.lastAck === run.ready && records.length === run.ready) lostInFlight++;
      known = records.length;
      await store.closeAll();
    }
    const final = new EvidenceStore({ vault });
    expect((await final.verify(logId)).status).toBe('ok');
    await final.closeAll();
    // The kills must actually have landed inside records for this test to mean anything.
    console.info(`crash test: ${KILLS} kills, ${known} records, ${repaired} torn tails repaired, ${keptUnacked} durable-but-unacknowledged, ${lostInFlight} runs without an ack`);
    expect(repaired).toBeGreaterThan(0);
    expect(known).toBeGreaterThan(KILLS);
  });
});
