import { afterEach, describe, expect, it, vi } from 'vitest';
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject } from '../types';
import { patchAutoscaler, scaleDeployment } from './kubectl-actions';
import { advanceUntil, startManualWorld, type ManualWorld } from './testing/manual-world';

const NS = 'codesign-production';
const MINUTE = 60_000;
let env: ManualWorld | undefined;

vi.setConfig({ testTimeout: 30_000 });

afterEach(async () => {
  await env?.world.stop();
  env = undefined;
});

const replicas = (): number => (env!.store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api')?.spec as { replicas: number }).replicas;
const rescales = (): string[] =>
  env!.store
    .list(RESOURCE_KEYS.events, NS)
    .filter((e) => e.reason === 'SuccessfulRescale')
    .map((e) => String(e.message));

describe('the HPA acts', () => {
  it('undoes a manual scale above what CPU needs once its stabilization window has only lower recommendations', async () => {
    env = await startManualWorld();
    await env.clock.advance(MINUTE);
    scaleDeployment(env.store, NS, 'codesign-api', 6);
    await advanceUntil(env.clock, () => replicas() === 3, 'the HPA to scale back to 3', 10 * MINUTE, 5_000);
    expect(rescales()).toContain('New size: 3; reason: All metrics below target');
  });

  it('holds a stabilization window before scaling down after it scaled up', async () => {
    env = await startManualWorld();
    env.world.scenarios.inject('high-latency');
    patchAutoscaler(env.store, NS, 'codesign-api-hpa', { maxReplicas: 10 });
    await advanceUntil(env.clock, () => replicas() > 3, 'a scale-up', 2 * MINUTE);
    // First step by the policies: at most double or +4 pods per 15 s.
    expect(replicas()).toBeLessThanOrEqual(7);
    await advanceUntil(env.clock, () => replicas() >= 8, 'the HPA to reach what the surge needs', 3 * MINUTE);
    expect(replicas()).toBeLessThanOrEqual(10);
    const peak = replicas();
    env.world.scenarios.clear('high-latency');
    await env.clock.advance(2 * MINUTE);
    expect(replicas()).toBe(peak);
    await advanceUntil(env.clock, () => replicas() === 3, 'the scale-down after the window', 10 * MINUTE, 5_000);
  });

  it('brings a count below minReplicas up at once, and a raised minReplicas holds more pods', async () => {
    env = await startManualWorld();
    scaleDeployment(env.store, NS, 'codesign-api', 1);
    await advanceUntil(env.clock, () => replicas() === 3, 'min replicas', 2 * MINUTE);
    expect(rescales()).toContain('New size: 3; reason: Current number of replicas below Spec.MinReplicas');
    patchAutoscaler(env.store, NS, 'codesign-api-hpa', { minReplicas: 5 });
    await advanceUntil(env.clock, () => replicas() === 5, 'the raised minimum', 2 * MINUTE);
    await env.clock.advance(10 * MINUTE);
    expect(replicas()).toBe(5);
    const hpa = env.store.get(RESOURCE_KEYS.horizontalpodautoscalers, NS, 'codesign-api-hpa') as KubeObject;
    expect(hpa.status).toMatchObject({ currentReplicas: 5, desiredReplicas: 5, lastScaleTime: expect.any(String) });
  });
});
