/**
 * The real kubectl against the drill cluster's simulated world: the runbook's rollout, top,
 * HPA, volume and backup commands, each checked against what the cluster then holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { RESOURCE_KEYS } from '../../../packages/drill-cluster/src/resources';
import type { KubeObject } from '../../../packages/drill-cluster/src/types';
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';
const N = ['-n', NS];

let cluster: DrillCluster;
let kubectl: KubectlHarness;

interface List<T = KubeObject> {
  items: T[];
}

function apiPods(): KubeObject[] {
  return cluster.store.list(RESOURCE_KEYS.pods, NS).filter((p) => p.metadata.labels?.app === 'codesign-api');
}

function revision(): string | undefined {
  return cluster.store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api')?.metadata.annotations?.['deployment.kubernetes.io/revision'];
}

function image(object: KubeObject): string | undefined {
  const spec = object.spec as { template?: { spec: { containers: Array<{ image: string }> } }; containers?: Array<{ image: string }> };
  return (spec.template?.spec.containers ?? spec.containers)?.[0]?.image;
}

async function rolloutStatus(): Promise<void> {
  const result = await kubectl.run(['rollout', 'status', 'deployment/codesign-api', ...N, '--timeout=90s'], { requestTimeout: false, timeoutMs: 100_000 });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('deployment "codesign-api" successfully rolled out');
}

beforeAll(async () => {
  cluster = await DrillCluster.start({ speed: 120, postgres: 'none', redis: 'none' });
  kubectl = await KubectlHarness.create(cluster);
});

afterAll(async () => {
  await kubectl?.dispose();
  await cluster?.stop();
});

describe('kubectl against the simulated world', () => {
  it('get pods shows the running codesign-production pods', async () => {
    const result = await kubectl.run(['get', 'pods', ...N]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    for (const name of ['postgres-0', 'redis-0']) expect(result.stdout).toMatch(new RegExp(`${name}\\s+1/1\\s+Running\\s+0`));
    expect(lines.filter((l) => /^codesign-api-\S+\s+1\/1\s+Running/.test(l))).toHaveLength(3);
    // The backup CronJob's seeded history holds two runs; the drill's fast clock may add one when
    // the run crosses its schedule, so count what the store holds rather than a fixed number.
    const completed = cluster.store.list(RESOURCE_KEYS.pods, NS).filter((p) => /^backup-job-/.test(p.metadata.name) && (p.status as { phase?: string } | undefined)?.phase === 'Succeeded');
    expect(completed.length).toBeGreaterThanOrEqual(2);
    expect(lines.filter((l) => /^backup-job-\d{8}-\S+\s+0\/1\s+Completed/.test(l)).length).toBeGreaterThanOrEqual(2);
  });

  it('rollout history lists several revisions and shows one with --revision', async () => {
    const history = await kubectl.run(['rollout', 'history', 'deployment/codesign-api', ...N]);
    expect(history.code).toBe(0);
    const revisions = [...history.stdout.matchAll(/^(\d+)\s+(.*)$/gm)].map((m) => Number(m[1]));
    expect(revisions).toEqual([1, 2, 3, 4]);
    expect(history.stdout).toContain('codesign-playground:v2.0.1');
    const one = await kubectl.run(['rollout', 'history', 'deployment/codesign-api', ...N, '--revision=2']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('with revision #2');
    expect(one.stdout).toMatch(/Image:\s+codesign-playground:v2\.0\.1/);
  });

  it('rollout restart makes a new revision whose pods replace the old ones', async () => {
    const before = new Set(apiPods().map((p) => p.metadata.name));
    const revisionBefore = Number(revision());
    const restart = await kubectl.run(['rollout', 'restart', 'deployment/codesign-api', ...N]);
    expect(restart.code).toBe(0);
    expect(restart.stdout).toContain('deployment.apps/codesign-api restarted');
    await rolloutStatus();
    expect(Number(revision())).toBe(revisionBefore + 1);
    const after = apiPods();
    expect(after).toHaveLength(3);
    for (const pod of after) expect(before.has(pod.metadata.name)).toBe(false);
    const deployment = cluster.store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api') as KubeObject;
    const annotations = (deployment.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata.annotations;
    expect(annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
  });

  it('set image then rollout undo brings the template back under a new revision', async () => {
    const imageBefore = image(cluster.store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api')!);
    const setImage = await kubectl.run(['set', 'image', 'deployment/codesign-api', 'codesign-api=codesign-playground:v2.1.0', ...N]);
    expect(setImage.code).toBe(0);
    await rolloutStatus();
    const afterSet = Number(revision());
    expect(apiPods().every((p) => image(p) === 'codesign-playground:v2.1.0')).toBe(true);
    const replicaSetsBefore = cluster.store.list(RESOURCE_KEYS.replicasets, NS).length;

    const undo = await kubectl.run(['rollout', 'undo', 'deployment/codesign-api', ...N]);
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain('rolled back');
    await rolloutStatus();
    expect(Number(revision())).toBe(afterSet + 1);
    expect(image(cluster.store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api')!)).toBe(imageBefore);
    expect(cluster.store.list(RESOURCE_KEYS.replicasets, NS)).toHaveLength(replicaSetsBefore);
    expect(apiPods().every((p) => image(p) === imageBefore)).toBe(true);
    const history = await kubectl.run(['rollout', 'history', 'deployment/codesign-api', ...N]);
    const revisions = [...history.stdout.matchAll(/^(\d+)\s/gm)].map((m) => Number(m[1]));
    expect(revisions[revisions.length - 1]).toBe(afterSet + 1);
    expect(revisions).not.toContain(afterSet - 1);
  });

  it('set env and the runbook memory patch each roll out pods that carry the change', async () => {
    const before = Number(revision());
    expect((await kubectl.run(['set', 'env', 'deployment/codesign-api', 'CACHE_SIZE_MB=512', ...N])).code).toBe(0);
    await rolloutStatus();
    expect(Number(revision())).toBe(before + 1);
    for (const pod of apiPods()) {
      const env = (pod.spec as { containers: Array<{ env: Array<{ name: string; value?: string }> }> }).containers[0]!.env;
      expect(env).toContainEqual({ name: 'CACHE_SIZE_MB', value: '512' });
    }
    const patch = '{"spec":{"template":{"spec":{"containers":[{"name":"codesign-api","resources":{"limits":{"memory":"3Gi"}}}]}}}}';
    expect((await kubectl.run(['patch', 'deployment', 'codesign-api', ...N, '-p', patch])).code).toBe(0);
    await rolloutStatus();
    expect(Number(revision())).toBe(before + 2);
    for (const pod of apiPods()) {
      const resources = (pod.spec as { containers: Array<{ resources: { limits: Record<string, string>; requests: Record<string, string> } }> }).containers[0]!.resources;
      expect(resources.limits).toEqual({ cpu: '1', memory: '3Gi' });
      expect(resources.requests).toEqual({ cpu: '500m', memory: '1Gi' });
    }
    const top = await kubectl.run(['top', 'pods', ...N, '-l', 'app=codesign-api']);
    expect([...top.stdout.matchAll(/^codesign-api-/gm)]).toHaveLength(3);
  });

  it('delete pod -l app=codesign-api is answered with three fresh pods', async () => {
    const before = new Set(apiPods().map((p) => p.metadata.uid));
    const deleted = await kubectl.run(['delete', 'pod', '-l', 'app=codesign-api', ...N]);
    expect(deleted.code).toBe(0);
    expect([...deleted.stdout.matchAll(/pod "codesign-api-\S+" deleted/g)]).toHaveLength(3);
    await rolloutStatus();
    const deadline = Date.now() + 30_000;
    while (apiPods().filter((p) => ((p.status as { conditions?: Array<{ type: string; status: string }> }).conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')).length < 3) {
      if (Date.now() > deadline) throw new Error('replacement pods never became ready');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const after = apiPods();
    expect(after).toHaveLength(3);
    for (const pod of after) expect(before.has(pod.metadata.uid)).toBe(false);
  });

  it('rotating codesign-secrets then restarting gives pods the new password', async () => {
    expect((await kubectl.run(['delete', 'secret', 'codesign-secrets', ...N])).code).toBe(0);
    const created = await kubectl.run([
      'create', 'secret', 'generic', 'codesign-secrets',
      '--from-literal=postgres-password=rotated-pg', '--from-literal=redis-password=rotated-redis', '--from-literal=secret-key=rotated-key', ...N,
    ]);
    expect(created.code).toBe(0);
    expect((await kubectl.run(['rollout', 'restart', 'deployment/codesign-api', ...N])).code).toBe(0);
    await rolloutStatus();
    for (const pod of apiPods()) {
      const ref = cluster.world.podRef(NS, pod.metadata.name);
      expect(ref?.containers[0]?.env.POSTGRES_PASSWORD).toBe('rotated-pg');
      expect(ref?.containers[0]?.env.SECRET_KEY).toBe('rotated-key');
    }
  });

  it('top nodes and top pods (with --containers) print the simulated usage', async () => {
    const nodes = await kubectl.run(['top', 'nodes']);
    expect(nodes.code).toBe(0);
    expect(nodes.stdout).toMatch(/^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/);
    const nodeLines = [...nodes.stdout.matchAll(/^(drill-node-\d)\s+(\d+)m\s+(\d+)%\s+(\d+)Mi\s+(\d+)%/gm)];
    expect(nodeLines).toHaveLength(3);
    for (const line of nodeLines) expect(Number(line[2])).toBeGreaterThan(100);

    const pods = await kubectl.run(['top', 'pods', ...N]);
    expect(pods.code).toBe(0);
    const apiLines = [...pods.stdout.matchAll(/^codesign-api-\S+\s+(\d+)m\s+(\d+)Mi/gm)];
    expect(apiLines).toHaveLength(3);
    for (const line of apiLines) {
      expect(Number(line[1])).toBeGreaterThan(100);
      expect(Number(line[2])).toBeGreaterThan(300);
    }
    const containers = await kubectl.run(['top', 'pods', ...N, '--containers']);
    expect(containers.code).toBe(0);
    expect(containers.stdout).toMatch(/^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    expect(containers.stdout).toMatch(/^postgres-0\s+postgres\s+\d+m\s+\d+Mi/m);
    const labelled = await kubectl.run(['top', 'pods', ...N, '-l', 'app=codesign-api']);
    expect(labelled.code).toBe(0);
    expect([...labelled.stdout.matchAll(/^codesign-api-/gm)]).toHaveLength(3);
  });

  it('minReplicas 5 on the HPA gives five ready pods, and describe hpa reports them with CPU utilization', async () => {
    // The HPA acts: holding more pods than CPU needs means raising its minimum (a bare scale is undone).
    const patch = await kubectl.run(['patch', 'hpa', 'codesign-api-hpa', ...N, '--type=merge', '-p', '{"spec":{"minReplicas":5}}']);
    expect(patch.code, patch.stderr).toBe(0);
    for (let i = 0; i < 100 && (cluster.store.get(RESOURCE_KEYS.deployments, 'codesign-production', 'codesign-api')?.spec as { replicas: number }).replicas !== 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await rolloutStatus();
    const ready = apiPods().filter((p) => ((p.status as { conditions?: Array<{ type: string; status: string }> }).conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
    expect(ready).toHaveLength(5);
    let described = '';
    for (let i = 0; i < 100 && !/5 current \/ \d+ desired/.test(described); i++) {
      described = (await kubectl.run(['describe', 'hpa', 'codesign-api-hpa', ...N])).stdout;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(described).toMatch(/Reference:\s+Deployment\/codesign-api/);
    expect(described).toMatch(/resource cpu on pods\s+\(as a percentage of request\):\s+\d+% \(\d+m\) \/ 70%/);
    expect(described).toMatch(/Min replicas:\s+5/);
    expect(described).toMatch(/Max replicas:\s+10/);
    expect(described).toMatch(/Deployment pods:\s+5 current \/ \d+ desired/);
    expect(described).toMatch(/ScalingActive\s+True\s+ValidMetricFound/);
    await kubectl.run(['patch', 'hpa', 'codesign-api-hpa', ...N, '--type=merge', '-p', '{"spec":{"minReplicas":3}}']);
  });

  it('get pv lists the bound data volumes and a spare one', async () => {
    const result = await kubectl.run(['get', 'pv']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^pvc-\S+\s+20Gi\s+RWO\s+Delete\s+Bound\s+codesign-production\/data-postgres-0\s+standard/m);
    expect(result.stdout).toMatch(/^pvc-\S+\s+5Gi\s+RWO\s+Delete\s+Bound\s+codesign-production\/data-redis-0/m);
    expect(result.stdout).toMatch(/^local-pv-spare-01\s+100Gi\s+RWO\s+Retain\s+Available/m);
    const volumes = await kubectl.json<List>(['get', 'pv']);
    expect(volumes.items.length).toBe(cluster.store.list(RESOURCE_KEYS.persistentvolumes).length);
  });

  it('logs of the backup job tell of a pg_dump backup', async () => {
    const jobs = cluster.store.list(RESOURCE_KEYS.jobs, NS).map((j) => j.metadata.name).sort();
    const today = jobs[jobs.length - 1] as string;
    expect(today).toMatch(/^backup-job-\d{8}$/);
    const result = await kubectl.run(['logs', ...N, `job/${today}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/pg_dump/);
  });
});
