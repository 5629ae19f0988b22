import { describe, expect, it } from 'vitest';
import { evictPod } from './eviction';
import { ApiError } from './status';
import { MemoryObjectStore } from './store';
import { RESOURCE_KEYS } from './resources';

function storeWithPod(): { store: MemoryObjectStore; pod: ReturnType<MemoryObjectStore['create']> } {
  const store = new MemoryObjectStore();
  const pod = store.create(RESOURCE_KEYS.pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'ns', labels: { app: 'web' } },
    spec: { containers: [{ name: 'web', image: 'nginx' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  return { store, pod };
}

function failure(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return { code: error.status.code, message: error.status.message };
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('pods/eviction', () => {
  it('answers 201 Success and the delete options to use for an allowed eviction', () => {
    const { store, pod } = storeWithPod();
    const outcome = evictPod(store, pod, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-1' }, deleteOptions: { gracePeriodSeconds: 5 } }, new URLSearchParams(), Date.now());
    expect(outcome).toEqual({ status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }, deleteOptions: { gracePeriodSeconds: 5 } });
  });

  it('deletes nothing for a dry run', () => {
    const { store, pod } = storeWithPod();
    expect(evictPod(store, pod, { kind: 'Eviction', deleteOptions: { dryRun: ['All'] } }, new URLSearchParams(), Date.now()).deleteOptions).toBeUndefined();
  });

  it('refuses a body for another pod, another kind, or a stale uid precondition, with the API server’s messages', () => {
    const { store, pod } = storeWithPod();
    expect(failure(() => evictPod(store, pod, { kind: 'Eviction', metadata: { name: 'web-2' } }, new URLSearchParams(), 0))).toEqual({ code: 400, message: 'name in URL does not match name in Eviction object' });
    expect(failure(() => evictPod(store, pod, { apiVersion: 'v1', kind: 'Pod' }, new URLSearchParams(), 0)).code).toBe(400);
    expect(failure(() => evictPod(store, pod, 'nope', new URLSearchParams(), 0)).code).toBe(400);
    expect(failure(() => evictPod(store, pod, { kind: 'Eviction', deleteOptions: { preconditions: { uid: 'other' } } }, new URLSearchParams(), 0)).code).toBe(409);
  });
});
