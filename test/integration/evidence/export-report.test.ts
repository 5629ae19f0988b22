import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkExportBundle } from '../../../src/main/evidence/export-bundle';
import { evidenceHandlers } from '../../../src/main/evidence/handlers';
import { MemoryLogger } from '../../../src/main/app/logger';
import { makeStore, type StoreFixture } from './store-fixture';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const INC = 'inc-2026-report';
let fx: StoreFixture;

beforeEach(async () => {
  fx = await makeStore('evidence-report-');
  const append = (type: string, body: unknown, actor = 'alice') => fx.store.append(INC, { type, body, actor });
  await append('incident.declared', { id: INC, title: 'Checkout latency', severity: 'SEV2', summary: 'p95 over 3 s on /checkout since 10:02' });
  await append('checklist.item-checked', { itemId: 'sev2-pagerduty', label: 'Page on-call via PagerDuty', done: true });
  await append('incident.severity-changed', { from: 'SEV2', to: 'SEV1' }, 'bob');
  await append('note.revised', { noteId: 'n1', text: 'Rolled back **api** to revision 4.' });
  await append('note.revised', { noteId: 'n1', text: 'Rolled back **api** to revision 4; latency back under 300 ms.' }, 'bob');
  await fx.service.addText(INC, { title: 'kubectl top', text: 'api-7f9 950m 1.2Gi\n'.repeat(4000) });
  await append('incident.status-changed', { from: 'investigating', to: 'mitigated' }, 'bob');
});
afterEach(async () => {
  await fx.dispose();
});

describe('export report and verify command (issue 15 item 7)', () => {
  it('writes report.md as a readable incident report', async () => {
    const out = path.join(fx.root, 'report.age');
    await fx.service.export(INC, { passphrase: 'export passphrase', scryptWorkFactor: 10 }, out);
    const { report } = await checkExportBundle(out, { passphrase: 'export passphrase' });
    expect(report).toMatch(/^# Incident report: Checkout latency$/m);
    expect(report).toContain('- **Severity**: SEV1 · **Status**: mitigated');
    expect(report).toContain('p95 over 3 s on /checkout since 10:02');
    expect(report).toMatch(/\| [0-9T:.Z-]+ \| bob \| SEV2 → SEV1 \|/);
    expect(report).toMatch(/\| mitigated \| [0-9T:.Z-]+ \| bob \|/);
    expect(report).toMatch(/\| Page on-call via PagerDuty \| done \| alice \| [0-9T:.Z-]+ \|/);
    expect(report).toContain('### Note n1');
    expect(report).toContain('Rolled back **api** to revision 4; latency back under 300 ms.');
    expect(report).toContain('revision 2 of');
    expect(report).toMatch(/\| kubectl top \| \d+ \| `[0-9a-f]{64}` \| 6 by /);
    expect(report).not.toMatch(/\{"id":/);
  });

  it('shows a verify command that works as shown, with the export path filled in', async () => {
    const handlers = evidenceHandlers({ evidence: fx.service, dataDir: path.join(fx.root, 'data dir'), logger: new MemoryLogger(), projectRoot: repo });
    const exported = await handlers['evidence:export']({ incidentId: INC, passphrase: 'export passphrase' });
    expect(exported.verifyCommand).toContain(exported.path.includes(' ') ? `'${exported.path}'` : exported.path);
    expect(exported.verifyCommand).toContain(`--trust ${exported.installationKey}`);
    const run = spawnSync('sh', ['-c', exported.verifyCommand], { input: 'export passphrase\n', encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^OK export of inc-2026-report: \d+ records/m);
    const wrong = spawnSync('sh', ['-c', exported.verifyCommand], { input: 'not it\n', encoding: 'utf8', timeout: 120_000 });
    expect(wrong.status).not.toBe(0);
  });
});
