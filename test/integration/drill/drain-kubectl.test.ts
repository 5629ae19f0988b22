/**
 * `kubectl drain` against the drill (issue 16): pods/eviction is in discovery, PodDisruptionBudgets
 * are served with their status computed (`kubectl get pdb`), drain cordons the node, evicts its
 * pods and their controllers put them back on the other nodes; an eviction that would violate a
 * budget is refused with the real 429 message, and a drain it blocks times out saying so.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';
let cluster: DrillCluster;
let kubectl: KubectlHarness;
let dir: string;

vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

interface PodList {
  items: Array<{ metadata: { name: string; namespace: string; deletionTimestamp?: string; labels?: Record<string, string> }; spec: { nodeName?: string }; status: { phase?: string } }>;
}

beforeAll(async () => {
  cluster = await DrillCluster.start({ speed: 30, postgres: 'none', redis: 'none' });
  kubectl = await KubectlHarness.create(cluster);
  dir = await mkdtemp(path.join(os.tmpdir(), 'drill-drain-'));
});

afterAll(async () => {
  await kubectl?.dispose();
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<string> {
  const result = await kubectl.run(args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, limitMs = 60_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('kubectl drain and PodDisruptionBudgets', () => {
  it('lists the seeded budget for codesign-api with its computed status', async () => {
    const table = await run(['get', 'pdb', '-n', NS]);
    expect(table).toMatch(/NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE/);
    expect(table).toMatch(/codesign-api-pdb\s+2\s+N\/A\s+1\s+/);
    const status = JSON.parse(await run(['get', 'pdb', 'codesign-api-pdb', '-n', NS, '-o', 'jsonpath={.status}'])) as Record<string, unknown>;
    expect(status).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 });
    expect(await run(['api-resources', '--api-group=policy', '--no-headers'])).toMatch(/poddisruptionbudgets\s+pdb\s+policy\/v1\s+true\s+PodDisruptionBudget/);
  });

  it('drains a node: cordoned, its pods evicted and rescheduled by their controllers onto the other nodes', async () => {
    const before = await kubectl.json<PodList>(['get', 'pods', '-A', '--field-selector', 'spec.nodeName=drill-node-3', '-o', 'json']);
    const movable = before.items.filter((p) => p.status.phase === 'Running');
    expect(movable.map((p) => p.metadata.labels?.app)).toEqual(expect.arrayContaining(['codesign-api', 'postgres']));

    const drained = await kubectl.run(['drain', 'drill-node-3', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s'], { timeoutMs: 80_000 });
    expect(drained.code, drained.stderr).toBe(0);
    expect(drained.stdout).toContain('node/drill-node-3 cordoned');
    expect(drained.stdout).toMatch(/evicting pod codesign-production\/postgres-0/);
    expect(drained.stdout).toContain('pod/postgres-0 evicted');
    expect(drained.stdout).toContain('node/drill-node-3 drained');
    expect(await run(['get', 'node', 'drill-node-3', '--no-headers'])).toMatch(/Ready,SchedulingDisabled/);
    const described = await until('the unschedulable taint', async () => {
      const text = await run(['describe', 'node', 'drill-node-3']);
      return /Taints:\s+node\.kubernetes\.io\/unschedulable:NoSchedule/.test(text) ? text : undefined;
    });
    expect(described).toMatch(/Unschedulable:\s+true/);

    await until('the evicted pods to run elsewhere', async () => {
      const pods = await kubectl.json<PodList>(['get', 'pods', '-n', NS, '-o', 'json']);
      const live = pods.items.filter((p) => !p.metadata.deletionTimestamp && p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed');
      if (live.some((p) => p.spec.nodeName === 'drill-node-3')) return false;
      const running = (app: string) => live.filter((p) => p.metadata.labels?.app === app && p.status.phase === 'Running').length;
      return running('codesign-api') === 3 && running('postgres') === 1 && running('celery-worker') === 2 ? true : false;
    });
    const postgres = await kubectl.json<PodList['items'][number]>(['get', 'pod', 'postgres-0', '-n', NS, '-o', 'json']);
    expect(postgres.spec.nodeName).not.toBe('drill-node-3');
    await run(['uncordon', 'drill-node-3']);
    await until('the taint to go', async () => !/unschedulable:NoSchedule/.test(await run(['describe', 'node', 'drill-node-3'])));
  });

  it('refuses an eviction that would violate a budget with 429 and the real message', async () => {
    await writeFile(
      path.join(dir, 'celery-pdb.yaml'),
      'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: celery-worker-pdb\n  namespace: codesign-production\nspec:\n  minAvailable: 2\n  selector:\n    matchLabels:\n      app: celery-worker\n',
    );
    await run(['create', '--validate=false', '-f', path.join(dir, 'celery-pdb.yaml')]);
    await until('the budget status', async () => (await run(['get', 'pdb', 'celery-worker-pdb', '-n', NS, '-o', 'jsonpath={.status.expectedPods}'])) === '2');
    expect(await run(['get', 'pdb', 'celery-worker-pdb', '-n', NS, '--no-headers'])).toMatch(/celery-worker-pdb\s+2\s+N\/A\s+0\s+/);

    const pod = (await run(['get', 'pods', '-n', NS, '-l', 'app=celery-worker', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    await writeFile(path.join(dir, 'eviction.json'), JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: NS } }));
    const refused = await kubectl.run(['create', '--raw', `/api/v1/namespaces/${NS}/pods/${pod}/eviction`, '-f', path.join(dir, 'eviction.json')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Error from server (TooManyRequests): Cannot evict pod as it would violate the pod's disruption budget.");
    expect(await run(['get', 'pod', pod, '-n', NS, '-o', 'jsonpath={.metadata.name}'])).toBe(pod);

    const node = (await run(['get', 'pod', pod, '-n', NS, '-o', 'jsonpath={.spec.nodeName}'])).trim();
    const blocked = await kubectl.run(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--pod-selector=app=celery-worker', '--timeout=3s'], { timeoutMs: 40_000 });
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    await run(['uncordon', node]);
    await run(['delete', 'pdb', 'celery-worker-pdb', '-n', NS]);
  });
});
