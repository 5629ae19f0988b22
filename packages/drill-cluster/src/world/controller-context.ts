/** What every simulated controller is handed: the store, the clock, events, and the pod index. */
import { StoreError, type DrillClock, type KubeObject, type ObjectStore, type ResourceKey } from '../types';
import type { EventRecorder } from './event-recorder';
import { canonicalJson } from './object-names';

export interface ControllerContext {
  store: ObjectStore;
  clock: DrillClock;
  events: EventRecorder;
  /** The live pods whose controller owner reference has this uid. */
  podsOwnedBy(ownerUid: string): KubeObject[];
}

/** A store that can hand out shared read-only objects without copying them (MemoryObjectStore). */
interface SnapshotStore {
  snapshot(resource: ResourceKey, namespace?: string): readonly KubeObject[];
}

/**
 * The objects of a resource for reading only: shared references where the store allows it
 * (no copies, which matters on every tick), else copies. Never mutate what this returns.
 */
export function readObjects(store: ObjectStore, resource: ResourceKey, namespace?: string): readonly KubeObject[] {
  const snapshot = (store as Partial<SnapshotStore>).snapshot;
  return typeof snapshot === 'function' ? snapshot.call(store, resource, namespace) : store.list(resource, namespace);
}

/** Replaces `status` when it differs from what is stored; false when the object is gone. */
export function writeStatus(
  store: ObjectStore,
  resource: ResourceKey,
  object: KubeObject,
  status: Record<string, unknown>,
): boolean {
  if (canonicalJson(object.status ?? {}) === canonicalJson(status)) return true;
  try {
    store.mutate(resource, object.metadata.namespace, object.metadata.name, (draft) => {
      if (draft.metadata.uid !== object.metadata.uid) return false;
      draft.status = status;
    });
    return true;
  } catch (error) {
    if (error instanceof StoreError && error.reason === 'NotFound') return false;
    throw error;
  }
}

/** A pod's Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  const conditions = ((pod.status as Record<string, unknown> | undefined)?.conditions ?? []) as Array<{ type: string; status: string }>;
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The pod is neither terminated nor being deleted. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = (pod.status as Record<string, unknown> | undefined)?.phase;
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}
