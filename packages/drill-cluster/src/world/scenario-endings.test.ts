import { afterEach, describe, expect, it, vi } from 'vitest';
import { RESOURCE_KEYS } from '../resources';
import type { ScenarioName } from '../types';
import { patchAutoscaler, rolloutRestart, rolloutUndo } from './kubectl-actions';
import { advanceUntil, startManualWorld, type ManualWorld } from './testing/manual-world';

const NS = 'codesign-production';
const MINUTE = 60_000;
let env: ManualWorld | undefined;

vi.setConfig({ testTimeout: 30_000 });

afterEach(async () => {
  await env?.world.stop();
  env = undefined;
});

function active(name: ScenarioName): boolean {
  return env!.world.scenarios.active().includes(name);
}

/** Switches `name` on, lets the fault show for a few minutes, and checks it does not end on its own. */
async function injectAndHold(name: ScenarioName): Promise<ManualWorld> {
  env = await startManualWorld();
  let changes = 0;
  env.world.scenarios.onDidChange?.(() => changes++);
  env.world.scenarios.inject(name);
  expect(changes).toBe(1);
  expect(env.world.scenarios.since?.(name)).toBe(env.clock.now());
  await env.clock.advance(3 * MINUTE);
  expect(active(name)).toBe(true);
  return env;
}

async function endsWith(name: ScenarioName, change: RegExp): Promise<void> {
  const { clock, world } = env!;
  let told = 0;
  world.scenarios.onDidChange?.(() => told++);
  await advanceUntil(clock, () => !active(name), `${name} to end itself`, 20 * MINUTE);
  expect(told).toBe(1);
  const ending = world.scenarios.endings?.().get(name);
  expect(ending).toMatchObject({ at: expect.any(Number), change: expect.stringMatching(change) });
}

describe('scenarios end themselves when the cluster no longer shows their fault', () => {
  it('error-spike, by the rollout restart', async () => {
    const { store, clock } = await injectAndHold('error-spike');
    rolloutRestart(store, NS, 'codesign-api', clock.now());
    await endsWith('error-spike', /^rollout restart of deployment\/codesign-api, revision 5$/);
  });

  it('bad-deploy, by the rollout undo', async () => {
    const { store, clock } = await injectAndHold('bad-deploy');
    await clock.advance(2 * MINUTE);
    expect(rolloutUndo(store, NS, 'codesign-api')).toBe(4);
    await endsWith('bad-deploy', /^rollout undo of deployment\/codesign-api to codesign-playground:v2\.0\.3, revision 6$/);
  });

  it('memory-leak, by replacing the leaking pods (not by their OOM restarts)', async () => {
    const { store, clock } = await injectAndHold('memory-leak');
    await clock.advance(20 * MINUTE);
    expect(active('memory-leak')).toBe(true);
    for (const pod of store.list(RESOURCE_KEYS.pods, NS).filter((p) => p.metadata.labels?.app === 'codesign-api')) {
      store.delete(RESOURCE_KEYS.pods, NS, pod.metadata.name);
    }
    await endsWith('memory-leak', /^3 codesign-api pods replaced \(codesign-api-/);
  });

  it('db-connection-exhaustion, by terminating the idle connections', async () => {
    const { world } = await injectAndHold('db-connection-exhaustion');
    const terminated = world.terminateIdleConnections?.() ?? 0;
    expect(terminated).toBeGreaterThan(100);
    await endsWith('db-connection-exhaustion', new RegExp(`^pg_terminate_backend of ${terminated} idle connections in postgres-0$`));
  });

  it('expiring-certificate, by deleting the certificate so cert-manager reissues it', async () => {
    const { store } = await injectAndHold('expiring-certificate');
    store.delete(RESOURCE_KEYS.certificates, NS, 'codesign-tls');
    await endsWith('expiring-certificate', /^Certificate codesign-tls deleted and reissued/);
  });

  it('high-latency, by scaling codesign-api up', async () => {
    const { store } = await injectAndHold('high-latency');
    patchAutoscaler(store, NS, 'codesign-api-hpa', { maxReplicas: 10 });
    await endsWith('high-latency', /^scale of deployment\/codesign-api from 3 to \d+ replicas; HPA codesign-api-hpa maxReplicas from 3 to 10$/);
  });

  it('auth-failure-burst only when switched off, and a new injection forgets the old ending', async () => {
    const { clock, world, store } = await injectAndHold('auth-failure-burst');
    await clock.advance(10 * MINUTE);
    expect(active('auth-failure-burst')).toBe(true);
    world.scenarios.clear('auth-failure-burst');
    expect(world.scenarios.endings?.().has('auth-failure-burst')).toBe(false);

    world.scenarios.inject('error-spike');
    rolloutRestart(store, NS, 'codesign-api', clock.now());
    await advanceUntil(clock, () => !active('error-spike'), 'error-spike to end', 20 * MINUTE);
    expect(world.scenarios.endings?.().has('error-spike')).toBe(true);
    world.scenarios.inject('error-spike');
    expect(world.scenarios.endings?.().has('error-spike')).toBe(false);
  });
});
