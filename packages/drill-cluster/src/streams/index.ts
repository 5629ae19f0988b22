/**
 * The drill cluster's pod streams: pods/log, pods/exec, pods/attach and pods/portforward, plus the
 * real PostgreSQL and Redis that port-forwards and simulated commands reach.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { PostgresBackend, type PostgresBackendOption } from '../backends/postgres-backend';
import { NO_REDIS_MESSAGE, RedisBackend } from '../backends/redis-backend';
import type { DrillBackendAddress, DrillClock, DrillPodRef, PodStreamHandler } from '../types';
import { ExecSpdyEndpoint } from './exec-spdy';
import { ExecWebSocketEndpoint, parseExecQuery } from './exec-websocket';
import { APP_HTTP_PORT, APP_METRICS_PORT, appListens, SimulatedAppServers } from './app-server';
import { serveLog } from './pod-logs';
import { PortForwardEndpoint, type PortTarget } from './port-forward';
import type { CommandContext } from './simulated-commands';
import { ContainerFileSystems } from '../shell/container-tools';
import { rejectUpgrade } from './status';

export interface PodStreamHandlerOptions {
  clock: DrillClock;
  /** The PostgreSQL that postgres pods front: a started backend (the cluster's), or an option for one (default PGlite). */
  postgres?: PostgresBackendOption | PostgresBackend;
  /** The Redis that redis pods front: a given address, a `redis-server` from PATH (default), or none. */
  redis?: DrillBackendAddress | 'auto' | 'none';
  /**
   * The password a started `redis-server` requires (the secret's redis-password). Read once, when
   * Redis starts; defaults to the redis pod's `REDIS_PASSWORD` env, else no password.
   */
  redisPassword?: () => string | undefined;
  /** Re-reads a pod while its log is followed, so deletion or a restart ends the stream. */
  podLookup?: (namespace: string, name: string) => DrillPodRef | undefined;
  /** Mixed into every log seed (same seed, same lines). */
  logSeed?: number;
  /** Told of every SQL statement a simulated psql ran successfully (the world reacts to some). */
  onSqlExecuted?: (sql: string) => void;
  /** The Prometheus exposition the app's `/metrics` answers. */
  appMetrics?: () => string;
}

const REDIS_PASSWORD_ENV = ['REDIS_PASSWORD', 'REDIS_PASS', 'REDIS_AUTH'];

function redisPasswordOf(pod: DrillPodRef): string | undefined {
  for (const container of pod.containers) {
    for (const name of REDIS_PASSWORD_ENV) {
      const value = container.env[name];
      if (value) return value;
    }
  }
  return undefined;
}

/** Builds the pods/log, exec, attach and portforward handler; backends start on first use, `close()` stops them. */
export function createPodStreamHandler(options: PodStreamHandlerOptions): PodStreamHandler {
  const postgres = options.postgres instanceof PostgresBackend ? options.postgres : new PostgresBackend(options.postgres ?? 'pglite');
  let redisPod: DrillPodRef | undefined;
  const redis = new RedisBackend(options.redis ?? 'auto', () => options.redisPassword?.() ?? (redisPod ? redisPasswordOf(redisPod) : undefined));
  const redisFor = (pod: DrillPodRef) => {
    if (pod.app === 'redis') redisPod ??= pod;
    return redis.address();
  };

  const app = new SimulatedAppServers({
    ...(options.podLookup ? { podLookup: options.podLookup } : {}),
    ...(options.appMetrics ? { metricsText: options.appMetrics } : {}),
  });
  const fileSystems = new ContainerFileSystems(options.podLookup);

  const context = (pod: DrillPodRef, containerName: string, tty: boolean): CommandContext => {
    const container = pod.containers.find((c) => c.name === containerName) ?? pod.containers[0] ?? { name: containerName, image: '', env: {}, ports: [] };
    const ctx: CommandContext = {
      pod,
      container,
      clock: options.clock,
      profile: pod.logProfile(),
      tty,
      postgres: () => postgres.address(),
      redis: () => redisFor(pod),
      ...(options.onSqlExecuted ? { onSqlExecuted: options.onSqlExecuted } : {}),
      fileSystem: () => fileSystems.for(ctx),
      connect: async (port) => {
        const current = options.podLookup?.(pod.namespace, pod.name) ?? pod;
        const target = await resolveTarget(current, port);
        return 'address' in target ? target.address : undefined;
      },
      current: () => options.podLookup?.(pod.namespace, pod.name) ?? pod,
      logSeed: options.logSeed ?? 0,
    };
    return ctx;
  };

  const resolveTarget = async (pod: DrillPodRef, port: number): Promise<PortTarget> => {
    if (pod.app === 'codesign-api' && (port === APP_HTTP_PORT || port === APP_METRICS_PORT) && appListens(pod)) {
      return { address: await app.address(pod, port) };
    }
    if (pod.app === 'postgres' && port === 5432) {
      const address = await postgres.address();
      return address ? { address } : { error: 'no PostgreSQL backend is configured for the drill cluster' };
    }
    if (pod.app === 'redis' && port === 6379) {
      const address = await redisFor(pod);
      return address ? { address } : { error: NO_REDIS_MESSAGE };
    }
    return {
      error: `failed to connect to localhost:${port} inside namespace of pod ${pod.name}, IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused (no process listens on port ${port})`,
    };
  };

  const exec = new ExecWebSocketEndpoint({ clock: options.clock, context });
  const execSpdy = new ExecSpdyEndpoint({ clock: options.clock, context });
  const portForward = new PortForwardEndpoint(resolveTarget);
  const logOptions = { clock: options.clock, seed: options.logSeed, podLookup: options.podLookup };

  return {
    serveLog(req: IncomingMessage, res: ServerResponse, pod: DrillPodRef, query: URLSearchParams): void {
      serveLog(logOptions, req, res, pod, query);
    },
    handleUpgrade(subresource, req: IncomingMessage, socket: Duplex, head: Buffer, pod: DrillPodRef, query: URLSearchParams): void {
      socket.on('error', () => undefined);
      const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
      if (subresource === 'portforward') {
        portForward.handle(req, socket, head, pod, query);
        return;
      }
      if (subresource === 'exec' && upgrade.startsWith('spdy/')) {
        const request = parseExecQuery(pod, query, 'exec');
        if (typeof request === 'string') rejectUpgrade(socket, 400, 'BadRequest', request);
        else execSpdy.handle(req, socket, head, pod, request);
        return;
      }
      if (upgrade !== 'websocket') {
        rejectUpgrade(socket, 400, 'BadRequest', `${subresource} over ${upgrade || 'plain HTTP'} is not served by the drill cluster; use the WebSocket channel protocol (v4/v5.channel.k8s.io)`);
        return;
      }
      exec.handle(subresource, req, socket, head, pod, query);
    },
    serveApp(req: IncomingMessage, res: ServerResponse, pod: DrillPodRef, port: number, path: string): boolean {
      if (pod.app !== 'codesign-api' || !appListens(pod) || (port !== APP_HTTP_PORT && port !== APP_METRICS_PORT)) return false;
      void app.handle(req, res, pod, port, path).catch(() => res.destroy());
      return true;
    },
    async close(): Promise<void> {
      execSpdy.close();
      await Promise.allSettled([exec.close(), portForward.close()]);
      await Promise.allSettled([postgres.close(), redis.close(), app.close()]);
    },
  };
}
