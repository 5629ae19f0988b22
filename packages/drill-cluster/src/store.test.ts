import { describe, expect, it } from 'vitest';
import { MemoryObjectStore, qualifiedResourceName } from './store';
import { StoreError, type KubeObject, type StoreEvent } from './types';

const DEPLOYMENTS = 'apps/v1/deployments';
const PODS = 'v1/pods';

function deployment(name: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'ns' },
    spec: { replicas, template: { spec: { containers: [{ name: 'app', image: 'app:1' }] } } },
  };
}

function pod(name: string, ownerUid?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      ...(ownerUid
        ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: ownerUid, controller: true }] }
        : {}),
    },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
  };
}

function storeErrorOf(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error('expected a StoreError');
}

describe('MemoryObjectStore', () => {
  it('fills uid, creationTimestamp, generation and a growing resourceVersion on create', () => {
    const store = new MemoryObjectStore();
    const a = store.create(DEPLOYMENTS, deployment('a'));
    const b = store.create(DEPLOYMENTS, deployment('b'));
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(a.metadata.generation).toBe(1);
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(store.resourceVersion).toBe(Number(b.metadata.resourceVersion));
  });

  it('names objects from generateName and refuses duplicates and nameless objects', () => {
    const store = new MemoryObjectStore();
    const generated = store.create(PODS, { ...pod(''), metadata: { name: '', namespace: 'ns', generateName: 'web-' } });
    expect(generated.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    store.create(PODS, pod('x'));
    expect(storeErrorOf(() => store.create(PODS, pod('x'))).reason).toBe('AlreadyExists');
    expect(storeErrorOf(() => store.create(PODS, pod(''))).reason).toBe('Invalid');
  });

  it('hands out copies: mutating a result does not change the store', () => {
    const store = new MemoryObjectStore();
    const created = store.create(DEPLOYMENTS, deployment('a'));
    created.metadata.labels = { changed: 'yes' };
    const read = store.get(DEPLOYMENTS, 'ns', 'a') as KubeObject;
    read.metadata.labels = { changed: 'also' };
    expect(store.get(DEPLOYMENTS, 'ns', 'a')?.metadata.labels).toBeUndefined();
  });

  it('bumps generation only when the spec changes', () => {
    const store = new MemoryObjectStore();
    store.create(DEPLOYMENTS, deployment('a'));
    const statusOnly = store.mutate(DEPLOYMENTS, 'ns', 'a', (d) => {
      d.status = { replicas: 1 };
      d.metadata.labels = { x: 'y' };
    });
    expect(statusOnly.metadata.generation).toBe(1);
    const specChange = store.mutate(DEPLOYMENTS, 'ns', 'a', (d) => {
      (d.spec as { replicas: number }).replicas = 5;
    });
    expect(specChange.metadata.generation).toBe(2);
    expect(store.get(DEPLOYMENTS, 'ns', 'a')?.spec).toMatchObject({ replicas: 5 });
  });

  it('refuses an update carrying a stale resourceVersion with Conflict', () => {
    const store = new MemoryObjectStore();
    const first = store.create(DEPLOYMENTS, deployment('a'));
    store.mutate(DEPLOYMENTS, 'ns', 'a', (d) => {
      (d.spec as { replicas: number }).replicas = 2;
    });
    const error = storeErrorOf(() => store.update(DEPLOYMENTS, { ...first, spec: { replicas: 9 } }));
    expect(error.reason).toBe('Conflict');
    expect(error.message).toContain('deployments.apps "a": the object has been modified');
    expect(store.get(DEPLOYMENTS, 'ns', 'a')?.spec).toMatchObject({ replicas: 2 });
  });

  it('updates without a resourceVersion unconditionally, keeping uid and creationTimestamp', () => {
    const store = new MemoryObjectStore();
    const first = store.create(DEPLOYMENTS, deployment('a'));
    const { resourceVersion: _rv, ...meta } = first.metadata;
    const updated = store.update(DEPLOYMENTS, { ...first, metadata: { ...meta, uid: undefined }, spec: { replicas: 3 } });
    expect(updated.metadata.uid).toBe(first.metadata.uid);
    expect(updated.metadata.creationTimestamp).toBe(first.metadata.creationTimestamp);
    expect(updated.metadata.generation).toBe(2);
  });

  it('answers NotFound when updating or mutating a missing object, undefined when deleting one', () => {
    const store = new MemoryObjectStore();
    expect(storeErrorOf(() => store.update(PODS, pod('nope'))).message).toBe('pods "nope" not found');
    expect(storeErrorOf(() => store.mutate(PODS, 'ns', 'nope', () => undefined)).reason).toBe('NotFound');
    expect(store.delete(PODS, 'ns', 'nope')).toBeUndefined();
  });

  it('mutate skips the write when the function returns false', () => {
    const store = new MemoryObjectStore();
    store.create(PODS, pod('a'));
    const before = store.resourceVersion;
    store.mutate(PODS, 'ns', 'a', () => false);
    expect(store.resourceVersion).toBe(before);
  });

  it('lists by namespace, sorted by name', () => {
    const store = new MemoryObjectStore();
    store.create(PODS, pod('b'));
    store.create(PODS, pod('a'));
    store.create(PODS, { ...pod('c'), metadata: { name: 'c', namespace: 'other' } });
    expect(store.list(PODS, 'ns').map((p) => p.metadata.name)).toEqual(['a', 'b']);
    expect(store.list(PODS).map((p) => p.metadata.name)).toEqual(['a', 'b', 'c']);
  });

  it('keeps snapshots in key order as objects come and go, and keeps namespaces with shared prefixes apart', () => {
    const store = new MemoryObjectStore();
    const inNamespace = (name: string, namespace: string) => ({ ...pod(name), metadata: { name, namespace } });
    for (const namespace of ['ns', 'ns-2', 'ns0', 'n']) store.create(PODS, inNamespace('m', namespace));
    const names = (namespace?: string) => store.snapshot(PODS, namespace).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(names()).toEqual(['n/m', 'ns-2/m', 'ns/m', 'ns0/m']);
    store.create(PODS, inNamespace('z', 'ns'));
    store.create(PODS, inNamespace('a', 'ns'));
    store.update(PODS, { ...inNamespace('m', 'ns'), spec: { containers: [{ name: 'app', image: 'app:2' }] } });
    store.delete(PODS, 'ns-2', 'm');
    expect(names()).toEqual(['n/m', 'ns/a', 'ns/m', 'ns/z', 'ns0/m']);
    expect(names('ns')).toEqual(['ns/a', 'ns/m', 'ns/z']);
    expect(names('ns-2')).toEqual([]);
    expect(names('n')).toEqual(['n/m']);
    expect((store.snapshot(PODS, 'ns')[1]?.spec as { containers: Array<{ image: string }> }).containers[0]?.image).toBe('app:2');
  });

  it('tells subscribers about adds, updates and deletes, the delete with a new resourceVersion', () => {
    const store = new MemoryObjectStore();
    const events: StoreEvent[] = [];
    const unsubscribe = store.subscribe((e) => events.push(e));
    store.create(PODS, pod('a'));
    store.mutate(PODS, 'ns', 'a', (p) => {
      p.metadata.labels = { x: '1' };
    });
    const deleted = store.delete(PODS, 'ns', 'a');
    unsubscribe();
    store.create(PODS, pod('b'));
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(deleted?.metadata.resourceVersion).toBe(String(store.resourceVersion - 1));
    expect(events[2]?.object.metadata.resourceVersion).toBe(deleted?.metadata.resourceVersion);
  });

  it('replays history after a resourceVersion and reports expiry once the window moved past it', () => {
    const store = new MemoryObjectStore({ historySize: 3 });
    const a = store.create(PODS, pod('a'));
    store.create(PODS, pod('b'));
    const since = store.changesSince(Number(a.metadata.resourceVersion));
    expect(since).toMatchObject({ expired: false });
    expect(since.expired ? [] : since.changes.map((c) => c.object.metadata.name)).toEqual(['b']);
    store.create(PODS, pod('c'));
    store.create(PODS, pod('d'));
    store.create(PODS, pod('e'));
    expect(store.changesSince(Number(a.metadata.resourceVersion)).expired).toBe(true);
    const recent = store.changesSince(store.resourceVersion - 2);
    expect(recent.expired ? [] : recent.changes.map((c) => c.object.metadata.name)).toEqual(['d', 'e']);
  });

  it('keeps the history window bounded over many writes', () => {
    const store = new MemoryObjectStore({ historySize: 100 });
    store.create(PODS, pod('a'));
    for (let i = 0; i < 2_000; i++) {
      store.mutate(PODS, 'ns', 'a', (p) => {
        p.metadata.annotations = { i: String(i) };
      });
    }
    const answer = store.changesSince(store.resourceVersion - 100);
    expect(answer.expired).toBe(false);
    expect(answer.expired ? 0 : answer.changes.length).toBe(100);
    expect(store.changesSince(store.resourceVersion - 101).expired).toBe(true);
  });

  it('deletes dependents in the background and orphans them on request', async () => {
    const store = new MemoryObjectStore();
    const owner = store.create('apps/v1/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'ns' } });
    store.create(PODS, pod('p1', owner.metadata.uid));
    store.create(PODS, pod('p2', owner.metadata.uid));
    store.create(PODS, pod('free'));
    store.delete('apps/v1/replicasets', 'ns', 'rs');
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.list(PODS, 'ns').map((p) => p.metadata.name)).toEqual(['free']);

    const owner2 = store.create('apps/v1/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'ns' } });
    store.create(PODS, pod('p3', owner2.metadata.uid));
    store.delete('apps/v1/replicasets', 'ns', 'rs', { propagationPolicy: 'Orphan' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.get(PODS, 'ns', 'p3')?.metadata.ownerReferences).toBeUndefined();
  });

  it('honours delete preconditions', () => {
    const store = new MemoryObjectStore();
    store.create(PODS, pod('a'));
    expect(storeErrorOf(() => store.delete(PODS, 'ns', 'a', { preconditions: { uid: 'other' } })).reason).toBe('Conflict');
    expect(store.get(PODS, 'ns', 'a')).toBeDefined();
  });

  it('names resources the way kubectl prints them', () => {
    expect(qualifiedResourceName('v1/pods')).toBe('pods');
    expect(qualifiedResourceName('apps/v1/deployments')).toBe('deployments.apps');
    expect(qualifiedResourceName('cert-manager.io/v1/certificates')).toBe('certificates.cert-manager.io');
  });
});
