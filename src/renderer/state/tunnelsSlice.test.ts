import { describe, expect, it } from 'vitest';
import type { TunnelInfo } from '../../shared/contract/tunnels';
import { FakeBridge } from '../test/fakeBridge';
import { createCockpitStore } from './cockpitStore';
import { applyTunnelEvent, tunnelsTo } from './tunnelsSlice';

const tunnel = (id: string, patch: Partial<TunnelInfo> = {}): TunnelInfo => ({
  id,
  context: 'drill',
  namespace: 'codesign-production',
  target: { kind: 'pod', name: 'postgres-0' },
  remotePort: 5432,
  localPort: 41000,
  state: 'open',
  pod: 'postgres-0',
  connections: 0,
  reconnects: 0,
  since: '2026-12-01T10:00:00.000Z',
  ...patch,
});

describe('tunnels slice', () => {
  it('follows tunnels:watch: a snapshot, then changes, and drops closed ones', () => {
    const bridge = new FakeBridge();
    const store = createCockpitStore(bridge);
    const stop = store.getState().followTunnels();
    bridge.emit('tunnels:watch', [{ type: 'snapshot', tunnels: [tunnel('tun-aaaaaa'), tunnel('tun-bbbbbb', { remotePort: 6379 })] }]);
    expect(Object.keys(store.getState().tunnels)).toEqual(['tun-aaaaaa', 'tun-bbbbbb']);
    bridge.emit('tunnels:watch', [
      { type: 'changed', tunnel: tunnel('tun-aaaaaa', { state: 'reconnecting', reason: 'pod postgres-0 was deleted' }) },
      { type: 'changed', tunnel: tunnel('tun-bbbbbb', { state: 'closed' }) },
    ]);
    expect(store.getState().tunnels).toEqual({ 'tun-aaaaaa': tunnel('tun-aaaaaa', { state: 'reconnecting', reason: 'pod postgres-0 was deleted' }) });
    stop();
    expect(bridge.subscriberCount('tunnels:watch')).toBe(0);
  });

  it('opens through tunnels:open, and keeps the error with its code when it fails', async () => {
    const bridge = new FakeBridge().answer('tunnels:open', (input) => tunnel('tun-cccccc', { target: input.target }));
    const store = createCockpitStore(bridge);
    const opened = await store.getState().openTunnel({ context: 'drill', namespace: 'codesign-production', target: { kind: 'service', name: 'redis' }, remotePort: 6379 });
    expect(opened?.id).toBe('tun-cccccc');
    expect(store.getState().tunnels['tun-cccccc']?.target).toEqual({ kind: 'service', name: 'redis' });
    bridge.answer('tunnels:open', { code: 'NotFound', message: 'pod postgres-9 does not exist in namespace codesign-production (pod not found)' });
    expect(await store.getState().openTunnel({ context: 'drill', namespace: 'codesign-production', target: { kind: 'pod', name: 'postgres-9' }, remotePort: 5432 })).toBeUndefined();
    expect(store.getState().tunnelError).toMatchObject({ code: 'NotFound' });
    expect(store.getState().tunnelOpening).toBe(false);
  });

  it('closes through tunnels:close and forgets the tunnel', async () => {
    const bridge = new FakeBridge().answer('tunnels:close', { closed: true });
    const store = createCockpitStore(bridge);
    store.setState({ tunnels: { 'tun-aaaaaa': tunnel('tun-aaaaaa') } });
    await store.getState().closeTunnel('tun-aaaaaa');
    expect(bridge.callsOf('tunnels:close')).toEqual([{ id: 'tun-aaaaaa' }]);
    expect(store.getState().tunnels).toEqual({});
  });

  it('finds the tunnels to a target and port (for the Databases chip)', () => {
    const held = applyTunnelEvent({}, { type: 'snapshot', tunnels: [tunnel('tun-aaaaaa'), tunnel('tun-bbbbbb', { target: { kind: 'service', name: 'redis' }, pod: 'redis-0', remotePort: 6379 })] });
    expect(tunnelsTo(held, { context: 'drill', remotePort: 6379 }).map((t) => t.id)).toEqual(['tun-bbbbbb']);
    expect(tunnelsTo(held, { context: 'drill', targetName: 'redis-0' }).map((t) => t.id)).toEqual(['tun-bbbbbb']);
    expect(tunnelsTo(held, { context: 'other' })).toEqual([]);
  });
});
