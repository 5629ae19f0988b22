import type { KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import type { TunnelInfo, TunnelRequest, TunnelTarget } from '../../shared/contract/tunnels';
import { DisposableStore, Emitter, toDisposable, type Event, type IDisposable } from '../../shared/lifetimes';
import { CockpitFailure } from '../../shared/result';
import type { Logger } from '../app/logger';
import { KubeClient, KubeRequestFailure } from '../cluster/kube-client';
import { DEFAULT_TUNNEL_TIMINGS, Tunnel, type TunnelTimings } from './tunnel';

export type { TunnelInfo, TunnelRequest, TunnelTarget } from '../../shared/contract/tunnels';

export interface TunnelServiceDeps {
  /** The context's credentials (ContextService.kubeConfig). */
  kubeConfig(context: string): Promise<KubeConfig>;
  /**
   * The scope that the context's tunnels close with, when it has one now (ContextService.scope
   * for the current context): disposing that scope closes them and their servers.
   */
  contextScope?(context: string): DisposableStore | undefined;
  logger: Logger;
  timings?: Partial<TunnelTimings>;
}

/** Well-known ports the terminal is told about, as the clients' own environment variables. */
const PORT_ENVIRONMENT: Record<number, { host: string; port: string }> = {
  5432: { host: 'PGHOST', port: 'PGPORT' },
  6379: { host: 'REDIS_HOST', port: 'REDIS_PORT' },
};

/**
 * The cockpit's port-forwards. Each context has a DisposableStore holding its tunnels, added to
 * the context's scope so they close with it (context switched, kubeconfig changed) and on quit.
 * Other services use `ensure` to share one tunnel per target and port (the Databases panel, the
 * procedures' `pg.*` actions), and the terminal takes `environmentFor` (PGHOST/PGPORT...).
 */
export class TunnelService {
  private readonly tunnels = new Map<string, Tunnel>();
  private readonly contextStores = new Map<string, DisposableStore>();
  private readonly pending = new Map<string, Promise<TunnelInfo>>();
  /** Tunnels that opened: watchers hear only of these (a failed open answers its caller alone). */
  private readonly started = new Set<string>();
  private readonly didChange = new Emitter<TunnelInfo>();
  private readonly timings: TunnelTimings;
  private disposed = false;

  /** A tunnel changed state, pod, counts, or closed (state `closed`, once). */
  readonly onDidChange: Event<TunnelInfo> = this.didChange.event;

  constructor(private readonly deps: TunnelServiceDeps) {
    this.timings = { ...DEFAULT_TUNNEL_TIMINGS, ...deps.timings };
  }

  /** Opens a new tunnel; rejects with why it cannot (pod not found, not ready, port refused, forbidden, API unreachable). */
  async open(request: TunnelRequest): Promise<TunnelInfo> {
    if (this.disposed) throw new CockpitFailure('Unavailable', 'the tunnel service is shut down');
    const config = await this.deps.kubeConfig(request.context);
    const id = `tun-${randomBytes(6).toString('hex')}`;
    const store = this.storeFor(request.context);
    const held: { registration?: IDisposable } = {};
    const tunnel = new Tunnel({
      id,
      request: { ...request, target: { ...request.target } },
      kubeConfig: config,
      logger: this.deps.logger,
      timings: this.timings,
      onDidChange: (info) => {
        const announced = this.started.has(id);
        if (info.state === 'closed') {
          this.tunnels.delete(id);
          this.started.delete(id);
          if (held.registration) store.delete(held.registration);
        }
        if (announced) this.didChange.fire(info);
      },
    });
    this.tunnels.set(id, tunnel);
    held.registration = store.add(toDisposable(() => tunnel.dispose('its context was closed')));
    try {
      const info = await tunnel.start();
      this.started.add(id);
      this.didChange.fire(tunnel.info());
      return info;
    } catch (error) {
      this.tunnels.delete(id);
      this.deps.logger.warn('tunnel.open-failed', { context: request.context, namespace: request.namespace, target: `${request.target.kind}/${request.target.name}`, message: (error as Error).message });
      throw error;
    }
  }

  /** The open (or reconnecting) tunnel to the same target and port, else a new one; concurrent callers share one. */
  async ensure(request: TunnelRequest): Promise<TunnelInfo> {
    const key = requestKey(request);
    for (const tunnel of this.tunnels.values()) {
      if (requestKey(tunnel.request) === key && tunnel.state !== 'failed' && tunnel.state !== 'closed' && (request.localPort === undefined || tunnel.address.port === request.localPort)) {
        return tunnel.info();
      }
    }
    const inflight = this.pending.get(key);
    if (inflight) return inflight;
    const opening = this.open(request).finally(() => this.pending.delete(key));
    this.pending.set(key, opening);
    return opening;
  }

  /** Closes the tunnel, its port and its connections; false when there is no such tunnel. */
  close(id: string): boolean {
    const tunnel = this.tunnels.get(id);
    if (!tunnel) return false;
    tunnel.dispose('closed by the user');
    return true;
  }

  list(context?: string): TunnelInfo[] {
    return [...this.tunnels.values()].filter((t) => context === undefined || t.request.context === context).map((t) => t.info());
  }

  /** Closes every tunnel of the context (its scope ended). */
  closeContext(context: string): void {
    const store = this.contextStores.get(context);
    this.contextStores.delete(context);
    store?.dispose();
  }

  /**
   * What a terminal for `context` should export: PGHOST/PGPORT for an open 5432 tunnel,
   * REDIS_HOST/REDIS_PORT for 6379 (the most recently opened one when there are several).
   */
  environmentFor(context: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const tunnel of this.tunnels.values()) {
      const info = tunnel.info();
      const names = PORT_ENVIRONMENT[info.remotePort];
      if (info.context !== context || !names || info.state === 'failed' || info.state === 'closed') continue;
      env[names.host] = '127.0.0.1';
      env[names.port] = String(info.localPort);
    }
    return env;
  }

  /**
   * A Secret's key, decoded (the runbook's `codesign-secrets` / `postgres-password`), for
   * clients in main. Never send it to the renderer, the log or the evidence store.
   */
  async readSecretKey(context: string, namespace: string, secret: string, key: string): Promise<string> {
    const client = new KubeClient(context, await this.deps.kubeConfig(context), { requestTimeoutMs: 10_000 });
    const scope = { namespace, resource: 'secrets' };
    try {
      const object = await client.getJson<{ data?: Record<string, string>; stringData?: Record<string, string> }>(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(secret)}`,
        scope,
      );
      const encoded = object.data?.[key];
      if (encoded === undefined) {
        const keys = Object.keys(object.data ?? {});
        throw new CockpitFailure('NotFound', `secret ${secret} in ${namespace} has no key "${key}"; its keys: ${keys.join(', ') || 'none'}`, undefined, { context, ...scope });
      }
      return Buffer.from(encoded, 'base64').toString('utf8');
    } catch (error) {
      if (error instanceof KubeRequestFailure && error.status === 404) throw new CockpitFailure('NotFound', `secret ${secret} does not exist in namespace ${namespace}`, undefined, { context, ...scope });
      if (error instanceof KubeRequestFailure && error.status === 403) throw new CockpitFailure('Forbidden', `${context}: not allowed to read secret ${secret} in ${namespace} (forbidden)`, undefined, { context, ...scope });
      throw error;
    } finally {
      client.dispose();
    }
  }

  /** Closes every tunnel (on quit). */
  dispose(): void {
    this.disposed = true;
    for (const context of [...this.contextStores.keys()]) this.closeContext(context);
    this.didChange.dispose();
  }

  private storeFor(context: string): DisposableStore {
    let store = this.contextStores.get(context);
    if (!store || store.isDisposed) {
      const created = new DisposableStore();
      store = created;
      this.contextStores.set(context, created);
      const scope = this.deps.contextScope?.(context);
      if (scope && !scope.isDisposed) {
        const link = scope.add(
          toDisposable(() => {
            if (this.contextStores.get(context) === created) this.contextStores.delete(context);
            created.dispose();
          }),
        );
        created.add(toDisposable(() => scope.delete(link)));
      }
    }
    return store;
  }
}

function requestKey(request: Pick<TunnelRequest, 'context' | 'namespace' | 'target' | 'remotePort'>): string {
  const target: TunnelTarget = request.target;
  return JSON.stringify([request.context, request.namespace, target.kind, target.name, String(request.remotePort)]);
}
