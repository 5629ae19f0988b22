import { describe, expect, it } from 'vitest';
import type { LogStats } from '../../shared/contract/logs';
import { createCockpitStore } from '../state/cockpitStore';
import { FakeBridge } from '../test/fakeBridge';

const stats = (nextSeq: number): LogStats => ({ nextSeq, firstSeq: 0, dropped: 0, maxLines: 1_000_000, bytes: nextSeq * 100, rate: 10 });
const contexts = { contexts: [], current: 'drill', namespace: 'codesign-production', problems: [], health: {} };

describe('logs slice', () => {
  it('keeps only counts and state from the view stream, never the lines', () => {
    const bridge = new FakeBridge();
    const store = createCockpitStore(bridge);
    store.setState({ contexts });
    store.getState().openLogs({ kind: 'deployment', name: 'codesign-api' }, { tailLines: 10 });
    expect(store.getState().logView).toMatchObject({ status: 'opening', context: 'drill', namespace: 'codesign-production' });
    bridge.emit('logs:view', [
      { type: 'opened', viewId: 'log-abcdef012345', context: 'drill', namespace: 'codesign-production', description: 'deployment/codesign-api' },
      { type: 'stats', stats: stats(10) },
      { type: 'stats', stats: stats(25) },
      { type: 'sources', sources: [{ id: 0, pod: 'codesign-api-1', container: 'codesign-api', state: 'streaming', lines: 25, resumes: 0, repeatsDropped: 0 }] },
    ]);
    const view = store.getState().logView!;
    expect(view).toMatchObject({ status: 'open', viewId: 'log-abcdef012345', stats: { nextSeq: 25 } });
    expect(view.sources).toHaveLength(1);
    expect(JSON.stringify(view)).not.toMatch(/GET \/api/);
  });

  it('hands pushed tails to the list’s listener, never to the store', () => {
    const bridge = new FakeBridge();
    const store = createCockpitStore(bridge);
    store.setState({ contexts });
    store.getState().openLogs({ kind: 'pod', name: 'codesign-api-1' });
    const tails: number[] = [];
    const off = store.getState().onLogTail((tail) => tails.push(tail.lines.length));
    bridge.emit('logs:view', [
      { type: 'opened', viewId: 'log-abcdef012345', context: 'drill', namespace: 'codesign-production', description: 'pod/codesign-api-1' },
      { type: 'stats', stats: stats(2) },
      { type: 'tail', from: 0, filtered: false, lines: [{ seq: 0, source: 0, time: null, text: 'GET /api/a' }, { seq: 1, source: 0, time: null, text: 'GET /api/b' }] },
    ]);
    off();
    bridge.emit('logs:view', [{ type: 'tail', from: 1, filtered: false, lines: [{ seq: 1, source: 0, time: null, text: 'GET /api/b' }] }]);
    expect(tails).toEqual([2]);
    expect(store.getState().logView?.stats?.nextSeq).toBe(2);
    expect(JSON.stringify(store.getState().logView)).not.toMatch(/GET \/api/);
  });

  it('shows the pass’s match count as soon as the filter is set, not the last report’s none', async () => {
    const bridge = new FakeBridge().answer('logs:setFilter', { matched: 347, tookMs: 2, cpuMs: 2, engine: 'literal byte search (linear time)' });
    const store = createCockpitStore(bridge);
    store.setState({ contexts });
    store.getState().openLogs({ kind: 'deployment', name: 'codesign-api' });
    bridge.emit('logs:view', [
      { type: 'opened', viewId: 'log-abcdef012345', context: 'drill', namespace: 'codesign-production', description: 'deployment/codesign-api' },
      { type: 'stats', stats: stats(1609) },
    ]);
    await store.getState().setLogFilter({ terms: [{ pattern: 'ERROR|CRITICAL|500|502|503', regex: true, caseSensitive: true, invert: false }], combine: 'any' });
    expect(store.getState().logView?.stats).toMatchObject({ nextSeq: 1609, matched: 347 });
    bridge.answer('logs:setFilter', { matched: 1609, tookMs: 0, cpuMs: 0, engine: 're2 (linear time)' });
    await store.getState().setLogFilter(null);
    expect(store.getState().logView?.stats?.matched).toBeUndefined();
  });

  it('shows a refused view with its error, and a view of a context that went away as ended', () => {
    const bridge = new FakeBridge();
    const store = createCockpitStore(bridge);
    store.setState({ contexts });
    store.getState().openLogs({ kind: 'pod', name: 'nope' });
    bridge.fail('logs:view', { code: 'NotFound', message: 'pod "nope" not found in namespace codesign-production of drill' });
    expect(store.getState().logView).toMatchObject({ status: 'failed', error: { code: 'NotFound' } });
  });

  it('captures to the active incident, and says so when there is none', async () => {
    const bridge = new FakeBridge().answer('logs:capture', { name: 'logs-x-3-lines.log', lines: 3, bytes: 100, sha256: 'a'.repeat(64), from: null, to: null });
    bridge.answer('evidence:timeline', []).answer('evidence:attachments', []);
    const store = createCockpitStore(bridge);
    store.setState({ contexts });
    store.getState().openLogs({ kind: 'pod', name: 'p' });
    bridge.emit('logs:view', [{ type: 'opened', viewId: 'log-abcdef012345', context: 'drill', namespace: 'codesign-production', description: 'pod/p' }]);
    expect(await store.getState().captureLogs({ filtered: true })).toBe(false);
    expect(store.getState().notice?.message).toMatch(/no active incident/);
    store.setState({ route: { panel: 'incident', id: 'inc-20261201-abcd01' } });
    expect(await store.getState().captureLogs({ filtered: true, lastMinutes: 5 })).toBe(true);
    expect(bridge.callsOf('logs:capture')).toEqual([{ viewId: 'log-abcdef012345', incidentId: 'inc-20261201-abcd01', filtered: true, lastMinutes: 5 }]);
    expect(store.getState().logView?.lastCapture).toEqual({ name: 'logs-x-3-lines.log', lines: 3, incidentId: 'inc-20261201-abcd01' });
  });

  it('a closed view is not updated by late events', () => {
    const bridge = new FakeBridge();
    const store = createCockpitStore(bridge);
    store.setState({ contexts });
    store.getState().openLogs({ kind: 'pod', name: 'p' });
    const [handlers] = [...bridge.subscriptions.get('logs:view')!];
    store.getState().openLogs({ kind: 'pod', name: 'q' });
    handlers!.events([{ type: 'stats', stats: stats(99) }], () => undefined);
    expect(store.getState().logView?.stats).toBeUndefined();
    expect(store.getState().logView?.source).toEqual({ kind: 'pod', name: 'q' });
  });
});
