import type { TunnelInfo, TunnelRequest, TunnelWatchEvent } from '../../shared/contract/tunnels';
import type { CockpitError } from '../../shared/result';
import { asError, type CockpitSlice } from './slice';

/**
 * The cockpit's port-forwards in the renderer: followed live over `tunnels:watch` (state,
 * reason, pod, counts), opened and closed only through these actions. Holds ids and states,
 * never a credential.
 */
export interface TunnelsSlice {
  /** Every tunnel by id, as main last reported it (closed ones are dropped). */
  tunnels: Record<string, TunnelInfo>;
  /** Why the last open (or close) failed, with its code: shown by the Open form. */
  tunnelError?: CockpitError;
  /** An open in flight. */
  tunnelOpening: boolean;
  /** Subscribes to `tunnels:watch`; answers the unsubscribe. */
  followTunnels(): () => void;
  openTunnel(request: TunnelRequest): Promise<TunnelInfo | undefined>;
  closeTunnel(id: string): Promise<void>;
  clearTunnelError(): void;
}

/** Applies one watch event to the tunnels held (pure, for the slice and its tests). */
export function applyTunnelEvent(tunnels: Record<string, TunnelInfo>, event: TunnelWatchEvent): Record<string, TunnelInfo> {
  if (event.type === 'snapshot') return Object.fromEntries(event.tunnels.filter((t) => t.state !== 'closed').map((t) => [t.id, t]));
  const { tunnel } = event;
  if (tunnel.state === 'closed') {
    if (!(tunnel.id in tunnels)) return tunnels;
    const { [tunnel.id]: _closed, ...rest } = tunnels;
    return rest;
  }
  return { ...tunnels, [tunnel.id]: tunnel };
}

/** The tunnels to one target and port (the Databases panel's chip looks its tunnel up this way). */
export function tunnelsTo(tunnels: Record<string, TunnelInfo>, query: { context: string; namespace?: string; remotePort?: number; targetName?: string }): TunnelInfo[] {
  return Object.values(tunnels).filter(
    (t) =>
      t.context === query.context &&
      (query.namespace === undefined || t.namespace === query.namespace) &&
      (query.remotePort === undefined || t.remotePort === query.remotePort) &&
      (query.targetName === undefined || t.target.name === query.targetName || t.pod === query.targetName),
  );
}

export const createTunnelsSlice: CockpitSlice<TunnelsSlice> = (bridge) => (set, get) => ({
  tunnels: {},
  tunnelOpening: false,
  followTunnels() {
    return bridge.subscribe(
      'tunnels:watch',
      {},
      {
        events: (events) => {
          let tunnels = get().tunnels;
          for (const event of events) tunnels = applyTunnelEvent(tunnels, event);
          set({ tunnels });
        },
        error: (error) => set({ tunnelError: error }),
      },
    );
  },
  async openTunnel(request) {
    set({ tunnelOpening: true, tunnelError: undefined });
    try {
      const info = await bridge.call('tunnels:open', request);
      set({ tunnels: applyTunnelEvent(get().tunnels, { type: 'changed', tunnel: info }) });
      return info;
    } catch (error) {
      set({ tunnelError: asError(error) });
      return undefined;
    } finally {
      set({ tunnelOpening: false });
    }
  },
  async closeTunnel(id) {
    try {
      await bridge.call('tunnels:close', { id });
      const existing = get().tunnels[id];
      if (existing) set({ tunnels: applyTunnelEvent(get().tunnels, { type: 'changed', tunnel: { ...existing, state: 'closed' } }) });
    } catch (error) {
      set({ tunnelError: asError(error) });
    }
  },
  clearTunnelError: () => set({ tunnelError: undefined }),
});
