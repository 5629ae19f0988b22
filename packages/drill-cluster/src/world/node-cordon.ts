/**
 * The node lifecycle controller's part of a cordon: a node with `spec.unschedulable` (kubectl
 * cordon / drain) carries the `node.kubernetes.io/unschedulable:NoSchedule` taint, which
 * `kubectl describe node` shows, and loses it on uncordon. The scheduler skips such nodes
 * (pod-lifecycle.ts).
 */
import { RESOURCE_KEYS } from '../resources';
import type { ObjectStore } from '../types';
import { readObjects } from './controller-context';

export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';

interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

/** Adds or removes the unschedulable taint where `spec.unschedulable` says so (writes only on a change). */
export function reconcileCordonTaints(store: ObjectStore, now: number): void {
  for (const node of readObjects(store, RESOURCE_KEYS.nodes)) {
    const spec = (node.spec ?? {}) as { unschedulable?: boolean; taints?: Taint[] };
    const tainted = (spec.taints ?? []).some((t) => t.key === UNSCHEDULABLE_TAINT);
    const cordoned = spec.unschedulable === true;
    if (tainted === cordoned) continue;
    store.mutate(RESOURCE_KEYS.nodes, undefined, node.metadata.name, (draft) => {
      const draftSpec = (draft.spec ??= {}) as { taints?: Taint[] };
      const others = (draftSpec.taints ?? []).filter((t) => t.key !== UNSCHEDULABLE_TAINT);
      const taints = cordoned
        ? [...others, { key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule', timeAdded: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') }]
        : others;
      if (taints.length > 0) draftSpec.taints = taints;
      else delete draftSpec.taints;
    });
  }
}
