import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCockpit, type Cockpit } from '../../../src/main/app/cockpit';
import { MemoryLogger } from '../../../src/main/app/logger';
import { EvidenceStore } from '../../../src/main/evidence/evidence-store';
import { EvidenceVault } from '../../../src/main/evidence/evidence-vault';

/** The composition root as both hosts use it: the contract, end to end, with the drill cluster. */
describe('createCockpit', () => {
  let cockpit: Cockpit;
  let dataDir: string;
  const logger = new MemoryLogger();
  const invoke = (channel: string, input: unknown = {}) => cockpit.dispatcher.invoke(channel, input);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'cockpit-app-'));
    cockpit = await createCockpit({
      host: 'web',
      version: '0.0.0-test',
      dataDir,
      runbookPath: 'resources/runbooks/codesign-playground.yaml',
      logger,
      kubeconfigPaths: [path.join(dataDir, 'no-kubeconfig')],
      scryptN: 2 ** 12,
    });
  });
  afterAll(async () => {
    await cockpit.dispose();
  });

  it('keeps incidents behind the vault, says why it asks for a passphrase, and refuses a wrong one', async () => {
    const status = await invoke('evidence:status');
    expect(status).toEqual({ ok: true, value: expect.objectContaining({ state: 'uninitialised', method: 'passphrase', reason: expect.stringContaining('web host') }) });
    expect(await invoke('incidents:declare', { title: 'Too early', severity: 'SEV3' })).toMatchObject({ ok: false, error: { code: 'Locked' } });
    expect(await invoke('evidence:initialise', { passphrase: 'short' })).toMatchObject({ ok: false, error: { code: 'Invalid' } });
    expect(await invoke('evidence:initialise', { passphrase: 'a long enough passphrase' })).toMatchObject({ ok: true, value: { state: 'unlocked' } });
    await invoke('evidence:lock');
    expect(await invoke('evidence:unlock', { passphrase: 'the wrong one' })).toMatchObject({ ok: false, error: { code: 'WrongPassphrase' } });
    // Failed attempts are rate-limited (issue 14): the next one waits, and the error says how long.
    expect(await invoke('evidence:unlock', { passphrase: 'a long enough passphrase' })).toMatchObject({ ok: false, error: { code: 'Unavailable', message: expect.stringMatching(/try again in 1 s/) } });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await invoke('evidence:unlock', { passphrase: 'a long enough passphrase' })).toMatchObject({ ok: true, value: { state: 'unlocked' } });
  });

  it('serves the drill cluster as the default context and records context and scenario changes in the session log', async () => {
    const contexts = await invoke('contexts:list');
    expect(contexts).toMatchObject({ ok: true, value: { current: 'drill', contexts: [expect.objectContaining({ name: 'drill', source: 'drill' })] } });
    expect(JSON.stringify(contexts)).not.toMatch(/token/i);
    expect(await invoke('contexts:select', { name: 'drill' })).toMatchObject({ ok: true });
    expect(await invoke('contexts:select', { name: 'prod' })).toMatchObject({ ok: false, error: { code: 'NotFound' } });
    const drill = await invoke('drill:setScenario', { name: 'bad-deploy', active: true });
    expect(drill).toMatchObject({ ok: true, value: { running: true, scenarios: expect.arrayContaining([{ name: 'bad-deploy', active: true }]) } });
    expect(await invoke('drill:setScenario', { name: 'meteor-strike', active: true })).toMatchObject({ ok: false, error: { code: 'Invalid' } });

    const vault = new EvidenceVault({ dir: path.join(dataDir, 'evidence') });
    await vault.unlock('a long enough passphrase');
    const session = await new EvidenceStore({ vault }).read('session');
    expect(session.map((r) => [r.type, r.body])).toEqual([
      ['session.context-selected', { name: 'drill' }],
      ['session.drill-scenario', { name: 'bad-deploy', active: true }],
    ]);
  });

  it('puts evidence into the incident’s own log so its timeline shows it, redacted, and checkpoints status changes', async () => {
    const declared = await invoke('incidents:declare', { title: 'Bad deploy of v2.1.0', severity: 'SEV2' });
    if (!declared.ok) throw new Error(declared.error.message);
    const id = (declared.value as { id: string }).id;
    const added = await invoke('evidence:addText', { incidentId: id, title: 'kubeconfig excerpt', text: 'users:\n- name: x\n  user:\n    token: abcdefghijklmnopqrstuvwxyz0123456789ABCD\n' });
    expect(added.ok).toBe(true);
    const incident = await invoke('incidents:get', { id });
    expect(incident).toMatchObject({ ok: true, value: { timeline: expect.arrayContaining([expect.objectContaining({ text: 'evidence.added: kubeconfig excerpt' })]) } });
    const records = await invoke('evidence:timeline', { incidentId: id, types: ['evidence.added'] });
    expect(JSON.stringify(records)).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789ABCD');
    expect(await invoke('incidents:setStatus', { id, status: 'mitigated' })).toMatchObject({ ok: true });
    expect(await invoke('evidence:verify', { incidentId: id })).toMatchObject({ ok: true, value: { status: 'ok', records: 3 } });
  });
});
