/**
 * `tunnels:`: port-forwards from 127.0.0.1 to a pod's port, through the context's API server,
 * that reconnect by themselves when the pod behind them is replaced. The renderer names a
 * tunnel by id; credentials used through a tunnel never cross (they stay in main).
 */
import { z } from 'zod';
import { NoInput, request, stream } from './define';

/** What a tunnel forwards to: one pod, or a Ready pod behind a service / statefulset / deployment. */
export type TunnelTarget = { kind: 'pod' | 'service' | 'statefulset' | 'deployment'; name: string };

export interface TunnelRequest {
  context: string;
  namespace: string;
  target: TunnelTarget;
  /** The pod's port (number or container port name); for a service, the service's port (number or name). */
  remotePort: number | string;
  /** A chosen local port; a free one when omitted. */
  localPort?: number;
}

export type TunnelState = 'opening' | 'open' | 'reconnecting' | 'failed' | 'closed';

export interface TunnelInfo {
  id: string;
  context: string;
  namespace: string;
  target: TunnelTarget;
  /** The pod's port the tunnel reaches (a service's targetPort or a named port, resolved). */
  remotePort: number;
  /** Where clients connect: 127.0.0.1:localPort. */
  localPort: number;
  state: TunnelState;
  /** Why it is reconnecting or failed (pod not found, pod not ready, connection refused, forbidden, API unreachable). */
  reason?: string;
  /** The pod the tunnel forwards to now. */
  pod?: string;
  /** Client connections open through the tunnel now. */
  connections: number;
  /** Times the tunnel re-resolved its target and came back. */
  reconnects: number;
  /** When the tunnel entered its current state (ISO time). */
  since: string;
  /** Every connection accepted since it opened, bytes each way, connections refused while not open. */
  totalConnections?: number;
  bytesIn?: number;
  bytesOut?: number;
  droppedConnections?: number;
}

/** What `tunnels:watch` carries: every tunnel at once, then each one as it changes. */
export type TunnelWatchEvent = { type: 'snapshot'; tunnels: TunnelInfo[] } | { type: 'changed'; tunnel: TunnelInfo };

const ContextName = z.string().min(1).max(253);
const Namespace = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'is not a namespace name');
const ObjectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'is not a Kubernetes object name');
const PortName = z
  .string()
  .min(1)
  .max(15)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'is not a port name');
const PortNumber = z.int().min(1).max(65535);
export const TunnelId = z.string().regex(/^tun-[a-z0-9]{6,32}$/, 'is not a tunnel id');

export const TunnelTargetSchema = z.strictObject({ kind: z.enum(['pod', 'service', 'statefulset', 'deployment']), name: ObjectName });

export const TunnelRequestSchema = z.strictObject({
  context: ContextName,
  namespace: Namespace,
  target: TunnelTargetSchema,
  remotePort: z.union([PortNumber, PortName]),
  /** 1024 and up: the cockpit never binds privileged ports. */
  localPort: z.int().min(1024).max(65535).optional(),
});

export const tunnelRequests = {
  /** Opens a tunnel (or answers why not: pod not found, not ready, port refused, forbidden, API unreachable). */
  'tunnels:open': request(TunnelRequestSchema).returns<TunnelInfo>(),
  /** Closes the tunnel, its local port and every connection through it. */
  'tunnels:close': request(z.strictObject({ id: TunnelId })).returns<{ closed: boolean }>(),
  /** Every tunnel, or one context's. */
  'tunnels:list': request(z.strictObject({ context: ContextName.optional() })).returns<TunnelInfo[]>(),
} as const;

export const tunnelStreams = {
  /** Every tunnel now (`snapshot`), then each change of state, pod, counts (`changed`; `closed` once). */
  'tunnels:watch': stream(NoInput).emits<TunnelWatchEvent>(),
} as const;
