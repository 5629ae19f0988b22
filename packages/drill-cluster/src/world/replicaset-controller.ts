/**
 * The ReplicaSet controller: keeps as many pods as `spec.replicas` asks for (replacing deleted
 * ones), removes the least useful pods first when scaled down, and reports status.
 */
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject } from '../types';
import { isPodActive, isPodReady, writeStatus, type ControllerContext } from './controller-context';
import { randomNameSuffix } from './object-names';
import { podFromTemplate, type PodTemplate } from './workloads';

const SOURCE = { component: 'replicaset-controller' };

/** Order in which pods go when a ReplicaSet scales down (Kubernetes' `ActivePods` ranking). */
function deletionRank(pod: KubeObject): number[] {
  const status = (pod.status ?? {}) as Record<string, unknown>;
  const scheduled = (pod.spec as Record<string, unknown> | undefined)?.nodeName ? 1 : 0;
  const running = status.phase === 'Running' ? 1 : 0;
  const ready = isPodReady(pod) ? 1 : 0;
  const restarts = ((status.containerStatuses ?? []) as Array<{ restartCount?: number }>).reduce(
    (sum, c) => sum + (c.restartCount ?? 0),
    0,
  );
  const created = Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
  return [scheduled, running, ready, -restarts, -created];
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

export class ReplicaSetController {
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(namespace: string, name: string): void {
    const { store, events } = this.ctx;
    const rs = store.get(RESOURCE_KEYS.replicasets, namespace, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const spec = rs.spec as { replicas?: number; template: PodTemplate; minReadySeconds?: number };
    const desired = spec.replicas ?? 1;
    let pods = this.ctx.podsOwnedBy(rs.metadata.uid ?? '').filter(isPodActive);
    if (pods.length < desired) {
      for (let i = pods.length; i < desired; i++) {
        const pod = this.createPod(rs, spec.template);
        pods.push(pod);
        events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, SOURCE);
      }
    } else if (pods.length > desired) {
      const doomed = [...pods].sort((a, b) => compareRanks(deletionRank(a), deletionRank(b))).slice(0, pods.length - desired);
      for (const pod of doomed) {
        store.delete(RESOURCE_KEYS.pods, namespace, pod.metadata.name);
        events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, SOURCE);
      }
      const gone = new Set(doomed.map((p) => p.metadata.name));
      pods = pods.filter((p) => !gone.has(p.metadata.name));
    }
    const ready = pods.filter(isPodReady).length;
    const status: Record<string, unknown> = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    if (ready === 0) delete status.readyReplicas;
    if (ready === 0) delete status.availableReplicas;
    writeStatus(store, RESOURCE_KEYS.replicasets, rs, status);
  }

  private createPod(rs: KubeObject, template: PodTemplate): KubeObject {
    const namespace = rs.metadata.namespace ?? 'default';
    for (;;) {
      const name = `${rs.metadata.name}-${randomNameSuffix()}`;
      if (this.ctx.store.get(RESOURCE_KEYS.pods, namespace, name)) continue;
      return this.ctx.store.create(RESOURCE_KEYS.pods, podFromTemplate(template, { name, namespace, owner: rs }));
    }
  }
}
