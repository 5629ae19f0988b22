/**
 * The drill cluster's object store: one map per resource, one global resourceVersion counter,
 * and a bounded history of changes so that HTTP watches can resume from a resourceVersion.
 */
import { randomUUID } from 'node:crypto';
import {
  StoreError,
  type KubeObject,
  type ObjectStore,
  type ResourceKey,
  type StoreEvent,
} from './types';

/** A change as the history keeps it: the event plus the resourceVersion it was written at. */
export interface StoreChange extends StoreEvent {
  resourceVersion: number;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  /** What happens to objects whose ownerReferences point at the deleted one. Default Background. */
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface MemoryObjectStoreOptions {
  /** How many changes the watch history keeps (default 10,000). */
  historySize?: number;
  /** Epoch ms for creationTimestamp (default `Date.now`); the cluster passes the simulated clock. */
  now?: () => number;
}

/** Outcome of asking for the history after a resourceVersion. */
export type HistoryAnswer = { expired: false; changes: StoreChange[] } | { expired: true; oldest: number };

const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `deployments.apps` from `apps/v1/deployments`, `pods` from `v1/pods`: the name kubectl prints. */
export function qualifiedResourceName(resource: ResourceKey): string {
  const parts = resource.split('/');
  return parts.length >= 3 ? `${parts[2]}.${parts[0]}` : (parts[1] ?? resource);
}

function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The index of the first of the sorted `keys` that is not below `key` (keys.length if none). */
function lowerBound(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((keys[mid] as string) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

function randomNameSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) {
    suffix += NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)];
  }
  return suffix;
}

/** Everything but metadata and status, serialised: what a generation bump is judged on. */
export function specFingerprint(object: KubeObject): string {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return JSON.stringify(rest);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * In-memory `ObjectStore`. Stored objects are never mutated in place (every write replaces the
 * entry), so `snapshot` and `changesSince` can hand out shared read-only references cheaply;
 * the `ObjectStore` methods hand out copies.
 */
export class MemoryObjectStore implements ObjectStore {
  private readonly resources = new Map<ResourceKey, Map<string, KubeObject>>();
  /** Each listed resource's keys in etcd order; kept in step by create and delete (updates keep the order). */
  private readonly sortedKeys = new Map<ResourceKey, string[]>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly rawListeners = new Set<(change: StoreChange) => void>();
  private readonly history: StoreChange[] = [];
  private historyStart = 0;
  private readonly historySize: number;
  /** The newest resourceVersion that fell out of the history window (0: none yet). */
  private evictedThrough = 0;
  private rv = 0;
  private now: () => number;

  constructor(options: MemoryObjectStoreOptions = {}) {
    this.historySize = Math.max(1, options.historySize ?? 10_000);
    this.now = options.now ?? Date.now;
  }

  /** Stamps creationTimestamp from `now` from here on (the simulated clock, once the world has one). */
  useClock(now: () => number): void {
    this.now = now;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get(resource: ResourceKey, namespace: string | undefined, name: string): KubeObject | undefined {
    const stored = this.resources.get(resource)?.get(objectKey(namespace, name));
    return stored === undefined ? undefined : clone(stored);
  }

  list(resource: ResourceKey, namespace?: string): KubeObject[] {
    return this.snapshot(resource, namespace).map(clone);
  }

  /**
   * Shared, read-only references to the stored objects, sorted by namespace and name (etcd key
   * order). Callers must not mutate them; the server serialises them straight to the wire.
   */
  snapshot(resource: ResourceKey, namespace?: string): readonly KubeObject[] {
    const map = this.resources.get(resource);
    if (!map) return [];
    const keys = this.keysInOrder(resource, map);
    let from = 0;
    let to = keys.length;
    if (namespace) {
      from = lowerBound(keys, `${namespace}/`);
      to = lowerBound(keys, `${namespace}0`);
    }
    const objects: KubeObject[] = [];
    for (let i = from; i < to; i++) {
      const object = map.get(keys[i] as string) as KubeObject;
      if (namespace === undefined || object.metadata.namespace === namespace) objects.push(object);
    }
    return objects;
  }

  /**
   * Puts back objects saved from an earlier run (`resourceKeys` + `snapshot`), as they were:
   * names, uids, resourceVersions, timestamps. Only into an empty store; the watch history
   * starts after them (older resourceVersions answer 410 Gone, as after an etcd compaction).
   */
  load(objects: Record<ResourceKey, readonly KubeObject[]>, resourceVersion: number): void {
    if (this.rv !== 0 || this.resources.size > 0) throw new Error('load() needs an empty store');
    let newest = resourceVersion;
    for (const [resource, list] of Object.entries(objects)) {
      const map = this.mapFor(resource);
      for (const object of list) {
        map.set(objectKey(object.metadata.namespace, object.metadata.name), clone(object));
        newest = Math.max(newest, Number(object.metadata.resourceVersion ?? 0));
      }
      this.sortedKeys.delete(resource);
    }
    this.rv = newest;
    this.evictedThrough = newest;
  }

  /** The resource keys that currently hold at least one object. */
  resourceKeys(): ResourceKey[] {
    return [...this.resources.entries()].filter(([, m]) => m.size > 0).map(([key]) => key);
  }

  create(resource: ResourceKey, object: KubeObject): KubeObject {
    const created = clone(object);
    const meta = (created.metadata ??= { name: '' });
    if (!meta.name && meta.generateName) {
      const map = this.mapFor(resource);
      do {
        meta.name = `${meta.generateName}${randomNameSuffix()}`;
      } while (map.has(objectKey(meta.namespace, meta.name)));
    }
    if (!meta.name) {
      throw new StoreError('Invalid', `${qualifiedResourceName(resource)} "": name or generateName is required`);
    }
    const map = this.mapFor(resource);
    const key = objectKey(meta.namespace, meta.name);
    if (map.has(key)) {
      throw new StoreError('AlreadyExists', `${qualifiedResourceName(resource)} "${meta.name}" already exists`);
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    meta.generation = 1;
    delete meta.deletionTimestamp;
    meta.resourceVersion = String(++this.rv);
    map.set(key, created);
    const keys = this.sortedKeys.get(resource);
    if (keys) keys.splice(lowerBound(keys, key), 0, key);
    this.record({ type: 'ADDED', resource, object: created, resourceVersion: this.rv });
    return clone(created);
  }

  update(resource: ResourceKey, object: KubeObject): KubeObject {
    const name = object.metadata?.name;
    const namespace = object.metadata?.namespace;
    const map = this.resources.get(resource);
    const key = objectKey(namespace, name ?? '');
    const stored = map?.get(key);
    if (!map || !stored || !name) {
      throw new StoreError('NotFound', `${qualifiedResourceName(resource)} "${name ?? ''}" not found`);
    }
    const requested = object.metadata.resourceVersion;
    if (requested !== undefined && requested !== '' && requested !== stored.metadata.resourceVersion) {
      throw new StoreError(
        'Conflict',
        `Operation cannot be fulfilled on ${qualifiedResourceName(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    if (object.metadata.uid !== undefined && object.metadata.uid !== stored.metadata.uid) {
      throw new StoreError(
        'Conflict',
        `Operation cannot be fulfilled on ${qualifiedResourceName(resource)} "${name}": Precondition failed: UID in precondition: ${object.metadata.uid}, UID in object meta: ${stored.metadata.uid}`,
      );
    }
    const updated = clone(object);
    updated.metadata.uid = stored.metadata.uid;
    updated.metadata.creationTimestamp = stored.metadata.creationTimestamp;
    const generation = stored.metadata.generation ?? 1;
    updated.metadata.generation =
      specFingerprint(updated) === specFingerprint(stored) ? generation : generation + 1;
    // deletionTimestamp is set once (it may only move earlier) and never cleared by a write.
    const marked = stored.metadata.deletionTimestamp;
    if (marked && (!updated.metadata.deletionTimestamp || Date.parse(updated.metadata.deletionTimestamp) > Date.parse(marked))) {
      updated.metadata.deletionTimestamp = marked;
      updated.metadata.deletionGracePeriodSeconds = stored.metadata.deletionGracePeriodSeconds;
    }
    updated.metadata.resourceVersion = String(++this.rv);
    map.set(key, updated);
    this.record({ type: 'MODIFIED', resource, object: updated, resourceVersion: this.rv });
    // The last finalizer of an object being deleted went, and its grace period is over: it goes now.
    const due = updated.metadata.deletionTimestamp;
    const finalizers = (updated.metadata.finalizers as string[] | undefined) ?? [];
    const hadFinalizers = ((stored.metadata.finalizers as string[] | undefined) ?? []).length > 0;
    if (due && hadFinalizers && finalizers.length === 0 && Date.parse(due) <= this.now()) this.delete(resource, namespace, name);
    return clone(updated);
  }

  mutate(
    resource: ResourceKey,
    namespace: string | undefined,
    name: string,
    fn: (object: KubeObject) => void | false,
  ): KubeObject {
    const stored = this.resources.get(resource)?.get(objectKey(namespace, name));
    if (!stored) throw new StoreError('NotFound', `${qualifiedResourceName(resource)} "${name}" not found`);
    const draft = clone(stored);
    if (fn(draft) === false) return clone(stored);
    draft.metadata.name = name;
    draft.metadata.namespace = stored.metadata.namespace;
    draft.metadata.resourceVersion = stored.metadata.resourceVersion;
    draft.metadata.uid = stored.metadata.uid;
    return this.update(resource, draft);
  }

  /**
   * Deletes the object and answers it (undefined when absent). Dependents named by
   * ownerReferences are deleted afterwards (Background/Foreground) or released (Orphan);
   * deleting a namespace deletes everything in it.
   */
  delete(
    resource: ResourceKey,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): KubeObject | undefined {
    const map = this.resources.get(resource);
    const key = objectKey(namespace, name);
    const stored = map?.get(key);
    if (!map || !stored) return undefined;
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== stored.metadata.uid) {
      throw new StoreError(
        'Conflict',
        `Operation cannot be fulfilled on ${qualifiedResourceName(resource)} "${name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${stored.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== stored.metadata.resourceVersion) {
      throw new StoreError(
        'Conflict',
        `Operation cannot be fulfilled on ${qualifiedResourceName(resource)} "${name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${stored.metadata.resourceVersion}`,
      );
    }
    map.delete(key);
    const keys = this.sortedKeys.get(resource);
    if (keys) keys.splice(lowerBound(keys, key), 1);
    const deleted = clone(stored);
    deleted.metadata.resourceVersion = String(++this.rv);
    this.record({ type: 'DELETED', resource, object: deleted, resourceVersion: this.rv });
    const uid = stored.metadata.uid;
    if (uid) this.collectDependents(uid, options.propagationPolicy ?? 'Background');
    if (resource === 'v1/namespaces') this.emptyNamespace(name);
    return clone(deleted);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Like `subscribe`, but the change carries shared read-only objects and its resourceVersion:
   * for the server's watches, which only serialise what they get.
   */
  subscribeChanges(listener: (change: StoreChange) => void): () => void {
    this.rawListeners.add(listener);
    return () => this.rawListeners.delete(listener);
  }

  /**
   * The changes after `resourceVersion`, oldest first, as shared read-only objects; `expired`
   * when some of them already fell out of the history window (the client must relist: 410).
   */
  changesSince(resourceVersion: number): HistoryAnswer {
    if (resourceVersion < this.evictedThrough) {
      return { expired: true, oldest: this.evictedThrough + 1 };
    }
    const changes: StoreChange[] = [];
    for (let i = this.historyStart; i < this.history.length; i++) {
      const change = this.history[i] as StoreChange;
      if (change.resourceVersion > resourceVersion) changes.push(change);
    }
    return { expired: false, changes };
  }

  /** The resource's keys sorted once, then maintained by create and delete. */
  private keysInOrder(resource: ResourceKey, map: Map<string, KubeObject>): readonly string[] {
    let keys = this.sortedKeys.get(resource);
    if (!keys) {
      keys = [...map.keys()].sort();
      this.sortedKeys.set(resource, keys);
    }
    return keys;
  }

  private mapFor(resource: ResourceKey): Map<string, KubeObject> {
    let map = this.resources.get(resource);
    if (!map) {
      map = new Map();
      this.resources.set(resource, map);
    }
    return map;
  }

  private record(change: StoreChange): void {
    this.history.push(change);
    if (this.history.length - this.historyStart > this.historySize) {
      this.evictedThrough = (this.history[this.historyStart] as StoreChange).resourceVersion;
      this.historyStart++;
      if (this.historyStart > 4096 && this.historyStart * 2 > this.history.length) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
    for (const listener of this.rawListeners) listener(change);
    if (this.listeners.size > 0) {
      const event: StoreEvent = { type: change.type, resource: change.resource, object: clone(change.object) };
      for (const listener of this.listeners) listener(event);
    }
  }

  private collectDependents(ownerUid: string, policy: PropagationPolicy): void {
    const dependents: Array<{ resource: ResourceKey; object: KubeObject }> = [];
    for (const [resource, map] of this.resources) {
      for (const object of map.values()) {
        if (object.metadata.ownerReferences?.some((ref) => ref.uid === ownerUid)) {
          dependents.push({ resource, object });
        }
      }
    }
    if (dependents.length === 0) return;
    if (policy === 'Orphan') {
      for (const { resource, object } of dependents) {
        this.mutate(resource, object.metadata.namespace, object.metadata.name, (draft) => {
          draft.metadata.ownerReferences = draft.metadata.ownerReferences?.filter((ref) => ref.uid !== ownerUid);
          if (draft.metadata.ownerReferences?.length === 0) delete draft.metadata.ownerReferences;
        });
      }
      return;
    }
    setImmediate(() => {
      for (const { resource, object } of dependents) {
        const { namespace, name } = object.metadata;
        const current = this.resources.get(resource)?.get(objectKey(namespace, name));
        if (!current || current.metadata.uid !== object.metadata.uid) continue;
        const remaining = current.metadata.ownerReferences?.filter((ref) => ref.uid !== ownerUid) ?? [];
        if (remaining.length === 0) {
          this.delete(resource, namespace, name);
        } else {
          this.mutate(resource, namespace, name, (draft) => {
            draft.metadata.ownerReferences = remaining;
          });
        }
      }
    });
  }

  private emptyNamespace(namespace: string): void {
    setImmediate(() => {
      for (const [resource, map] of this.resources) {
        for (const object of [...map.values()]) {
          if (object.metadata.namespace === namespace) {
            this.delete(resource, namespace, object.metadata.name);
          }
        }
      }
    });
  }
}
