/**
 * The real kubectl against a drill cluster running the real simulated world: the commands
 * whose client-side logic leans hardest on the protocol (describe's event field selectors,
 * rollout history/undo reading ReplicaSets by owner, rollout status watching the Deployment).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { RESOURCE_KEYS } from '../../../packages/drill-cluster/src/resources';
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';

let cluster: DrillCluster;
let kubectl: KubectlHarness;

function apiImage(): string | undefined {
  const spec = cluster.store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api')?.spec as
    | { template: { spec: { containers: Array<{ name: string; image: string }> } } }
    | undefined;
  return spec?.template.spec.containers.find((c) => c.name === 'codesign-api')?.image;
}

beforeAll(async () => {
  cluster = await DrillCluster.start({ speed: 30, postgres: 'none', redis: 'none' });
  kubectl = await KubectlHarness.create(cluster);
});

afterAll(async () => {
  await kubectl?.dispose();
  await cluster?.stop();
});

describe('kubectl against the simulated world', () => {
  it('get pods -n codesign-production lists the runbook pods with their columns', async () => {
    const result = await kubectl.run(['get', 'pods', '-n', NS]);
    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout.trim().split('\n').map((line) => line.split(/\s+/));
    expect(rows[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    const names = rows.slice(1).map((r) => r[0]);
    expect(names).toEqual(expect.arrayContaining(['postgres-0', 'redis-0']));
    expect(names.filter((n) => n?.startsWith('codesign-api-'))).toHaveLength(3);
    expect(rows.find((r) => r[0] === 'postgres-0')?.slice(1, 3)).toEqual(['1/1', 'Running']);
  });

  it('get -o json answers what the store holds', async () => {
    const list = await kubectl.json<{ items: Array<{ metadata: { name: string; resourceVersion: string } }> }>(['get', 'deployments', '-n', NS]);
    const stored = cluster.store.list(RESOURCE_KEYS.deployments, NS);
    expect(list.items.map((d) => d.metadata.name).sort()).toEqual(stored.map((d) => d.metadata.name).sort());
  });

  it('rollout history lists the revisions and shows one by number', async () => {
    const history = await kubectl.run(['rollout', 'history', 'deployment/codesign-api', '-n', NS]);
    expect(history.code, history.stderr).toBe(0);
    const revisions = history.stdout
      .split('\n')
      .map((line) => /^(\d+)\s/.exec(line)?.[1])
      .filter((r): r is string => r !== undefined)
      .map(Number);
    expect(revisions.length).toBeGreaterThanOrEqual(2);
    const latest = Math.max(...revisions);
    const one = await kubectl.run(['rollout', 'history', 'deployment/codesign-api', '-n', NS, `--revision=${latest}`]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain(`with revision #${latest}`);
    expect(one.stdout).toContain(`Image:\t${apiImage()}`);
  });

  it('set image, rollout status, then rollout undo brings the previous image back', async () => {
    const before = apiImage();
    expect(before).toBeDefined();
    const set = await kubectl.run(['set', 'image', 'deployment/codesign-api', 'codesign-api=codesign-playground:v2.1.0', '-n', NS]);
    expect(set.code, set.stderr).toBe(0);
    expect(apiImage()).toBe('codesign-playground:v2.1.0');
    const status = await kubectl.run(['rollout', 'status', 'deployment/codesign-api', '-n', NS, '--timeout=90s'], { requestTimeout: false, timeoutMs: 100_000 });
    expect(status.code, status.stderr + status.stdout).toBe(0);
    expect(status.stdout).toContain('successfully rolled out');
    const undo = await kubectl.run(['rollout', 'undo', 'deployment/codesign-api', '-n', NS]);
    expect(undo.code, undo.stderr).toBe(0);
    expect(apiImage()).toBe(before);
    const template = cluster.store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api')?.spec as { template: { metadata: { labels: Record<string, string> } } };
    expect(template.template.metadata.labels['pod-template-hash']).toBeUndefined();
  });

  it('describe deployment lists its events through the involvedObject field selector', async () => {
    const result = await kubectl.run(['describe', 'deployment', 'codesign-api', '-n', NS]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Events:\s+\n?\s+Type\s+Reason/);
    expect(result.stdout).toContain('ScalingReplicaSet');
  });
});
