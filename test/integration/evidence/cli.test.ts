import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type CliIo } from '../../../src/main/evidence/cli';
import { editFile, makeStore, PASSPHRASE, type StoreFixture } from './store-fixture';

const LOG = 'inc-cli';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let fx: StoreFixture;

beforeEach(async () => {
  fx = await makeStore();
  for (let i = 1; i <= 5; i++) await fx.store.append(LOG, { type: 'timeline.event', body: { text: `event ${i}` } });
  await fx.store.checkpoint(LOG, 'status: investigating');
  await fx.store.append(LOG, { type: 'timeline.event', body: { text: 'event 6' } });
  await fx.store.closeAll();
});
afterEach(async () => {
  await fx.dispose();
});

async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('evidence CLI', () => {
  it('verify: OK exits 0, and with the passphrase opens every record', async () => {
    const keyless = await run(['verify', fx.logDir(LOG)]);
    expect(keyless).toMatchObject({ code: 0 });
    expect(keyless.out).toMatch(/^OK inc-cli: 6 records, head [0-9a-f]{64}, 2 checkpoint\(s\) signed by [0-9a-f]{64}/);
    const keyed = await run(['verify', fx.logDir(LOG)], { COCKPIT_EVIDENCE_PASSPHRASE: PASSPHRASE });
    expect(keyed.code).toBe(0);
    expect(keyed.out).toContain('every record opened');
  });

  it('verify: a torn tail exits 3 and is left alone; --repair cuts it, then OK', async () => {
    await appendFile(fx.recordsPath(LOG), Buffer.from([0, 0, 1, 0, 9, 9, 9]));
    const before = await readFile(fx.recordsPath(LOG));
    const first = await run(['verify', fx.logDir(LOG)]);
    expect(first.code).toBe(3);
    expect(first.out).toContain('torn tail found');
    expect((await readFile(fx.recordsPath(LOG))).equals(before)).toBe(true);
    const repaired = await run(['verify', fx.logDir(LOG), '--repair']);
    expect(repaired.code).toBe(3);
    expect(repaired.out).toContain('torn tail repaired');
    expect((await run(['verify', fx.logDir(LOG)])).code).toBe(0);
  });

  it('verify: a deleted record exits 1 with corrupt at seq N', async () => {
    const b = await fx.boundaries(LOG);
    await editFile(fx.recordsPath(LOG), (bytes) => Buffer.concat([bytes.subarray(0, b[1]!), bytes.subarray(b[2]!)]));
    const result = await run(['verify', fx.logDir(LOG)]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^corrupt at seq 2: inc-cli/);
  });

  it('verify: a rewritten history exits 1 with checkpoint mismatch against a checkpoint held elsewhere', async () => {
    const held = path.join(fx.root, 'held-checkpoint.json');
    const checkpoint = (await readFile(path.join(fx.logDir(LOG), 'checkpoints.jsonl'), 'utf8')).split('\n')[0]!;
    await writeFile(held, checkpoint);
    // Someone drops the last two records and the local checkpoints, then writes a different record 5.
    const b = await fx.boundaries(LOG);
    await editFile(fx.recordsPath(LOG), (bytes) => bytes.subarray(0, b[4]!));
    await rm(path.join(fx.logDir(LOG), 'checkpoints.jsonl'));
    // …and deletes the vault's sealed record of the head (it cannot forge one).
    await fx.vault.forgetHead(LOG);
    const { store } = await fx.reopen();
    await store.append(LOG, { type: 'timeline.event', body: { text: 'a different event 5' } });
    await store.closeAll();
    expect((await run(['verify', fx.logDir(LOG)])).code).toBe(0);
    const result = await run(['verify', fx.logDir(LOG), '--checkpoint', held]);
    expect(result.code).toBe(1);
    expect(result.out).toContain('checkpoint mismatch at seq 5');
  });

  it('verify: an export with an age identity exits 0; modified exits 1; without a key exits 2', async () => {
    const keyFile = path.join(fx.root, 'id.txt');
    execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
    const recipient = execFileSync('age-keygen', ['-y', keyFile]).toString().trim();
    const { service } = await fx.reopen();
    const out = path.join(fx.root, 'incident.age');
    const exported = await service.export(LOG, { recipient }, out);
    await service.lock();
    const ok = await run(['verify', out, '--identity', keyFile, '--trust', exported.checkpoint.keyFingerprint]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^OK export of inc-cli: 6 records/);
    expect((await run(['verify', out])).code).toBe(2);
    await editFile(out, (bytes) => {
      const d = Buffer.from(bytes);
      d[d.length - 100] ^= 4;
      return d;
    });
    const bad = await run(['verify', out, '--identity', keyFile]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('FAILED');
  });

  it('list and open show the store and its records', async () => {
    const listed = await run(['list', fx.root]);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^inc-cli\t6 records\t2 checkpoint\(s\)\tok$/);
    expect((await run(['open', fx.logDir(LOG)])).code).toBe(2);
    const passFile = path.join(fx.root, 'pass.txt');
    await writeFile(passFile, `${PASSPHRASE}\n`);
    const opened = await run(['open', fx.logDir(LOG), '--passphrase-file', passFile, '--json']);
    expect(opened.code).toBe(0);
    const records = opened.out.split('\n').map((l) => JSON.parse(l) as { seq: number; body: { text: string } });
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records[5]!.body.text).toBe('event 6');
    const wrong = await run(['open', fx.logDir(LOG)], { COCKPIT_EVIDENCE_PASSPHRASE: 'nope' });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('WrongPassphrase');
  });

  it('runs directly under tsx with the exit code as its status', () => {
    const tsx = path.join(repo, 'node_modules', '.bin', 'tsx');
    const cli = path.join(repo, 'src', 'main', 'evidence', 'cli.ts');
    const ok = spawnSync(tsx, [cli, 'verify', fx.logDir(LOG)], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^OK inc-cli/);
    const usage = spawnSync(tsx, [cli], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: evidence verify');
  });
});
