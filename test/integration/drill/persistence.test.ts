/**
 * The drill cluster keeps its state across restarts of its process (in `<data>/drill/state.json`):
 * pod names, rollout history and scenarios come back as they were; "Reset drill cluster" puts the
 * seed back and says what it resets. Seen with the real kubectl, through the app's DrillContext.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/main/app/logger';
import { DrillContext } from '../../../src/main/contexts/drill-context';
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';

describe('the drill cluster across restarts', () => {
  let dataDir: string;
  let drill: DrillContext;

  async function kubectl(args: string[]): Promise<string> {
    const harness = await KubectlHarness.create((await drill.kubeconfig()) as string);
    try {
      const result = await harness.run(args);
      if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    } finally {
      await harness.dispose();
    }
  }

  const podNames = async (): Promise<string[]> => (await kubectl(['get', 'pods', '-n', NS, '-o', 'name'])).trim().split('\n').sort();
  const revision = async (): Promise<string> =>
    kubectl(['get', 'deployment', 'codesign-api', '-n', NS, '-o', "jsonpath={.metadata.annotations['deployment\\.kubernetes\\.io/revision']}"]);

  async function until(what: string, probe: () => Promise<boolean>, limitMs = 60_000): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'drill-persist-'));
    drill = new DrillContext(dataDir, new MemoryLogger(), { child: { postgres: 'none', redis: 'none', speed: 20 } });
    drill.start();
    await drill.whenReady();
  });

  afterAll(async () => {
    await drill?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('comes back after a restart with the same pods, rollout history and scenarios', async () => {
    expect(drill.status()).toMatchObject({ state: 'running', restored: false, stateFile: path.join(dataDir, 'drill', 'state.json') });
    await kubectl(['rollout', 'restart', 'deployment/codesign-api', '-n', NS]);
    await until('revision 5 rolled out', async () => (await revision()) === '5' && (await podNames()).filter((p) => p.includes('codesign-api')).length === 3);
    await kubectl(['rollout', 'status', 'deployment/codesign-api', '-n', NS, '--timeout=60s']);
    await drill.setScenario('auth-failure-burst', true);
    const since = drill.status().scenarios.find((s) => s.name === 'auth-failure-burst')?.since;
    const before = await podNames();
    const uid = await kubectl(['get', 'deployment', 'codesign-api', '-n', NS, '-o', 'jsonpath={.metadata.uid}']);
    expect((await stat(path.join(dataDir, 'drill', 'state.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dataDir, 'drill', 'identity.json'))).mode & 0o777).toBe(0o600);
    const kubeconfigBefore = await drill.kubeconfig();

    await drill.restart();
    await drill.whenReady();
    const status = drill.status();
    expect(status).toMatchObject({ state: 'running', restored: true });
    // Same certificate, token and port: kubeconfigs handed out before (shells, the cockpit) still work.
    expect(await drill.kubeconfig()).toBe(kubeconfigBefore);
    expect(status.scenarios.find((s) => s.name === 'auth-failure-burst')).toMatchObject({ active: true, since });
    expect(await podNames()).toEqual(before);
    expect(await revision()).toBe('5');
    expect(await kubectl(['get', 'deployment', 'codesign-api', '-n', NS, '-o', 'jsonpath={.metadata.uid}'])).toBe(uid);
    expect(await kubectl(['rollout', 'history', 'deployment/codesign-api', '-n', NS])).toMatch(/\b5\b/);
  });

  it('resets to the seed on request, saying what it resets', async () => {
    const before = await podNames();
    const status = await drill.reset();
    expect(status.resetDescription).toMatch(/rollout history back to revision 4/);
    expect(status).toMatchObject({ state: 'running', restored: false });
    expect(status.scenarios.every((s) => !s.active)).toBe(true);
    expect(await revision()).toBe('4');
    const after = await podNames();
    expect(after.filter((p) => p.includes('codesign-api-'))).not.toEqual(before.filter((p) => p.includes('codesign-api-')));

    await drill.restart();
    await drill.whenReady();
    expect(drill.status().restored).toBe(true);
    expect(await revision()).toBe('4');
  });

  it('keeps a scenario switched on just before the drill process is killed', async () => {
    await drill.setScenario('expiring-certificate', true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(drill.status().pid as number, 'SIGKILL');
    await until('the crash to be seen', async () => drill.status().state === 'crashed');
    await drill.restart();
    await drill.whenReady();
    expect(drill.status().scenarios.find((s) => s.name === 'expiring-certificate')?.active).toBe(true);
  });

  it('names an unreadable state file, moves it aside and starts from the seed', async () => {
    await drill.stop();
    await writeFile(path.join(dataDir, 'drill', 'state.json'), '{"format": "something else"}');
    drill = new DrillContext(dataDir, new MemoryLogger(), { child: { postgres: 'none', redis: 'none' } });
    drill.start();
    await drill.whenReady();
    expect(drill.status()).toMatchObject({
      state: 'running',
      restored: false,
      restoreProblem: expect.stringMatching(/state\.json is unreadable \(format is "something else".*moved to .*state\.json\.unreadable-\d+/),
    });
  });
});
