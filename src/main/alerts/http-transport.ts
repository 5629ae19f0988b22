/**
 * How the alerts service reaches a Prometheus or an Alertmanager: straight by URL, or through a
 * context's API server (`/api/v1/namespaces/<ns>/services/<name>:<port>/proxy/<sub-path>`) with
 * that context's credentials. Every failure is a CockpitFailure naming the endpoint in words;
 * credentials and tokens never appear in a message.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import type { AlertEndpoint } from '../../shared/contract/alerts';
import { CockpitFailure } from '../../shared/result';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One endpoint's HTTP: `path` is relative to the server's root (`api/v1/alerts?...`). */
export interface AlertHttpTransport {
  /** What the UI calls it: the URL, or `ns/service:port via the API server`. */
  readonly description: string;
  request(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<HttpAnswer>;
  dispose(): void;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

function networkFailure(description: string, error: unknown): CockpitFailure {
  const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  const reason = (code && NETWORK_REASONS[code]) ?? (error instanceof Error ? error.message : String(error));
  return new CockpitFailure(code === 'ETIMEDOUT' ? 'Timeout' : 'Unreachable', `${description}: ${reason}`);
}

const joinPath = (base: string, rest: string): string => `${base.replace(/\/+$/, '')}/${rest.replace(/^\/+/, '')}`;

function send(
  request: typeof https.request,
  options: https.RequestOptions,
  description: string,
  timeoutMs: number,
  body?: unknown,
): Promise<HttpAnswer> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      { ...options, headers: { ...(options.headers as Record<string, string>), Accept: 'application/json', ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // 64 MiB: far above any alerts answer; a runaway server must not take main's memory.
          if (size > 64 * 1024 * 1024) req.destroy(new Error('the answer is larger than 64 MiB'));
          else chunks.push(chunk);
        });
        res.on('error', (error) => reject(networkFailure(description, error)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (error) => reject(networkFailure(description, error)));
    req.end(payload);
  });
}

/** Straight to a URL (a Prometheus on the laptop, a tunnel, an ingress). */
export class UrlTransport implements AlertHttpTransport {
  readonly description: string;
  private readonly agent: http.Agent;

  constructor(
    private readonly base: URL,
    private readonly timeoutMs = 10_000,
  ) {
    this.description = base.toString().replace(/\/$/, '');
    this.agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 4 }) : new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  request(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<HttpAnswer> {
    const url = new URL(joinPath(this.base.pathname, path), this.base);
    const isHttps = url.protocol === 'https:';
    return send(
      isHttps ? https.request : (http.request as unknown as typeof https.request),
      { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (isHttps ? 443 : 80), path: `${url.pathname}${url.search}`, method, agent: this.agent },
      this.description,
      this.timeoutMs,
      body,
    );
  }

  dispose(): void {
    this.agent.destroy();
  }
}

/** Through the API server's service proxy, with the context's credentials (client-node applies them). */
export class ServiceProxyTransport implements AlertHttpTransport {
  readonly description: string;
  private readonly prefix: string;

  constructor(
    private readonly config: KubeConfig,
    endpoint: Extract<AlertEndpoint, { kind: 'service' }>,
    private readonly timeoutMs = 10_000,
  ) {
    const sub = (endpoint.path ?? '').replace(/^\/+|\/+$/g, '');
    this.description = `${endpoint.namespace}/${endpoint.service}:${endpoint.port}${sub ? `/${sub}` : ''} via the API server`;
    this.prefix = `/api/v1/namespaces/${encodeURIComponent(endpoint.namespace)}/services/${encodeURIComponent(endpoint.service)}:${encodeURIComponent(String(endpoint.port))}/proxy/${sub ? `${sub}/` : ''}`;
  }

  async request(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<HttpAnswer> {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new CockpitFailure('Invalid', `${this.description}: the context names no cluster`);
    const url = new URL(joinPath(this.prefix, path), cluster.server);
    const options: https.RequestOptions = { headers: {} };
    try {
      await this.config.applyToHTTPSOptions(options);
    } catch (error) {
      throw new CockpitFailure('Unauthorized', `${this.description}: the context's credentials could not be applied (${error instanceof Error ? error.message.split('\n')[0] : 'unknown error'})`);
    }
    const isHttps = url.protocol === 'https:';
    Object.assign(options, { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (isHttps ? 443 : 80), path: `${url.pathname}${url.search}`, method });
    const answer = await send(isHttps ? https.request : (http.request as unknown as typeof https.request), options, this.description, this.timeoutMs, body);
    if (answer.status === 401) throw new CockpitFailure('Unauthorized', `${this.description}: the API server refused the context's credentials`);
    if (answer.status === 403) throw new CockpitFailure('Forbidden', `${this.description}: the context may not use the service proxy (services/proxy)`);
    return answer;
  }

  dispose(): void {}
}
