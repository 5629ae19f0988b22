/**
 * A tunnel's life as a pure transition function, so what the UI shows (open / reconnecting /
 * failed, with the reason) follows from events alone and is unit-tested without sockets:
 *
 *   opening --connected--> open --lost--> reconnecting --connected--> open (reconnects + 1)
 *   opening --attemptFailed(permanent)--> failed      reconnecting --gaveUp--> failed
 *   failed --retry--> reconnecting                    any --closed--> closed (for good)
 */
import type { TunnelState } from '../../shared/contract/tunnels';

export interface TunnelPhase {
  state: TunnelState;
  reason?: string;
  pod?: string;
  reconnects: number;
}

export type TunnelEvent =
  /** A pod was resolved and its port answered: the tunnel serves through it. */
  | { type: 'connected'; pod: string }
  /** The pod went away or turned unready, a forward could not reach it, or the machine woke up. */
  | { type: 'lost'; reason: string }
  /** One attempt to re-resolve or reconnect failed; a permanent failure (forbidden, bad port name) stops retrying. */
  | { type: 'attemptFailed'; reason: string; permanent: boolean }
  /** Reconnecting for too long: failed, until a client or the user asks again. */
  | { type: 'gaveUp'; reason: string }
  /** A failed tunnel tries again (a client connected to it). */
  | { type: 'retry' }
  | { type: 'closed'; reason?: string };

export const INITIAL_PHASE: TunnelPhase = { state: 'opening', reconnects: 0 };

export function nextPhase(phase: TunnelPhase, event: TunnelEvent): TunnelPhase {
  if (phase.state === 'closed') return phase;
  switch (event.type) {
    case 'connected': {
      const came_back = phase.state === 'reconnecting' || phase.state === 'failed';
      return { state: 'open', pod: event.pod, reconnects: phase.reconnects + (came_back ? 1 : 0) };
    }
    case 'lost':
      if (phase.state === 'failed') return phase;
      if (phase.state === 'opening') return { ...phase, reason: event.reason };
      return withPod(phase, { state: 'reconnecting', reason: event.reason, reconnects: phase.reconnects });
    case 'attemptFailed':
      if (event.permanent) return withPod(phase, { state: 'failed', reason: event.reason, reconnects: phase.reconnects });
      if (phase.state === 'failed') return { ...phase, reason: event.reason };
      return withPod(phase, { state: phase.state === 'opening' ? 'opening' : 'reconnecting', reason: event.reason, reconnects: phase.reconnects });
    case 'gaveUp':
      return withPod(phase, { state: 'failed', reason: event.reason, reconnects: phase.reconnects });
    case 'retry':
      return phase.state === 'failed' ? withPod(phase, { state: 'reconnecting', reason: phase.reason ?? 'retrying', reconnects: phase.reconnects }) : phase;
    case 'closed':
      return withPod(phase, { state: 'closed', ...(event.reason ? { reason: event.reason } : {}), reconnects: phase.reconnects });
  }
}

function withPod(from: TunnelPhase, to: TunnelPhase): TunnelPhase {
  return from.pod ? { ...to, pod: from.pod } : to;
}

/** Whether the phase changed in a way a watcher must hear about. */
export function phaseChanged(a: TunnelPhase, b: TunnelPhase): boolean {
  return a.state !== b.state || a.reason !== b.reason || a.pod !== b.pod || a.reconnects !== b.reconnects;
}
