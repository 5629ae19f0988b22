import { describe, expect, it } from 'vitest';
import { FakeBridge } from '../test/fakeBridge';
import { incident, listOf, runbook } from '../test/incidents';
import { createCockpitStore } from './cockpitStore';

const info = { name: 'Incident Cockpit', version: '0.1.0', host: 'web' as const, actor: 'alice', runbookId: runbook.id, platform: 'linux' };

function bootable(hash = '') {
  return new FakeBridge(hash)
    .answer('app:info', info)
    .answer('runbook:get', runbook)
    .answer('contexts:list', { contexts: [], current: undefined, namespace: '', problems: [], health: {} })
    .answer('evidence:status', { state: 'unlocked', method: 'passphrase' })
    .answer('incidents:list', listOf());
}

describe('the cockpit store', () => {
  it('boots once when boot() is called twice (StrictMode): one info request, one stream, one hash listener', async () => {
    const bridge = bootable();
    const store = createCockpitStore(bridge);
    const first = store.getState().boot();
    const second = store.getState().boot();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    expect(bridge.callsOf('app:info')).toHaveLength(1);
    expect(bridge.callsOf('incidents:list')).toHaveLength(1);
    expect(bridge.subscriberCount('incidents:changed')).toBe(1);
    expect(bridge.hashListenerCount()).toBe(1);

    store.getState().dispose();
    expect(bridge.subscriberCount('incidents:changed')).toBe(0);
    expect(bridge.hashListenerCount()).toBe(0);
  });

  it('reports an unreachable host as the boot error and starts nothing', async () => {
    const bridge = new FakeBridge().answer('app:info', { code: 'Unreachable', message: 'cannot reach the cockpit host' });
    const store = createCockpitStore(bridge);
    await store.getState().boot();
    expect(store.getState().bootError).toEqual({ code: 'Unreachable', message: 'cannot reach the cockpit host' });
    expect(bridge.subscriberCount('incidents:changed')).toBe(0);
  });

  it('applies incidents from the stream to the list and the opened state', async () => {
    const bridge = bootable('#/runbook');
    const store = createCockpitStore(bridge);
    await store.getState().boot();
    const changed = incident('inc-20261128-aaaa01', { title: 'Disk filling' });
    bridge.emit('incidents:changed', [changed]);
    expect(store.getState().incidents.map((i) => i.title)).toEqual(['Disk filling']);
    expect(store.getState().opened['inc-20261128-aaaa01']?.title).toBe('Disk filling');
  });

  it('shows a failed incident stream as the notice', async () => {
    const bridge = bootable('#/runbook');
    const store = createCockpitStore(bridge);
    await store.getState().boot();
    bridge.fail('incidents:changed', { code: 'Unavailable', message: 'incidents are unavailable' });
    expect(store.getState().notice).toEqual({ code: 'Unavailable', message: 'incidents are unavailable' });
  });

  it('follows the hash: the route moves when the user goes back or edits the URL', async () => {
    const bridge = bootable('#/runbook/high-response-times');
    const store = createCockpitStore(bridge);
    expect(store.getState().route).toEqual({ panel: 'runbook', id: 'high-response-times' });
    await store.getState().boot();
    bridge.location.setHash('#/evidence');
    expect(store.getState().route).toEqual({ panel: 'evidence' });
    store.getState().navigate({ panel: 'runbook', id: 'process', step: 'rollout-history' });
    expect(bridge.location.hash()).toBe('#/runbook/process/rollout-history');
  });

  it('shows a failed action as the notice, with its code, instead of throwing', async () => {
    const bridge = bootable().answer('contexts:select', { code: 'NotFound', message: 'no context "prod"' });
    const store = createCockpitStore(bridge);
    await store.getState().selectContext('prod');
    expect(store.getState().notice).toEqual({ code: 'NotFound', message: 'no context "prod"' });
    store.getState().dismissNotice();
    expect(store.getState().notice).toBeUndefined();
  });
});
