import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ContextList } from '../../shared/contexts';
import type { ClusterWatchEvent } from '../../shared/contract';
import type { KubeObject } from '../../shared/k8s/objects';
import { createCockpitStore } from '../state/cockpitStore';
import { FakeBridge } from '../test/fakeBridge';
import { resourceKey } from './clusterSlice';

const list = (current: string, namespace: string): ContextList => ({
  contexts: [
    { name: 'drill', cluster: 'c', server: '127.0.0.1:1', namespace: 'codesign-production', source: 'drill' },
    { name: 'prod', cluster: 'p', server: 'prod:6443', namespace: 'default', source: 'kubeconfig' },
  ],
  current,
  namespace,
  problems: [],
  health: {},
});
const pod = (name: string, rv = '1'): KubeObject => ({ metadata: { name, namespace: 'codesign-production', resourceVersion: rv } });

function setup() {
  const bridge = new FakeBridge();
  const store = createCockpitStore(bridge);
  store.setState({ contexts: list('drill', 'codesign-production') });
  const inputs: unknown[] = [];
  const original = bridge.subscribe.bind(bridge);
  bridge.subscribe = ((name: never, input: unknown, handlers: never) => {
    inputs.push({ name, input });
    return original(name, input, handlers);
  }) as typeof bridge.subscribe;
  const emit = (events: ClusterWatchEvent[]) => bridge.emit('cluster:watch', events);
  const view = () => store.getState().resources[resourceKey(store.getState().contexts, 'pods')!];
  return { bridge, store, emit, view, inputs };
}

afterEach(() => vi.useRealTimers());

describe('cluster slice', () => {
  it('subscribes once per kind and selection however many views show it, with the context it was opened for', () => {
    const { bridge, store, inputs } = setup();
    const leaveA = store.getState().watchResource('pods');
    const leaveB = store.getState().watchResource('pods');
    expect(bridge.subscriberCount('cluster:watch')).toBe(1);
    expect(inputs).toEqual([{ name: 'cluster:watch', input: { context: 'drill', resource: 'pods', namespace: 'codesign-production' } }]);
    leaveA();
    leaveB();
  });

  it('applies the paged reset, then diffs, and ticks the version for each change', () => {
    const { store, emit, view } = setup();
    store.getState().watchResource('pods');
    emit([{ type: 'state', state: 'listing' }]);
    expect(view()).toMatchObject({ state: 'listing', synced: false });
    emit([{ type: 'reset', resourceVersion: '', items: [pod('a'), pod('b')], total: 3, complete: false }]);
    expect(view()).toMatchObject({ synced: true, complete: false, total: 3 });
    emit([{ type: 'reset-more', items: [pod('c')], complete: true }, { type: 'state', state: 'watching' }]);
    expect([...view()!.items.keys()]).toEqual(['codesign-production/a', 'codesign-production/b', 'codesign-production/c']);
    const before = view()!.version;
    emit([{ type: 'diff', resourceVersion: '9', upserted: [pod('d', '9'), pod('a', '9')], deleted: ['codesign-production/b'] }]);
    expect([...view()!.items.keys()].sort()).toEqual(['codesign-production/a', 'codesign-production/c', 'codesign-production/d']);
    expect(view()!.items.get('codesign-production/a')?.metadata.resourceVersion).toBe('9');
    expect(view()!.version).toBeGreaterThan(before);
    expect(view()!.state).toBe('watching');
  });

  it('keeps an informer error on the view until it watches again', () => {
    const { store, emit, view } = setup();
    store.getState().watchResource('pods');
    const error = { code: 'Forbidden' as const, message: 'prod: not allowed to list pods (403 Forbidden)', context: 'drill', resource: 'pods' };
    emit([{ type: 'state', state: 'failed', error, attempt: 1 }]);
    expect(view()).toMatchObject({ state: 'failed', error });
    emit([{ type: 'state', state: 'watching' }]);
    expect(view()!.error).toBeUndefined();
  });

  it('drops the old selection’s list when the context changes, so its late events reach nothing', () => {
    vi.useFakeTimers();
    const { bridge, store, emit } = setup();
    const leave = store.getState().watchResource('pods');
    const oldKey = resourceKey(store.getState().contexts, 'pods')!;
    leave();
    store.setState({ contexts: list('prod', 'default') });
    store.getState().watchResource('pods');
    expect(store.getState().resources[oldKey]).toBeUndefined();
    // The old subscription was stopped; the new one is the only listener.
    expect(bridge.subscriberCount('cluster:watch')).toBe(1);
    emit([{ type: 'reset', resourceVersion: '1', items: [pod('x')], total: 1, complete: true }]);
    expect(Object.keys(store.getState().resources)).toEqual([resourceKey(list('prod', 'default'), 'pods')]);
  });

  it('a list nobody shows is kept 10 s (tab flips do not relist), then stopped', () => {
    vi.useFakeTimers();
    const { bridge, store } = setup();
    const leave = store.getState().watchResource('pods');
    leave();
    vi.advanceTimersByTime(5000);
    const again = store.getState().watchResource('pods');
    expect(bridge.subscriberCount('cluster:watch')).toBe(1);
    again();
    vi.advanceTimersByTime(10_001);
    expect(bridge.subscriberCount('cluster:watch')).toBe(0);
  });
});
