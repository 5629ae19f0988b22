import { afterEach, describe, expect, it, vi } from 'vitest';
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject } from '../types';
import { isPodReady } from './controller-context';
import { REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, revisionOf } from './deployment-controller';
import { replicaSetsOf, rolloutRestart, rolloutUndo, scaleDeployment, setImage } from './kubectl-actions';
import { advanceUntil, startManualWorld, type ManualWorld } from './testing/manual-world';

const NS = 'codesign-production';
let env: ManualWorld | undefined;

// Each test runs many simulated minutes, a few milliseconds of real time per simulated second.
vi.setConfig({ testTimeout: 30_000 });

afterEach(async () => {
  await env?.world.stop();
  env = undefined;
});

function deployment(): KubeObject {
  return env!.store.get(RESOURCE_KEYS.deployments, NS, 'codesign-api') as KubeObject;
}

function apiPods(): KubeObject[] {
  return env!.store.list(RESOURCE_KEYS.pods, NS).filter((p) => p.metadata.labels?.app === 'codesign-api');
}

function rolledOut(): boolean {
  const d = deployment();
  const status = (d.status ?? {}) as Record<string, number | undefined>;
  const replicas = (d.spec as { replicas: number }).replicas;
  const progressing = ((d.status as { conditions?: Array<{ type: string; reason: string }> }).conditions ?? []).find((c) => c.type === 'Progressing');
  return (
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
    status.updatedReplicas === replicas &&
    status.replicas === replicas &&
    status.availableReplicas === replicas &&
    progressing?.reason === 'NewReplicaSetAvailable'
  );
}

describe('deployment controller', () => {
  it('rolls a template change out as a new ReplicaSet with the next revision, within maxSurge and maxUnavailable', async () => {
    env = await startManualWorld();
    const { store, clock } = env;
    const before = replicaSetsOf(store, deployment());
    expect(before.map(revisionOf)).toEqual([1, 2, 3, 4]);

    let maxPods = 0;
    let minReady = Infinity;
    const unsubscribe = store.subscribe((event) => {
      if (event.resource !== RESOURCE_KEYS.pods) return;
      const pods = apiPods();
      maxPods = Math.max(maxPods, pods.length);
      minReady = Math.min(minReady, pods.filter(isPodReady).length);
    });
    setImage(store, NS, 'codesign-api', 'codesign-api', 'codesign-playground:v2.1.0');
    await advanceUntil(clock, rolledOut, 'rollout of v2.1.0');
    unsubscribe();

    // 3 replicas: maxSurge 25% rounds up to 1, maxUnavailable 25% rounds down to 0.
    expect(maxPods).toBe(4);
    expect(minReady).toBe(3);
    const after = replicaSetsOf(store, deployment());
    const newest = after[after.length - 1] as KubeObject;
    expect(revisionOf(newest)).toBe(5);
    expect(deployment().metadata.annotations?.[REVISION_ANNOTATION]).toBe('5');
    expect(after.filter((rs) => rs !== newest).every((rs) => (rs.spec as { replicas: number }).replicas === 0)).toBe(true);
    const pods = apiPods();
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata.ownerReferences?.[0]?.name).toBe(newest.metadata.name);
      expect((pod.spec as { containers: Array<{ image: string }> }).containers[0]?.image).toBe('codesign-playground:v2.1.0');
      expect(isPodReady(pod)).toBe(true);
    }
    const events = store.list(RESOURCE_KEYS.events, NS).filter((e) => e.reason === 'ScalingReplicaSet');
    expect(events.map((e) => e.message)).toContain(`Scaled up replica set ${newest.metadata.name} from 0 to 1`);
  });

  it('rollout undo revives the previous ReplicaSet under a new revision number', async () => {
    env = await startManualWorld();
    const { store, clock } = env;
    const original = replicaSetsOf(store, deployment()).find((rs) => revisionOf(rs) === 4) as KubeObject;
    setImage(store, NS, 'codesign-api', 'codesign-api', 'codesign-playground:v2.1.0');
    await advanceUntil(clock, rolledOut, 'rollout of v2.1.0');
    const countBefore = replicaSetsOf(store, deployment()).length;

    expect(rolloutUndo(store, NS, 'codesign-api')).toBe(4);
    await advanceUntil(clock, rolledOut, 'undo rollout');

    const sets = replicaSetsOf(store, deployment());
    expect(sets).toHaveLength(countBefore);
    const revived = sets.find((rs) => rs.metadata.uid === original.metadata.uid) as KubeObject;
    expect(revisionOf(revived)).toBe(6);
    expect(revived.metadata.annotations?.[REVISION_HISTORY_ANNOTATION]).toBe('4');
    expect(sets.map(revisionOf)).not.toContain(4);
    expect((revived.spec as { replicas: number }).replicas).toBe(3);
    expect(apiPods().every((p) => p.metadata.ownerReferences?.[0]?.uid === original.metadata.uid)).toBe(true);
    expect((deployment().spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]?.image).toBe(
      'codesign-playground:v2.0.3',
    );
  });

  it('undo to an explicit older revision and restart each add a revision', async () => {
    env = await startManualWorld();
    const { store, clock } = env;
    rolloutUndo(store, NS, 'codesign-api', 2);
    await advanceUntil(clock, rolledOut, 'undo to revision 2');
    expect(revisionOf(deployment())).toBe(5);
    rolloutRestart(store, NS, 'codesign-api', clock.now());
    await advanceUntil(clock, rolledOut, 'restart');
    expect(revisionOf(deployment())).toBe(6);
    const revisions = replicaSetsOf(store, deployment()).map(revisionOf);
    expect(revisions).toEqual([1, 3, 4, 5, 6]);
  });

  it('keeps no more old ReplicaSets than revisionHistoryLimit', async () => {
    env = await startManualWorld();
    const { store, clock } = env;
    store.mutate(RESOURCE_KEYS.deployments, NS, 'codesign-api', (d) => {
      (d.spec as { revisionHistoryLimit: number }).revisionHistoryLimit = 2;
    });
    rolloutRestart(store, NS, 'codesign-api', clock.now());
    await advanceUntil(clock, rolledOut, 'restart');
    const sets = replicaSetsOf(store, deployment());
    expect(sets.map(revisionOf)).toEqual([3, 4, 5]);
  });

  it('scales to the requested replicas and reports them', async () => {
    env = await startManualWorld();
    const { store, clock } = env;
    // Without its HPA, which would undo a manual scale (hpa-controller.test.ts).
    store.delete(RESOURCE_KEYS.horizontalpodautoscalers, NS, 'codesign-api-hpa');
    scaleDeployment(store, NS, 'codesign-api', 5);
    await advanceUntil(clock, rolledOut, 'scale to 5');
    expect(apiPods().filter(isPodReady)).toHaveLength(5);
    expect(replicaSetsOf(store, deployment())).toHaveLength(4);
    scaleDeployment(store, NS, 'codesign-api', 1);
    await advanceUntil(clock, rolledOut, 'scale to 1');
    expect(apiPods()).toHaveLength(1);
  });
});
