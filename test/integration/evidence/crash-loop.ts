/**
 * The SIGKILL loop the project owns: a child appends records (with attachments and checkpoints)
 * and is killed at random moments, N times; after each kill the store is reopened as the app
 * would (taking over the dead writer's lock, cutting a torn tail) and checked. Used by
 * crash.test.ts (a bounded run inside the integration suite) and by `npm run test:crash`
 * (`tsx test/integration/evidence/crash-loop.ts [--kills N]`), which prints the figures.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EvidenceVault } from '../../../src/main/evidence/evidence-vault';
import { EvidenceStore } from '../../../src/main/evidence/evidence-store';
import { buildAppendChild } from './child-bundle';

const PASSPHRASE = 'crash test passphrase';

export interface CrashLoopResult {
  kills: number;
  records: number;
  /** Acknowledged records missing after a kill (target 0). */
  acknowledgedLost: number;
  /** The most unacknowledged records lost in any one kill (target <= 1: the one in flight). */
  inFlightLostMax: number;
  /** Unacknowledged records lost, per kill, on average. */
  inFlightLostMean: number;
  tornTailsRepaired: number;
  durableButUnacknowledged: number;
  /** Anything that went wrong: a child error, a verdict other than ok/repaired, a gap or duplicate. */
  failures: string[];
}

interface ChildRun {
  ready: number | undefined;
  lastAck: number;
  errors: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runAndKill(childScript: string, storeDir: string, logId: string): Promise<ChildRun> {
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

/** Runs `kills` SIGKILL rounds against one log in a fresh temp store. */
export async function runCrashLoop(kills: number): Promise<CrashLoopResult> {
  const work = await mkdtemp(path.join(tmpdir(), 'evidence-crash-'));
  const result: CrashLoopResult = {
    kills,
    records: 0,
    acknowledgedLost: 0,
    inFlightLostMax: 0,
    inFlightLostMean: 0,
    tornTailsRepaired: 0,
    durableButUnacknowledged: 0,
    failures: [],
  };
  let inFlightLostTotal = 0;
  try {
    const childScript = await buildAppendChild(work);
    const storeDir = path.join(work, 'store');
    const vault = new EvidenceVault({ dir: storeDir, scrypt: { N: 2 ** 12, r: 8, p: 1 } });
    await vault.initialise(PASSPHRASE);
    const logId = 'crash-incident';
    let known = 0;
    for (let kill = 0; kill < kills; kill++) {
      const run = await runAndKill(childScript, storeDir, logId);
      if (run.errors.length > 0) result.failures.push(`kill ${kill}: child errors ${run.errors.join(' | ')}`);
      const store = new EvidenceStore({ vault });
      try {
        const verdict = await store.verify(logId).catch((err: Error & { code?: string }) => {
          if (err.code === 'NotFound') return undefined;
          throw err;
        });
        if (!verdict) {
          if (run.lastAck > 0) result.failures.push(`kill ${kill}: log missing after ${run.lastAck} acks`);
          continue;
        }
        if (verdict.status !== 'ok' && verdict.status !== 'repaired') {
          result.failures.push(`kill ${kill}: ${verdict.status} ${verdict.notice ?? ''}`);
          break;
        }
        if (verdict.status === 'repaired' && verdict.notice?.includes('torn tail repaired')) result.tornTailsRepaired++;
        const records = await store.read(logId);
        const acked = Math.max(run.lastAck, known);
        if (records.length < acked) result.acknowledgedLost += acked - records.length;
        if (records.length > acked + 1) result.failures.push(`kill ${kill}: ${records.length} records, at most ${acked + 1} were ever written`);
        if (records.length === acked + 1) result.durableButUnacknowledged++;
        // The child had one append in flight unless it died before its first.
        const attempted = run.ready === undefined ? acked : acked + 1;
        const lost = Math.max(0, attempted - Math.max(records.length, acked));
        inFlightLostTotal += lost;
        result.inFlightLostMax = Math.max(result.inFlightLostMax, lost);
        for (let k = known; k < records.length; k++) {
          if (records[k]!.seq !== k + 1 || (records[k]!.body as { i: number }).i !== k + 1) {
            result.failures.push(`kill ${kill}: record ${k + 1} out of place (gap or duplicate)`);
            break;
          }
        }
        known = records.length;
      } finally {
        await store.dispose();
      }
    }
    const final = new EvidenceStore({ vault });
    const last = await final.verify(logId);
    if (last.status !== 'ok' && last.status !== 'repaired') result.failures.push(`final verify: ${last.status} ${last.notice ?? ''}`);
    await final.dispose();
    result.records = known;
    result.inFlightLostMean = kills > 0 ? inFlightLostTotal / kills : 0;
    return result;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The summary lines `npm run test:crash` prints. */
export function crashLoopLines(r: CrashLoopResult): string[] {
  return [
    `crash kills: ${r.kills}`,
    `acknowledged lost: ${r.acknowledgedLost} (target 0)`,
    `in-flight lost per kill: ${r.inFlightLostMax} max, ${r.inFlightLostMean.toFixed(2)} mean (target <= 1)`,
    `records: ${r.records}, torn tails repaired: ${r.tornTailsRepaired}, durable but unacknowledged: ${r.durableButUnacknowledged}`,
    ...r.failures.map((f) => `FAILURE ${f}`),
  ];
}

function invokedDirectly(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  const flag = process.argv.indexOf('--kills');
  const kills = flag > 0 ? Number(process.argv[flag + 1]) : Number(process.env.CRASH_KILLS ?? 200);
  const started = performance.now();
  const result = await runCrashLoop(kills);
  for (const line of crashLoopLines(result)) process.stdout.write(`${line}\n`);
  process.stdout.write(`duration: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  const ok = result.failures.length === 0 && result.acknowledgedLost === 0 && result.inFlightLostMax <= 1 && result.tornTailsRepaired > 0;
  process.exitCode = ok ? 0 : 1;
}
