import { useEffect } from 'react';
import type { TunnelInfo } from '../../shared/contract/tunnels';
import { useCockpit } from '../state/store';
import './tunnels.css';

const STATE_LABEL: Record<TunnelInfo['state'], string> = {
  opening: 'opening',
  open: 'open',
  reconnecting: 'reconnecting',
  failed: 'failed',
  closed: 'closed',
};

/** Follows `tunnels:watch` while the component that calls it is mounted (the Tunnels view, the Databases panel). */
export function useFollowTunnels(): void {
  const followTunnels = useCockpit((s) => s.followTunnels);
  useEffect(() => followTunnels(), [followTunnels]);
}

/**
 * A tunnel's state as a chip: `open · 127.0.0.1:PORT`, `reconnecting` with why, `failed` with
 * why. Give it a tunnel, or an id to look up (the chip follows the store; the embedding panel
 * calls `useFollowTunnels`).
 */
export function TunnelStatus({ tunnel, tunnelId, showReason = true }: { tunnel?: TunnelInfo; tunnelId?: string; showReason?: boolean }) {
  const held = useCockpit((s) => (tunnelId ? s.tunnels[tunnelId] : undefined));
  const info = tunnel ?? held;
  if (!info) return <span className="tunnel-status tunnel-closed">no tunnel</span>;
  const address = `127.0.0.1:${info.localPort}`;
  const reason = info.state === 'open' ? undefined : info.reason;
  return (
    <span className="tunnel-status-wrap">
      <span
        className={`tunnel-status tunnel-${info.state}`}
        role="status"
        aria-label={`tunnel ${STATE_LABEL[info.state]}${info.state === 'open' ? ` on ${address}` : ''}${reason ? `: ${reason}` : ''}`}
        title={reason ?? `${info.target.kind}/${info.target.name} → pod ${info.pod ?? '?'}:${info.remotePort}`}
      >
        <span className="tunnel-dot" aria-hidden="true" />
        {STATE_LABEL[info.state]}
        {info.state === 'open' || info.state === 'reconnecting' ? <span className="mono"> · {address}</span> : null}
      </span>
      {showReason && reason ? <span className="tunnel-reason small">{reason}</span> : null}
    </span>
  );
}
