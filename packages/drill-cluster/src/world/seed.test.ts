import { afterEach, describe, expect, it } from 'vitest';
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject } from '../types';
import { isPodReady } from './controller-context';
import { revisionOf } from './deployment-controller';
import { replicaSetsOf } from './kubectl-actions';
import { utcDateStamp } from './object-names';
import { startManualWorld, type ManualWorld } from './testing/manual-world';

const NS = 'codesign-production';
let env: ManualWorld | undefined;

afterEach(async () => {
  await env?.world.stop();
  env = undefined;
});

function names(resource: string, namespace?: string): string[] {
  return env!.store.list(resource, namespace).map((o) => o.metadata.name).sort();
}

describe('seeded world', () => {
  it('has the namespaces, nodes and workloads the runbook touches', async () => {
    env = await startManualWorld();
    const { store, clock } = env;
    expect(names(RESOURCE_KEYS.namespaces)).toEqual(['cert-manager', 'codesign-production', 'default', 'kube-system', 'monitoring']);
    const nodes = store.list(RESOURCE_KEYS.nodes);
    expect(nodes.map((n) => n.metadata.name)).toEqual(['drill-node-1', 'drill-node-2', 'drill-node-3']);
    for (const node of nodes) {
      const status = node.status as { capacity: Record<string, string>; allocatable: Record<string, string>; conditions: Array<{ type: string; status: string }>; nodeInfo: { kubeletVersion: string } };
      expect(status.capacity).toMatchObject({ cpu: '4', pods: '110' });
      expect(status.allocatable.memory).toMatch(/Ki$/);
      expect(status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(status.nodeInfo.kubeletVersion).toMatch(/^v1\.\d+/);
      expect(node.metadata.labels?.['node-role.kubernetes.io/worker']).toBe('');
    }
    expect(names(RESOURCE_KEYS.deployments, NS)).toEqual(['celery-worker', 'codesign-api']);
    const api = store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api') as KubeObject;
    const spec = api.spec as {
      replicas: number;
      revisionHistoryLimit: number;
      strategy: { rollingUpdate: { maxSurge: string; maxUnavailable: string } };
      template: { metadata: { labels: Record<string, string> }; spec: { containers: Array<{ name: string; image: string; env: Array<{ name: string }>; readinessProbe: unknown; resources: { requests: Record<string, string>; limits: Record<string, string> } }> } };
    };
    expect(spec.replicas).toBe(3);
    expect(spec.revisionHistoryLimit).toBe(10);
    expect(spec.strategy.rollingUpdate).toEqual({ maxSurge: '25%', maxUnavailable: '25%' });
    expect(spec.template.metadata.labels.app).toBe('codesign-api');
    const container = spec.template.spec.containers[0]!;
    expect(container).toMatchObject({ name: 'codesign-api', image: 'codesign-playground:v2.0.3' });
    expect(container.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } });
    expect(container.readinessProbe).toBeDefined();
    expect(container.env.map((e) => e.name)).toEqual(expect.arrayContaining(['DB_POOL_SIZE', 'CACHE_SIZE_MB', 'CIRCUIT_BREAKER_ENABLED']));

    const sets = replicaSetsOf(store, api);
    expect(sets.map(revisionOf)).toEqual([1, 2, 3, 4]);
    expect(sets.map((rs) => (rs.spec as { replicas: number }).replicas)).toEqual([0, 0, 0, 3]);
    for (const rs of sets) {
      expect(rs.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'codesign-api', uid: api.metadata.uid, controller: true });
      expect(rs.metadata.name).toBe(`codesign-api-${rs.metadata.labels?.['pod-template-hash']}`);
      expect(rs.metadata.annotations?.['kubernetes.io/change-cause']).toMatch(/codesign-playground:v2\.0\.\d/);
    }
    const current = sets[3] as KubeObject;
    const apiPods = store.list(RESOURCE_KEYS.pods, NS).filter((p) => p.metadata.labels?.app === 'codesign-api');
    expect(apiPods).toHaveLength(3);
    for (const pod of apiPods) {
      expect(pod.metadata.name).toMatch(new RegExp(`^${current.metadata.name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(pod.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', uid: current.metadata.uid, controller: true });
      const status = pod.status as { podIP: string; hostIP: string; qosClass: string; startTime: string; containerStatuses: Array<{ ready: boolean; restartCount: number; state: { running?: unknown } }> };
      expect(isPodReady(pod)).toBe(true);
      expect(status.podIP).toMatch(/^10\.244\.\d\.\d+$/);
      expect(status.hostIP).toMatch(/^10\.0\.1\.\d+$/);
      expect(status.qosClass).toBe('Burstable');
      expect(status.containerStatuses[0]).toMatchObject({ ready: true, restartCount: 0 });
      expect(Date.parse(pod.metadata.creationTimestamp ?? '')).toBeLessThan(clock.now() - 24 * 3600_000);
    }
    expect(replicaSetsOf(store, store.get(RESOURCE_KEYS.deployments, NS, 'celery-worker')!).map(revisionOf)).toEqual([1, 2]);
  });

  it('has postgres-0 and redis-0 with bound volumes, services, secrets, backups, HPA and the certificate', async () => {
    env = await startManualWorld();
    const { store, clock } = env;
    expect(names(RESOURCE_KEYS.statefulsets, NS)).toEqual(['postgres', 'redis']);
    const postgres = store.get(RESOURCE_KEYS.pods, NS, 'postgres-0') as KubeObject;
    const pgContainer = (postgres.spec as { containers: Array<{ name: string; ports: Array<{ containerPort: number }>; env: Array<{ name: string; value?: string }> }> }).containers[0]!;
    expect(pgContainer.name).toBe('postgres');
    expect(pgContainer.ports[0]?.containerPort).toBe(5432);
    expect(pgContainer.env).toEqual(expect.arrayContaining([{ name: 'POSTGRES_USER', value: 'codesign' }, { name: 'POSTGRES_DB', value: 'codesign_db' }]));
    expect(isPodReady(store.get(RESOURCE_KEYS.pods, NS, 'redis-0')!)).toBe(true);
    for (const claimName of ['data-postgres-0', 'data-redis-0']) {
      const claim = store.get(RESOURCE_KEYS.persistentvolumeclaims, NS, claimName) as KubeObject;
      expect((claim.status as { phase: string }).phase).toBe('Bound');
      const volume = store.get(RESOURCE_KEYS.persistentvolumes, undefined, (claim.spec as { volumeName: string }).volumeName) as KubeObject;
      expect((volume.spec as { claimRef: { name: string } }).claimRef.name).toBe(claimName);
    }
    expect(store.list(RESOURCE_KEYS.persistentvolumes).length).toBeGreaterThanOrEqual(5);
    expect(store.list(RESOURCE_KEYS.persistentvolumes).some((pv) => (pv.status as { phase: string }).phase === 'Available')).toBe(true);

    expect(names(RESOURCE_KEYS.services, NS)).toEqual(['codesign-api', 'postgres', 'redis']);
    const endpoints = store.get(RESOURCE_KEYS.endpoints, NS, 'codesign-api') as KubeObject;
    const subset = (endpoints.subsets as Array<{ addresses: Array<{ ip: string }>; ports: Array<{ name: string; port: number }> }>)[0]!;
    expect(subset.addresses).toHaveLength(3);
    expect(subset.ports).toEqual(expect.arrayContaining([{ name: 'http', port: 8000, protocol: 'TCP' }]));
    expect(store.get(RESOURCE_KEYS.services, 'monitoring', 'prometheus')).toBeDefined();
    const secret = store.get(RESOURCE_KEYS.secrets, NS, 'codesign-secrets') as KubeObject;
    expect(secret.type).toBe('Opaque');
    expect(Object.keys(secret.data as object).sort()).toEqual(['postgres-password', 'redis-password', 'secret-key']);
    for (const value of Object.values(secret.data as Record<string, string>)) {
      expect(Buffer.from(value, 'base64').toString()).toMatch(/^[A-Za-z0-9+/]+=*$/);
    }

    const today = `backup-job-${utcDateStamp(clock.now())}`;
    const yesterday = `backup-job-${utcDateStamp(clock.now() - 24 * 3600_000)}`;
    expect(names(RESOURCE_KEYS.jobs, NS)).toEqual([yesterday, today].sort());
    const backupPod = store.list(RESOURCE_KEYS.pods, NS).find((p) => p.metadata.labels?.['job-name'] === today) as KubeObject;
    expect(backupPod.metadata.labels?.app).toBe('backup');
    expect((backupPod.status as { phase: string }).phase).toBe('Succeeded');
    expect(store.get(RESOURCE_KEYS.cronjobs, NS, 'backup')).toBeDefined();

    const hpa = store.get(RESOURCE_KEYS.horizontalpodautoscalers, NS, 'codesign-api-hpa') as KubeObject;
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'codesign-api' }, minReplicas: 3, maxReplicas: 10 });
    const hpaStatus = hpa.status as { currentReplicas: number; currentMetrics: Array<{ resource: { current: { averageUtilization: number } } }>; conditions: Array<{ type: string }> };
    expect(hpaStatus.currentReplicas).toBe(3);
    expect(hpaStatus.currentMetrics[0]?.resource.current.averageUtilization).toBeGreaterThan(20);
    expect(hpaStatus.conditions.map((c) => c.type)).toEqual(['AbleToScale', 'ScalingActive', 'ScalingLimited']);

    const cert = store.get(RESOURCE_KEYS.certificates, NS, 'codesign-tls') as KubeObject;
    expect(cert.spec).toMatchObject({ secretName: 'codesign-tls', dnsNames: ['codesign.example.com'], issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer' } });
    const certStatus = cert.status as { notAfter: string; notBefore: string; renewalTime: string; conditions: Array<{ type: string; status: string }> };
    expect(certStatus.conditions[0]).toMatchObject({ type: 'Ready', status: 'True' });
    const daysLeft = (Date.parse(certStatus.notAfter) - clock.now()) / (24 * 3600_000);
    expect(daysLeft).toBeGreaterThan(55);
    expect(daysLeft).toBeLessThan(65);
    expect((store.get(RESOURCE_KEYS.secrets, NS, 'codesign-tls') as KubeObject).type).toBe('kubernetes.io/tls');
    expect(store.get(RESOURCE_KEYS.customresourcedefinitions, undefined, 'certificates.cert-manager.io')).toBeDefined();
  });

  it('resolves a pod view with env from secrets and the downward API, and a log profile', async () => {
    env = await startManualWorld({ logLinesPerSecond: 500 });
    const { store, world } = env;
    const pod = store.list(RESOURCE_KEYS.pods, NS).find((p) => p.metadata.labels?.app === 'codesign-api') as KubeObject;
    const ref = world.podRef(NS, pod.metadata.name)!;
    expect(ref.app).toBe('codesign-api');
    expect(ref.phase).toBe('Running');
    const container = ref.containers[0]!;
    expect(container.ports).toEqual([8000, 9090]);
    expect(container.env.DB_POOL_SIZE).toBe('10');
    expect(container.env.POD_NAME).toBe(pod.metadata.name);
    const secret = store.get(RESOURCE_KEYS.secrets, NS, 'codesign-secrets') as KubeObject;
    expect(container.env.POSTGRES_PASSWORD).toBe(Buffer.from((secret.data as Record<string, string>)['postgres-password']!, 'base64').toString());
    const profile = ref.logProfile();
    expect(profile.linesPerSecond).toBe(500);
    expect(profile.errorRatio).toBeLessThan(0.05);
    expect(profile.memoryLimitMiB).toBe(2048);
    expect(profile.dbPool).toMatchObject({ size: 10, exhausted: false });
    expect(world.podRef(NS, 'postgres-0')!.containers[0]!.env).toMatchObject({ POSTGRES_USER: 'codesign', POSTGRES_DB: 'codesign_db' });
    expect(world.podRef(NS, 'no-such-pod')).toBeUndefined();
  });
});
