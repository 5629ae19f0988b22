/**
 * How the database services reach a server: a local address for a pod's port (a tunnel, or a
 * direct address in tests), and the Secret keys holding the passwords. Narrow on purpose, so
 * the diagnostics run against TunnelService in the app and against a plain address in tests.
 */
import { CockpitFailure } from '../../shared/result';

export type DatabaseTargetKind = 'pod' | 'service' | 'statefulset' | 'deployment';

export interface DatabaseEndpointRequest {
  context: string;
  namespace: string;
  target: { kind: DatabaseTargetKind; name: string };
  remotePort: number;
}

export interface DatabaseEndpoint {
  host: string;
  port: number;
  /** The tunnel carrying it, when there is one (shown, never needed). */
  via?: string;
}

/** Where the database services get addresses and secrets. */
export interface DatabaseEndpointSource {
  endpoint(request: DatabaseEndpointRequest): Promise<DatabaseEndpoint>;
  /** A Secret key's value (main only: never returned to the renderer, never logged). */
  readSecretKey(context: string, namespace: string, secret: string, key: string): Promise<string>;
}

/** `postgres-0`, `service/postgres`, `statefulset/postgres` as a tunnel target. */
export function parseTarget(text: string): { kind: DatabaseTargetKind; name: string } {
  const slash = text.indexOf('/');
  if (slash < 0) return { kind: 'pod', name: text };
  const kind = text.slice(0, slash);
  if (kind !== 'pod' && kind !== 'service' && kind !== 'statefulset' && kind !== 'deployment') {
    throw new CockpitFailure('Invalid', `"${kind}" is not a pod, service, statefulset or deployment`);
  }
  return { kind, name: text.slice(slash + 1) };
}

/**
 * The structural type of TunnelService this module needs (h-tunnels' API), so the adapter below
 * compiles whether or not that service is in this branch yet.
 */
export interface TunnelLike {
  ensure(request: { context: string; namespace: string; target: { kind: DatabaseTargetKind; name: string }; remotePort: number }): Promise<{
    id: string;
    localPort: number;
    state: string;
    reason?: string;
  }>;
  readSecretKey(context: string, namespace: string, secret: string, key: string): Promise<string>;
}

/** Addresses through TunnelService's self-healing port-forwards (127.0.0.1:localPort). */
export function tunnelEndpoints(tunnels: TunnelLike): DatabaseEndpointSource {
  return {
    async endpoint(request) {
      const info = await tunnels.ensure(request);
      if (info.state === 'failed') throw new CockpitFailure('Unreachable', `the tunnel to ${request.target.name} failed: ${info.reason ?? 'no reason given'}`);
      return { host: '127.0.0.1', port: info.localPort, via: info.id };
    },
    readSecretKey: (context, namespace, secret, key) => tunnels.readSecretKey(context, namespace, secret, key),
  };
}
