import { afterEach, describe, expect, it, vi } from 'vitest';
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject } from '../types';
import { isPodReady } from './controller-context';
import { BAD_IMAGE } from './drill-world';
import { patchAutoscaler, patchMemoryLimit, rolloutRestart, rolloutUndo, scaleDeployment, setImage } from './kubectl-actions';
import { parseTime } from './object-names';
import { parseQuantity } from './quantities';
import { advanceUntil, startManualWorld, type ManualWorld } from './testing/manual-world';
import { evaluateThresholds, parseExposition, type ThresholdValues } from './threshold-evaluation';

const NS = 'codesign-production';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
let env: ManualWorld | undefined;

// Each test runs many simulated minutes, a few milliseconds of real time per simulated second.
vi.setConfig({ testTimeout: 30_000 });

afterEach(async () => {
  await env?.world.stop();
  env = undefined;
});

function apiPods(): KubeObject[] {
  return env!.store.list(RESOURCE_KEYS.pods, NS).filter((p) => p.metadata.labels?.app === 'codesign-api');
}

function deployment(): KubeObject {
  return env!.store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api') as KubeObject;
}

function condition(object: KubeObject, type: string): { status: string; reason: string; message: string } | undefined {
  return ((object.status as { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } | undefined)?.conditions ?? []).find(
    (c) => c.type === type,
  );
}

function rolledOut(): boolean {
  const d = deployment();
  const status = (d.status ?? {}) as Record<string, number | undefined>;
  const replicas = (d.spec as { replicas: number }).replicas;
  return (
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
    status.updatedReplicas === replicas &&
    status.replicas === replicas &&
    status.availableReplicas === replicas &&
    condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable'
  );
}

/** The six runbook figures over the next five simulated minutes, as Prometheus would compute them. */
async function thresholdsOverFiveMinutes(): Promise<ThresholdValues> {
  const { world, clock } = env!;
  const before = parseExposition(world.prometheusText());
  await clock.advance(5 * MINUTE);
  return evaluateThresholds(before, parseExposition(world.prometheusText()), 300);
}

interface ContainerStatusView {
  restartCount: number;
  ready: boolean;
  state: Record<string, { reason?: string; exitCode?: number }>;
  lastState: { terminated?: { reason: string; exitCode: number } };
}

/** The first container's status; a pending pod's is all zeros. */
function containerStatus(pod: KubeObject): ContainerStatusView {
  const statuses = (pod.status as { containerStatuses?: ContainerStatusView[] } | undefined)?.containerStatuses;
  return statuses?.[0] ?? { restartCount: 0, ready: false, state: {}, lastState: {} };
}

function apiCpuMillis(): number[] {
  return env!.world
    .podMetrics(NS)
    .filter((m) => m.metadata.name.startsWith('codesign-api-'))
    .map((m) => Math.round((parseQuantity((m.containers as Array<{ usage: { cpu: string } }>)[0]?.usage.cpu) ?? 0) * 1000));
}

describe('the world at rest', () => {
  it('stays under every runbook warning threshold', async () => {
    env = await startManualWorld();
    const t = await thresholdsOverFiveMinutes();
    expect(t.apiLatencyP95).toBeLessThan(2);
    expect(t.errorRate).toBeLessThan(5);
    expect(t.cpuUsage).toBeLessThan(70);
    expect(t.memoryUsage).toBeLessThan(80);
    expect(t.diskUsage).toBeLessThan(80);
    expect(t.postgresConnections).toBeLessThan(150);
    expect(env.world.scenarios.active()).toEqual([]);
  });
});

describe('high-latency', () => {
  it('pushes P95 over 5s and CPU up; scaling codesign-api to 5 brings both back down', async () => {
    env = await startManualWorld();
    const { world, store, clock } = env;
    const calmCpu = Math.max(...apiCpuMillis());
    world.scenarios.inject('high-latency');
    expect(world.scenarios.active()).toEqual(['high-latency']);
    const hot = await thresholdsOverFiveMinutes();
    expect(hot.apiLatencyP95).toBeGreaterThan(5);
    expect(hot.apiLatencyP95).toBeLessThan(10);
    expect(hot.cpuUsage).toBeGreaterThan(90);
    const hotCpu = Math.min(...apiCpuMillis());
    expect(hotCpu).toBeGreaterThan(calmCpu * 2);
    const profile = world.podRef(NS, apiPods()[0]!.metadata.name)!.logProfile();
    expect(profile.latencyMs.p95).toBeGreaterThan(2000);

    // The HPA is capped at the current 3 pods: a bare scale-up is undone on its next sync.
    const capped = store.get(RESOURCE_KEYS.horizontalpodautoscalers, NS, 'codesign-api-hpa') as KubeObject;
    expect(capped.spec).toMatchObject({ minReplicas: 3, maxReplicas: 3 });
    scaleDeployment(store, NS, 'codesign-api', 5);
    await clock.advance(30_000);
    expect((deployment().spec as { replicas: number }).replicas).toBe(3);

    // Raising the HPA's max lets it scale up within the new limit, and the surge is absorbed.
    patchAutoscaler(store, NS, 'codesign-api-hpa', { maxReplicas: 10 });
    await advanceUntil(clock, () => (deployment().spec as { replicas: number }).replicas >= 5 && rolledOut(), 'the HPA to scale up');
    expect((deployment().spec as { replicas: number }).replicas).toBeLessThanOrEqual(10);
    // The queue drains in seconds; the next five minutes are calm.
    await clock.advance(MINUTE);
    const eased = await thresholdsOverFiveMinutes();
    expect(eased.apiLatencyP95).toBeLessThan(2);
    expect(eased.cpuUsage).toBeLessThan(70);
    expect(Math.max(...apiCpuMillis())).toBeLessThan(hotCpu);
    expect(store.list(RESOURCE_KEYS.events, NS).some((e) => e.reason === 'SuccessfulRescale')).toBe(true);
  });
});

describe('error-spike', () => {
  it('drives 5xx over 10% with readiness flapping; rollout restart clears it', async () => {
    env = await startManualWorld();
    const { world, store, clock } = env;
    world.scenarios.inject('error-spike');
    let sawNotReady = false;
    const unsubscribe = store.subscribe((e) => {
      if (e.resource === RESOURCE_KEYS.pods && e.object.metadata.labels?.app === 'codesign-api' && e.object.status && !isPodReady(e.object)) sawNotReady = true;
    });
    const spiking = await thresholdsOverFiveMinutes();
    unsubscribe();
    expect(spiking.errorRate).toBeGreaterThan(10);
    expect(sawNotReady).toBe(true);
    const unhealthy = store.list(RESOURCE_KEYS.events, NS).filter((e) => e.reason === 'Unhealthy');
    expect(unhealthy.length).toBeGreaterThan(0);

    rolloutRestart(store, NS, 'codesign-api', clock.now());
    await advanceUntil(clock, rolledOut, 'restart rollout');
    await clock.advance(MINUTE);
    const after = await thresholdsOverFiveMinutes();
    expect(after.errorRate).toBeLessThan(5);
    expect(apiPods().every(isPodReady)).toBe(true);
  });
});

describe('memory-leak', () => {
  it('grows memory to the limit and OOM-kills; rollout restart gives fresh pods; a 3Gi limit buys time', async () => {
    env = await startManualWorld();
    const { world, store, clock } = env;
    world.scenarios.inject('memory-leak');
    const early = await thresholdsOverFiveMinutes();
    await clock.advance(MINUTE);
    const later = await thresholdsOverFiveMinutes();
    expect(later.memoryUsage).toBeGreaterThan(early.memoryUsage);
    expect(early.memoryUsage).toBeGreaterThan(70);

    await advanceUntil(clock, () => apiPods().every((p) => containerStatus(p).restartCount >= 1), 'OOM kills', 30 * MINUTE);
    const victim = apiPods()[0] as KubeObject;
    expect(containerStatus(victim).lastState.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(store.list(RESOURCE_KEYS.events, NS).some((e) => e.reason === 'OOMKilled')).toBe(true);

    rolloutRestart(store, NS, 'codesign-api', clock.now());
    await advanceUntil(clock, rolledOut, 'restart rollout');
    const fresh = apiPods();
    expect(fresh.every((p) => containerStatus(p).restartCount === 0)).toBe(true);
    const restarted = await thresholdsOverFiveMinutes();
    expect(restarted.memoryUsage).toBeLessThan(50);
    // The leaking instances are gone: the scenario ended itself, naming the restart.
    expect(world.scenarios.active()).not.toContain('memory-leak');
    expect(world.scenarios.endings?.().get('memory-leak')?.change).toMatch(/^rollout restart of deployment\/codesign-api/);

    // Again, to see what the runbook's 3Gi limit buys while the leak runs.
    world.scenarios.inject('memory-leak');
    const leaking = apiPods()[0]!.metadata.name;
    const oomIn2Gi = world.model.msUntilOom(world.podSim(NS, leaking)!, world.podSim(NS, leaking)!.containers[0]!);
    expect(oomIn2Gi).toBeLessThan(Infinity);
    patchMemoryLimit(store, NS, 'codesign-api', 'codesign-api', '3Gi');
    const with3Gi = (): KubeObject | undefined =>
      apiPods().find(
        (p) =>
          (p.spec as { containers: Array<{ resources: { limits: { memory: string } } }> }).containers[0]?.resources.limits.memory === '3Gi' &&
          world.podSim(NS, p.metadata.name)?.containers[0]?.state === 'running',
      );
    await advanceUntil(clock, () => with3Gi() !== undefined, 'a pod with the 3Gi limit running');
    const pod = with3Gi() as KubeObject;
    const sim = world.podSim(NS, pod.metadata.name)!;
    expect(world.model.msUntilOom(sim, sim.containers[0]!)).toBeGreaterThan(oomIn2Gi + 15 * MINUTE);
  });
});

describe('db-connection-exhaustion', () => {
  it('takes PostgreSQL to 190+ connections with exhausted pools; restarting codesign-api releases them', async () => {
    env = await startManualWorld();
    const { world, store, clock } = env;
    world.scenarios.inject('db-connection-exhaustion');
    const exhausted = await thresholdsOverFiveMinutes();
    expect(exhausted.postgresConnections).toBeGreaterThanOrEqual(190);
    const profile = world.podRef(NS, apiPods()[0]!.metadata.name)!.logProfile();
    expect(profile.dbPool.exhausted).toBe(true);
    expect(world.podRef(NS, 'postgres-0')!.logProfile().dbPool.exhausted).toBe(true);

    rolloutRestart(store, NS, 'codesign-api', clock.now());
    await advanceUntil(clock, rolledOut, 'restart rollout');
    const after = await thresholdsOverFiveMinutes();
    expect(after.postgresConnections).toBeLessThan(150);
    expect(world.podRef(NS, apiPods()[0]!.metadata.name)!.logProfile().dbPool.exhausted).toBe(false);
  });

  it('is also resolved by terminating the idle connections in postgres-0', async () => {
    env = await startManualWorld();
    const { world } = env;
    world.scenarios.inject('db-connection-exhaustion');
    expect(world.model.dbConnections().byState.idle).toBeGreaterThan(150);
    expect(world.terminateIdleConnections()).toBeGreaterThan(140);
    const after = await thresholdsOverFiveMinutes();
    expect(after.postgresConnections).toBeLessThan(150);
    expect(world.podRef(NS, 'postgres-0')!.logProfile().dbPool.exhausted).toBe(false);
  });
});

describe('bad-deploy', () => {
  it('rolls out a crash-looping revision that times out; rollout undo restores the previous one', async () => {
    env = await startManualWorld();
    const { world, store, clock } = env;
    world.scenarios.inject('bad-deploy');
    await advanceUntil(clock, () => deployment().metadata.annotations?.['deployment.kubernetes.io/revision'] === '5', 'bad revision');
    await advanceUntil(clock, () => apiPods().some((p) => containerStatus(p).state.waiting?.reason === 'CrashLoopBackOff'), 'crash loop');
    const crashing = apiPods().find((p) => (p.spec as { containers: Array<{ image: string }> }).containers[0]?.image === BAD_IMAGE) as KubeObject;
    expect(containerStatus(crashing).lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(world.podRef(NS, crashing.metadata.name)!.logProfile().crashLooping).toBe(true);
    expect(apiPods().filter(isPodReady)).toHaveLength(3);

    await advanceUntil(clock, () => condition(deployment(), 'Progressing')?.reason === 'ProgressDeadlineExceeded', 'progress deadline', 15 * MINUTE);
    expect(condition(deployment(), 'Progressing')?.status).toBe('False');
    expect(containerStatus(store.get(RESOURCE_KEYS.pods, NS, crashing.metadata.name)!).restartCount).toBeGreaterThan(3);

    expect(rolloutUndo(store, NS, 'codesign-api')).toBe(4);
    await advanceUntil(clock, rolledOut, 'undo rollout');
    expect(deployment().metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('6');
    for (const pod of apiPods()) {
      expect((pod.spec as { containers: Array<{ image: string }> }).containers[0]?.image).toBe('codesign-playground:v2.0.3');
      expect(isPodReady(pod)).toBe(true);
    }
  });

  it('crash-loops any image set while it is active that did not run before', async () => {
    env = await startManualWorld();
    const { world, store, clock } = env;
    world.scenarios.inject('bad-deploy');
    await advanceUntil(clock, () => apiPods().some((p) => containerStatus(p).state.waiting?.reason === 'CrashLoopBackOff'), 'crash loop');
    setImage(store, NS, 'codesign-api', 'codesign-api', 'codesign-playground:v2.1.0');
    await advanceUntil(
      clock,
      () => apiPods().some((p) => (p.spec as { containers: Array<{ image: string }> }).containers[0]?.image === 'codesign-playground:v2.1.0' && containerStatus(p).restartCount > 0),
      'v2.1.0 crashing',
    );
    world.scenarios.clear('bad-deploy');
    await advanceUntil(clock, rolledOut, 'healthy once cleared', 10 * MINUTE);
  });
});

describe('expiring-certificate', () => {
  it('leaves days on codesign-tls with renewal failing; deleting it gets a fresh 90-day certificate', async () => {
    env = await startManualWorld();
    const { world, store, clock } = env;
    world.scenarios.inject('expiring-certificate');
    const cert = store.get(RESOURCE_KEYS.certificates, NS, 'codesign-tls') as KubeObject;
    const notAfter = parseTime((cert.status as { notAfter: string }).notAfter) as number;
    expect(notAfter - clock.now()).toBeLessThan(7 * DAY);
    expect(condition(cert, 'Ready')?.message).toMatch(/expires in 5 days/);
    expect(condition(cert, 'Issuing')).toMatchObject({ status: 'False', reason: 'Failed' });
    const text = world.prometheusText();
    expect(text).toContain(`certmanager_certificate_expiration_timestamp_seconds{name="codesign-tls"`);

    store.delete(RESOURCE_KEYS.certificates, NS, 'codesign-tls');
    await advanceUntil(clock, () => {
      const fresh = store.get(RESOURCE_KEYS.certificates, NS, 'codesign-tls');
      return fresh !== undefined && condition(fresh, 'Ready')?.status === 'True';
    }, 'reissued certificate');
    const fresh = store.get(RESOURCE_KEYS.certificates, NS, 'codesign-tls') as KubeObject;
    expect((parseTime((fresh.status as { notAfter: string }).notAfter) as number) - clock.now()).toBeGreaterThan(89 * DAY);
  });
});

describe('auth-failure-burst', () => {
  it('turns a third of the requests into 401s until cleared', async () => {
    env = await startManualWorld();
    const { world } = env;
    world.scenarios.inject('auth-failure-burst');
    const podName = apiPods()[0]!.metadata.name;
    expect(world.podRef(NS, podName)!.logProfile().authFailureRatio).toBeGreaterThan(0.3);
    const before = parseExposition(world.prometheusText());
    await env.clock.advance(5 * MINUTE);
    const after = parseExposition(world.prometheusText());
    const delta = (status?: string): number =>
      after.filter((s) => s.name === 'http_requests_total' && (!status || s.labels.status === status)).reduce((n, s) => n + s.value, 0) -
      before.filter((s) => s.name === 'http_requests_total' && (!status || s.labels.status === status)).reduce((n, s) => n + s.value, 0);
    expect(delta('401') / delta()).toBeGreaterThan(0.3);
    world.scenarios.clear('auth-failure-burst');
    expect(world.podRef(NS, podName)!.logProfile().authFailureRatio).toBeLessThan(0.05);
    expect(world.scenarios.active()).toEqual([]);
  });
});
