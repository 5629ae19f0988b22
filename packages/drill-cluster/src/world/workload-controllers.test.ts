import { afterEach, describe, expect, it, vi } from 'vitest';
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject } from '../types';
import { isPodReady } from './controller-context';
import { COMPLETES_AFTER_ANNOTATION } from './job-controllers';
import { rolloutRestart } from './kubectl-actions';
import { parseTime, utcDateStamp } from './object-names';
import { advanceUntil, startManualWorld, type ManualWorld } from './testing/manual-world';

const NS = 'codesign-production';
const DAY = 24 * 60 * 60 * 1000;
let env: ManualWorld | undefined;

// Each test runs many simulated minutes, a few milliseconds of real time per simulated second.
vi.setConfig({ testTimeout: 30_000 });

afterEach(async () => {
  await env?.world.stop();
  env = undefined;
});

function waitingReason(pod: KubeObject): string | undefined {
  return (pod.status as { containerStatuses?: Array<{ state: { waiting?: { reason: string } } }> } | undefined)?.containerStatuses?.[0]?.state.waiting?.reason;
}

function podsOf(app: string): KubeObject[] {
  return env!.store.list(RESOURCE_KEYS.pods, NS).filter((p) => p.metadata.labels?.app === app);
}

describe('replicaset controller', () => {
  it('replaces a deleted pod with a fresh one that becomes Ready', async () => {
    env = await startManualWorld();
    const { store, clock } = env;
    const victim = podsOf('codesign-api')[0] as KubeObject;
    store.delete(RESOURCE_KEYS.pods, NS, victim.metadata.name);
    await advanceUntil(clock, () => podsOf('codesign-api').filter(isPodReady).length === 3, 'replacement pod ready');
    const names = podsOf('codesign-api').map((p) => p.metadata.name);
    expect(names).not.toContain(victim.metadata.name);
    expect(names.every((n) => n.startsWith(victim.metadata.ownerReferences?.[0]?.name ?? '?'))).toBe(true);
    const replacement = podsOf('codesign-api').find((p) => p.metadata.uid !== victim.metadata.uid && Date.parse(p.metadata.creationTimestamp ?? '') >= clock.now() - 60_000);
    expect((replacement?.spec as { nodeName?: string }).nodeName).toMatch(/^drill-node-\d$/);
    const reasons = store.list(RESOURCE_KEYS.events, NS).filter((e) => (e.involvedObject as { name: string }).name === replacement?.metadata.name).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Scheduled', 'Pulled', 'Created', 'Started']));
  });

  it('brings pods up through Pending and ContainerCreating before Running and Ready', async () => {
    env = await startManualWorld();
    const { store, clock } = env;
    for (const pod of podsOf('celery-worker')) store.delete(RESOURCE_KEYS.pods, NS, pod.metadata.name);
    const seen = new Set<string>();
    const unsubscribe = store.subscribe((event) => {
      if (event.resource !== RESOURCE_KEYS.pods || event.object.metadata.labels?.app !== 'celery-worker') return;
      const status = (event.object.status ?? {}) as { phase?: string; containerStatuses?: Array<{ state: Record<string, { reason?: string }> }> };
      const waiting = status.containerStatuses?.[0]?.state.waiting?.reason;
      seen.add(waiting ? `${status.phase}/${waiting}` : `${status.phase}${isPodReady(event.object) ? '/Ready' : ''}`);
    });
    await advanceUntil(clock, () => podsOf('celery-worker').filter(isPodReady).length === 2, 'celery pods ready');
    unsubscribe();
    expect([...seen]).toEqual(expect.arrayContaining(['Pending', 'Pending/ContainerCreating', 'Running/Ready']));
  });
});

describe('secret rotation', () => {
  it('holds new pods in CreateContainerConfigError while codesign-secrets is missing, and starts them once it is back', async () => {
    env = await startManualWorld();
    const { store, clock, world } = env;
    store.delete(RESOURCE_KEYS.secrets, NS, 'codesign-secrets');
    rolloutRestart(store, NS, 'codesign-api', clock.now());
    await advanceUntil(clock, () => podsOf('codesign-api').some((p) => waitingReason(p) === 'CreateContainerConfigError'), 'config error');
    const stuck = podsOf('codesign-api').find((p) => waitingReason(p) === 'CreateContainerConfigError') as KubeObject;
    const failed = store.list(RESOURCE_KEYS.events, NS).find((e) => e.reason === 'Failed' && (e.involvedObject as { name: string }).name === stuck.metadata.name);
    expect(failed?.message).toBe('Error: secret "codesign-secrets" not found');
    expect(podsOf('codesign-api').filter(isPodReady)).toHaveLength(3);

    const rotated = Buffer.from('rotated-password').toString('base64');
    store.create(RESOURCE_KEYS.secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'codesign-secrets', namespace: NS },
      type: 'Opaque',
      data: { 'postgres-password': rotated, 'redis-password': rotated, 'secret-key': rotated },
    });
    await advanceUntil(clock, () => isPodReady(store.get(RESOURCE_KEYS.pods, NS, stuck.metadata.name) ?? stuck), 'pod starts with the new secret');
    expect(world.podRef(NS, stuck.metadata.name)!.containers[0]!.env.POSTGRES_PASSWORD).toBe('rotated-password');
  });
});

describe('statefulset controller', () => {
  it('recreates postgres-0 under the same name with its claim', async () => {
    env = await startManualWorld();
    const { store, clock } = env;
    const before = store.get(RESOURCE_KEYS.pods, NS, 'postgres-0') as KubeObject;
    store.delete(RESOURCE_KEYS.pods, NS, 'postgres-0');
    await advanceUntil(clock, () => {
      const pod = store.get(RESOURCE_KEYS.pods, NS, 'postgres-0');
      return pod !== undefined && pod.metadata.uid !== before.metadata.uid && isPodReady(pod);
    }, 'postgres-0 back');
    const pod = store.get(RESOURCE_KEYS.pods, NS, 'postgres-0') as KubeObject;
    const volumes = (pod.spec as { volumes: Array<{ persistentVolumeClaim?: { claimName: string } }> }).volumes;
    expect(volumes.map((v) => v.persistentVolumeClaim?.claimName)).toContain('data-postgres-0');
    const sts = store.get(RESOURCE_KEYS.statefulsets, NS, 'postgres') as KubeObject;
    expect((sts.status as { readyReplicas: number }).readyReplicas).toBe(1);
  });

  it('binds a new claim to a freshly provisioned volume', async () => {
    env = await startManualWorld();
    const { store, clock } = env;
    store.create(RESOURCE_KEYS.persistentvolumeclaims, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'scratch', namespace: NS },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } },
    });
    await advanceUntil(clock, () => (store.get(RESOURCE_KEYS.persistentvolumeclaims, NS, 'scratch')?.status as { phase?: string } | undefined)?.phase === 'Bound', 'claim bound');
    const claim = store.get(RESOURCE_KEYS.persistentvolumeclaims, NS, 'scratch') as KubeObject;
    const volume = store.get(RESOURCE_KEYS.persistentvolumes, undefined, (claim.spec as { volumeName: string }).volumeName) as KubeObject;
    expect((volume.spec as { claimRef: { name: string } }).claimRef.name).toBe('scratch');
    expect((volume.spec as { capacity: { storage: string } }).capacity.storage).toBe('2Gi');
  });
});

describe('job and cronjob controllers', () => {
  it('runs a job created from the backup template to Completed', async () => {
    env = await startManualWorld();
    const { store, clock } = env;
    const cron = store.get(RESOURCE_KEYS.cronjobs, NS, 'backup') as KubeObject;
    const jobSpec = structuredClone((cron.spec as { jobTemplate: { spec: Record<string, unknown> } }).jobTemplate.spec);
    store.create(RESOURCE_KEYS.jobs, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'backup-manual', namespace: NS, annotations: { [COMPLETES_AFTER_ANNOTATION]: '30' } },
      spec: jobSpec,
    });
    await advanceUntil(clock, () => {
      const job = store.get(RESOURCE_KEYS.jobs, NS, 'backup-manual');
      return ((job?.status as { conditions?: Array<{ type: string }> } | undefined)?.conditions ?? []).some((c) => c.type === 'Complete');
    }, 'job complete');
    const pod = podsOf('backup').find((p) => p.metadata.labels?.['job-name'] === 'backup-manual') as KubeObject;
    const status = pod.status as { phase: string; containerStatuses: Array<{ state: { terminated?: { reason: string; exitCode: number } } }> };
    expect(status.phase).toBe('Succeeded');
    expect(status.containerStatuses[0]?.state.terminated).toMatchObject({ reason: 'Completed', exitCode: 0 });
    expect((store.get(RESOURCE_KEYS.jobs, NS, 'backup-manual')?.status as { succeeded: number }).succeeded).toBe(1);
  });

  it("makes the next day's backup-job-YYYYMMDD when the simulated clock passes midnight", async () => {
    env = await startManualWorld({ start: Date.UTC(2026, 10, 28, 23, 57, 0) });
    const { store, clock } = env;
    const start = clock.now();
    const midnight = Math.ceil(start / DAY) * DAY;
    expect(store.get(RESOURCE_KEYS.jobs, NS, `backup-job-${utcDateStamp(start)}`)).toBeDefined();
    const tomorrow = `backup-job-${utcDateStamp(midnight)}`;
    expect(store.get(RESOURCE_KEYS.jobs, NS, tomorrow)).toBeUndefined();
    await clock.advance(midnight - start + 30_000);
    await advanceUntil(clock, () => store.get(RESOURCE_KEYS.jobs, NS, tomorrow) !== undefined, 'next backup job', 5 * 60_000, 15_000);
  });
});

describe('certificate controller', () => {
  it('recreates a deleted codesign-tls certificate and issues it for 90 days with a new secret', async () => {
    env = await startManualWorld();
    const { store, clock } = env;
    const oldSecret = store.get(RESOURCE_KEYS.secrets, NS, 'codesign-tls') as KubeObject;
    store.delete(RESOURCE_KEYS.certificates, NS, 'codesign-tls');
    let sawIssuing = false;
    await advanceUntil(clock, () => {
      const cert = store.get(RESOURCE_KEYS.certificates, NS, 'codesign-tls');
      const conditions = ((cert?.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []);
      if (conditions.some((c) => c.type === 'Issuing' && c.status === 'True')) sawIssuing = true;
      return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
    }, 'certificate ready');
    expect(sawIssuing).toBe(true);
    const cert = store.get(RESOURCE_KEYS.certificates, NS, 'codesign-tls') as KubeObject;
    const notAfter = parseTime((cert.status as { notAfter: string }).notAfter) as number;
    expect(notAfter - clock.now()).toBeGreaterThan(89 * DAY);
    const secret = store.get(RESOURCE_KEYS.secrets, NS, 'codesign-tls') as KubeObject;
    expect((secret.data as Record<string, string>)['tls.crt']).not.toBe((oldSecret.data as Record<string, string>)['tls.crt']);
    expect(secret.type).toBe('kubernetes.io/tls');
  });
});
