/**
 * The simulated codesign-api itself, so `curl localhost:8000/health` through `kubectl
 * port-forward` (or the API server's service proxy) tells the truth about the drill: each pod's
 * answers follow its log profile (latency, 5xx and 401 ratios, database pool, readiness) as the
 * scenarios shape it. One small HTTP server per pod, on 127.0.0.1, started on first use.
 *
 *   GET /health, /health/live, /health/ready   liveness and readiness as the probes see them
 *   GET /metrics                               the Prometheus exposition (also on :9090)
 *   GET /api/v1/status (and /)                 a request through the app: the scenario's latency and errors
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DrillBackendAddress, DrillPodRef } from '../types';

/** The app's ports: the HTTP API and its metrics listener. */
export const APP_HTTP_PORT = 8000;
export const APP_METRICS_PORT = 9090;
const MAX_LATENCY_MS = 10_000;

export interface AppServerOptions {
  /** The pod as it is now (its profile changes with the scenarios); undefined once it is gone. */
  podLookup?: (namespace: string, name: string) => DrillPodRef | undefined;
  /** The Prometheus exposition `/metrics` answers. */
  metricsText?: () => string;
  /** Uniform random numbers (tests pass a fixed source). */
  random?: () => number;
}

/** Whether the app in `pod` listens at all: a crash-looping or not-running container does not. */
export function appListens(pod: DrillPodRef): boolean {
  return pod.phase === 'Running' && !pod.logProfile().crashLooping;
}

export class SimulatedAppServers {
  private readonly servers = new Map<string, Promise<Server>>();
  private readonly random: () => number;

  constructor(private readonly options: AppServerOptions = {}) {
    this.random = options.random ?? Math.random;
  }

  /** Where the pod's app listens on `port` (its own server, started on first use). */
  async address(pod: DrillPodRef, port: number): Promise<DrillBackendAddress> {
    const key = `${pod.namespace}/${pod.name}:${port}`;
    let server = this.servers.get(key);
    if (!server) {
      this.forgetGonePods();
      server = this.listen(pod, port);
      this.servers.set(key, server);
    }
    return { host: '127.0.0.1', port: ((await server).address() as AddressInfo).port };
  }

  /** Answers one request as the app in `pod` would (the service proxy calls this directly). */
  async handle(req: IncomingMessage, res: ServerResponse, pod: DrillPodRef, port: number, path: string): Promise<void> {
    const current = this.options.podLookup?.(pod.namespace, pod.name) ?? pod;
    const profile = current.logProfile();
    const version = (current.containers.find((c) => c.name === current.app) ?? current.containers[0])?.image.split(':')[1] ?? 'unknown';
    const url = new URL(path || '/', 'http://app');
    const route = url.pathname.replace(/\/+$/, '') || '/';
    const send = (status: number, body: unknown, type = 'application/json'): void => {
      const text = type === 'application/json' ? `${JSON.stringify(body)}\n` : String(body);
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), Server: 'gunicorn', 'X-Pod': current.name });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (route === '/metrics') {
      send(200, this.options.metricsText?.() ?? '', 'text/plain; version=0.0.4; charset=utf-8');
      return;
    }
    if (port !== APP_HTTP_PORT) {
      send(404, { detail: 'Not found.' });
      return;
    }
    const database = profile.dbPool.exhausted ? 'exhausted' : 'ok';
    if (route === '/health/live') {
      send(200, { status: 'ok' });
      return;
    }
    if (route === '/health' || route === '/health/ready') {
      const ready = !profile.dbPool.exhausted && profile.errorRatio < 0.5;
      send(ready ? 200 : 503, {
        status: ready ? 'ok' : 'unavailable',
        pod: current.name,
        version,
        checks: { database, databasePool: `${profile.dbPool.inUse}/${profile.dbPool.size}`, memoryMiB: Math.round(profile.memoryMiB) },
      });
      return;
    }
    if (route === '/' || route === '/api/v1/status') {
      const latencyMs = this.latency(profile.latencyMs.p50, profile.latencyMs.p95);
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      if (res.destroyed) return;
      const draw = this.random();
      if (draw < profile.errorRatio) {
        send(profile.dbPool.exhausted ? 503 : 500, { error: profile.dbPool.exhausted ? 'database connection pool exhausted' : 'Internal Server Error', pod: current.name, latencyMs });
      } else if (draw < profile.errorRatio + profile.authFailureRatio) {
        send(401, { detail: 'Authentication credentials were not provided.', pod: current.name, latencyMs });
      } else {
        send(200, { status: 'ok', service: 'codesign-api', pod: current.name, version, latencyMs });
      }
      return;
    }
    send(404, { detail: 'Not found.' });
  }

  async close(): Promise<void> {
    const servers = [...this.servers.values()];
    this.servers.clear();
    await Promise.allSettled(servers.map(async (pending) => closeServer(await pending)));
  }

  /** A latency drawn around the profile's P50 with a tail through its P95 (ms, capped). */
  private latency(p50: number, p95: number): number {
    const u = this.random();
    const value = u < 0.5 ? p50 * (0.5 + u) : p50 + (p95 - p50) * (-Math.log(1 - (u - 0.5) * 1.9) / 3);
    return Math.max(1, Math.min(MAX_LATENCY_MS, Math.round(value)));
  }

  private listen(pod: DrillPodRef, port: number): Promise<Server> {
    const server = createServer((req, res) => {
      void this.handle(req, res, pod, port, req.url ?? '/').catch(() => res.destroy());
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
  }

  private forgetGonePods(): void {
    if (!this.options.podLookup) return;
    for (const [key, server] of this.servers) {
      const [namespace, rest] = key.split('/') as [string, string];
      const name = rest.slice(0, rest.lastIndexOf(':'));
      if (this.options.podLookup(namespace, name)) continue;
      this.servers.delete(key);
      void server.then(closeServer, () => undefined);
    }
  }
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
