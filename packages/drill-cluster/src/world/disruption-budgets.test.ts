import { afterEach, describe, expect, it, vi } from 'vitest';
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject } from '../types';
import { budgetStatus, decideEviction, EVICTION_REFUSED_MESSAGE } from './disruption-budgets';
import { startManualWorld, type ManualWorld } from './testing/manual-world';

const NS = 'codesign-production';
let env: ManualWorld | undefined;

vi.setConfig({ testTimeout: 30_000 });

afterEach(async () => {
  await env?.world.stop();
  env = undefined;
});

const pdb = (): KubeObject => env!.store.get(RESOURCE_KEYS.poddisruptionbudgets, NS, 'codesign-api-pdb') as KubeObject;
const apiPods = (): KubeObject[] => env!.store.list(RESOURCE_KEYS.pods, NS).filter((p) => p.metadata.labels?.app === 'codesign-api');
const budget = (name: string, spec: Record<string, unknown>): KubeObject =>
  env!.store.create(RESOURCE_KEYS.poddisruptionbudgets, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: NS }, spec });

describe('PodDisruptionBudget status', () => {
  it('is kept by the disruption controller: codesign-api (3 ready, minAvailable 2) allows one disruption', async () => {
    env = await startManualWorld();
    await env.clock.advance(1_000);
    expect(pdb().status).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1, observedGeneration: 1 });
    expect((pdb().status as { conditions: unknown[] }).conditions).toEqual([expect.objectContaining({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' })]);
  });

  it('computes percentages and maxUnavailable against the controllers’ scale', async () => {
    env = await startManualWorld();
    const percent = budget('pct', { minAvailable: '50%', selector: { matchLabels: { app: 'codesign-api' } } });
    expect(budgetStatus(env.store, percent, env.clock.now())).toMatchObject({ expectedPods: 3, desiredHealthy: 2, disruptionsAllowed: 1 });
    const unavailable = budget('unavail', { maxUnavailable: 0, selector: { matchLabels: { app: 'codesign-api' } } });
    expect(budgetStatus(env.store, unavailable, env.clock.now())).toMatchObject({ expectedPods: 3, desiredHealthy: 3, disruptionsAllowed: 0 });
    const none = budget('nil', { minAvailable: 1 });
    expect(budgetStatus(env.store, none, env.clock.now())).toMatchObject({ expectedPods: 0, currentHealthy: 0, disruptionsAllowed: 0 });
  });
});

describe('the eviction check', () => {
  it('charges the budget for an allowed eviction, then refuses the next with the budget as cause', async () => {
    env = await startManualWorld();
    await env.clock.advance(1_000);
    const [first, second] = apiPods();
    expect(decideEviction(env.store, first!, env.clock.now(), false)).toEqual({ allowed: true, budget: 'codesign-api-pdb' });
    expect(pdb().status).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { [first!.metadata.name]: expect.any(String) } });
    const refused = decideEviction(env.store, second!, env.clock.now(), false);
    expect(refused).toEqual({
      allowed: false,
      code: 429,
      reason: 'TooManyRequests',
      message: EVICTION_REFUSED_MESSAGE,
      causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget codesign-api-pdb needs 2 healthy pods and has 2 currently' }],
    });
  });

  it('writes nothing for a dry run, and lets pods go that no budget covers or that are done', async () => {
    env = await startManualWorld();
    await env.clock.advance(1_000);
    const before = pdb().metadata.resourceVersion;
    expect(decideEviction(env.store, apiPods()[0]!, env.clock.now(), true)).toEqual({ allowed: true, budget: 'codesign-api-pdb' });
    expect(pdb().metadata.resourceVersion).toBe(before);
    const redis = env.store.get(RESOURCE_KEYS.pods, NS, 'redis-0')!;
    expect(decideEviction(env.store, redis, env.clock.now(), false)).toEqual({ allowed: true });
    const done = env.store.list(RESOURCE_KEYS.pods, NS).find((p) => (p.status as { phase?: string }).phase === 'Succeeded')!;
    budget('backups', { minAvailable: 5, selector: { matchLabels: { app: 'backup' } } });
    expect(decideEviction(env.store, done, env.clock.now(), false)).toEqual({ allowed: true });
  });

  it('refuses a pod covered by two budgets, as the API server does', async () => {
    env = await startManualWorld();
    budget('second', { maxUnavailable: 1, selector: { matchLabels: { app: 'codesign-api' } } });
    const decision = decideEviction(env.store, apiPods()[0]!, env.clock.now(), false);
    expect(decision).toMatchObject({ allowed: false, code: 500, message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' });
  });
});
