/**
 * `npm run runbook` against the drill cluster: list / show, the dry run printed as a diff, the
 * exit codes of --help (0 done, 1 failed, 2 usage, 3 confirmation missing, 4 refused credentials).
 */
import { AppsV1Api } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, runbookCli } from '../../../src/main/procedures/cli';
import { EvidenceStore } from '../../../src/main/evidence/evidence-store';
import { EvidenceVault } from '../../../src/main/evidence/evidence-vault';
import type { ProcedureRunRecord } from '../../../src/shared/procedures/model';
import { loadRunbookFile } from '../../../src/main/runbook/loader';
import { NS, startDrillFixture, type DrillFixture } from './drill-fixture';

let fx: DrillFixture;
let dir: string;
let kubeconfig: string;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runbookCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: { HOME: dir } });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const replicas = async () => (await fx.kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'codesign-api', namespace: NS })).spec!.replicas;

beforeAll(async () => {
  fx = await startDrillFixture(await loadRunbookFile(path.resolve('resources/runbooks/codesign-playground.yaml')));
  dir = await mkdtemp(path.join(os.tmpdir(), 'runbook-cli-'));
  kubeconfig = path.join(dir, 'kubeconfig');
  await writeFile(kubeconfig, fx.kubeconfigText, { mode: 0o600 });
}, 60_000);

afterAll(async () => {
  await fx?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('runbook command line', () => {
  it('lists procedures and runnable steps, and shows a step with its parameters', async () => {
    const list = await cli('list');
    expect(list.code).toBe(EXIT.ok);
    expect(list.out).toMatch(/rollback-process\s+Rollback Process/);
    expect(list.out).toMatch(/response\.scale-up\s+change/);
    const show = await cli('show', 'response.scale-up');
    expect(show.out).toContain('--set replicas=5');
    expect((await cli('show', 'nope')).code).toBe(EXIT.usage);
  });

  it('--dry-run prints the server dry run as a diff and changes nothing', async () => {
    const run = await cli('run', 'response.scale-up', '--kubeconfig', kubeconfig, '--dry-run');
    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toContain('- spec.replicas: 3\n  + spec.replicas: 5');
    expect(run.out).toContain('kubectl scale deployment codesign-api --replicas=5 -n codesign-production');
    expect(await replicas()).toBe(3);
  });

  it('a destructive step without the matching --confirm exits 3 and says what to type', async () => {
    const none = await cli('run', 'certificate-renewal.delete', '--kubeconfig', kubeconfig);
    expect(none.code).toBe(EXIT.needsConfirmation);
    expect(none.err).toContain('--confirm codesign-tls');
    const wrong = await cli('run', 'certificate-renewal.delete', '--kubeconfig', kubeconfig, '--confirm', 'codesign');
    expect(wrong.code).toBe(EXIT.needsConfirmation);
    const change = await cli('run', 'response.scale-up', '--kubeconfig', kubeconfig);
    expect(change.code).toBe(EXIT.needsConfirmation);
    expect(await replicas()).toBe(3);
  });

  it('runs a confirmed change with --set, refuses bad values with 2, and refused credentials with 4', async () => {
    const run = await cli('run', 'response.scale-up', '--kubeconfig', kubeconfig, '--set', 'replicas=4', '--yes');
    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toMatch(/succeeded/);
    expect(await replicas()).toBe(4);
    const bad = await cli('run', 'response.scale-up', '--kubeconfig', kubeconfig, '--set', 'replicas=four', '--yes');
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.err).toMatch(/whole number/);
    expect((await cli('run', 'response.scale-up', '--bogus')).code).toBe(EXIT.usage);

    const stranger = path.join(dir, 'stranger');
    await writeFile(stranger, fx.kubeconfigText.replace(fx.cluster.token, 'not-the-token'), { mode: 0o600 });
    const refused = await cli('run', 'daily.pods', '--kubeconfig', stranger);
    expect(refused.code).toBe(EXIT.forbidden);
    expect(refused.out).toMatch(/did not accept the credentials/);
    const missing = await cli('run', 'response.scale-up', '--kubeconfig', kubeconfig, '--namespace', 'nowhere', '--yes');
    expect(missing.code).toBe(EXIT.failed);
  });

  it('runs pg.* steps through a port-forward of its own (this drill fronts no PostgreSQL, so it says so)', async () => {
    const run = await cli('run', 'high-error-rates.pg-ready', '--kubeconfig', kubeconfig);
    const text = `${run.out}\n${run.err}`;
    expect(text).not.toContain('does not run pg.ready steps yet');
    expect(run.code).toBe(EXIT.failed);
    expect(text).toMatch(/forward to pod postgres-0 port 5432.*no PostgreSQL backend/);
  });

  it('records the run into the session log of the evidence store when given its passphrase', async () => {
    const dataDir = path.join(dir, 'data');
    const passphraseFile = path.join(dir, 'passphrase');
    await writeFile(passphraseFile, 'correct horse battery staple\n', { mode: 0o600 });
    const evidenceDir = path.join(dataDir, 'evidence');
    await new EvidenceVault({ dir: evidenceDir, safeStorageUnavailableReason: 'test', scrypt: { N: 1024, r: 8, p: 1 } }).initialise('correct horse battery staple');
    const run = await cli('run', 'rollback-process.history', '--kubeconfig', kubeconfig, '--data-dir', dataDir, '--passphrase-file', passphraseFile);
    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toMatch(/recorded in the session log/);
    const vault = new EvidenceVault({ dir: evidenceDir, safeStorageUnavailableReason: 'test' });
    await vault.unlock('correct horse battery staple');
    const records = await new EvidenceStore({ vault }).read('session');
    const body = records.at(-1)!.body as ProcedureRunRecord;
    expect(records.at(-1)!.type).toBe('procedure.run');
    expect(body).toMatchObject({ title: '1. Check rollout history', status: 'succeeded', context: 'drill', namespace: NS });
    expect(body.steps[0]!.output).toMatch(/REVISION/);
  });

  it('the process exits with the documented code', async () => {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/procedures/cli.ts', 'run', 'certificate-renewal.delete', '--kubeconfig', kubeconfig], { stdio: 'ignore' });
      child.on('exit', resolve);
    });
    expect(code).toBe(EXIT.needsConfirmation);
  });
});
