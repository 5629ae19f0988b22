/**
 * HTTP to one context's API server with the context's credentials, through client-node's
 * `applyToHTTPSOptions` (tokens, token files, client certificates, exec plugins, auth
 * providers, proxy-url). Lives in main only. Every failure becomes a `KubeRequestFailure`
 * with a code the UI acts on and a health state naming the reason (unknown CA, expired
 * certificate, exec plugin failed); credentials never appear in a message.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import type { ContextHealthState } from '../../shared/contexts';
import type { KubeStatus } from '../../shared/k8s/objects';
import { CockpitFailure, type ErrorCode, type KubeErrorScope } from '../../shared/result';

export class KubeRequestFailure extends CockpitFailure {
  constructor(
    code: ErrorCode,
    message: string,
    readonly health: ContextHealthState,
    scope: KubeErrorScope,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
  ) {
    super(code, message, undefined, scope);
    this.name = 'KubeRequestFailure';
  }
}

export interface KubeClientOptions {
  /** How long an exec credential plugin may take (default 10 s). */
  authTimeoutMs?: number;
  /** How long a plain request may take to answer (default 30 s). */
  requestTimeoutMs?: number;
}

export interface WatchHandle {
  /** Resolves when the server ends the watch; rejects with a KubeRequestFailure. */
  done: Promise<void>;
  abort(): void;
  pause(): void;
  resume(): void;
}

const TLS_REASONS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is signed by an unknown CA",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate is signed by an unknown CA (self-signed in the chain)",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed and not trusted by this kubeconfig",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate is signed by an unknown CA",
  UNABLE_TO_GET_ISSUER_CERT: "the server's certificate is signed by an unknown CA",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate does not name this host (name mismatch)",
};

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  ECONNABORTED: 'connection aborted',
};

export class KubeClient {
  private agent: https.Agent | undefined;
  private agentMaterial = '';

  constructor(
    readonly context: string,
    private readonly config: KubeConfig,
    private readonly options: KubeClientOptions = {},
  ) {}

  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '';
  }

  /** GET a JSON document (a list, an object, `/version`). */
  async getJson<T>(path: string, scope: KubeErrorScope = {}): Promise<T> {
    const { request, options } = await this.prepare(path, scope);
    return new Promise<T>((resolve, reject) => {
      const req = request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => reject(this.networkFailure(error, scope)));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 400) return reject(this.statusFailure(res.statusCode ?? 0, body, scope));
          try {
            resolve(JSON.parse(body) as T);
          } catch {
            reject(new KubeRequestFailure('Unavailable', `${this.context}: the server answered ${path} with something that is not JSON`, 'unreachable', this.scoped(scope)));
          }
        });
      });
      req.setTimeout(this.options.requestTimeoutMs ?? 30_000, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (error) => reject(this.networkFailure(error, scope)));
      req.end();
    });
  }

  /**
   * Opens a watch (`path` carries its query) and calls `onEvent` per JSON line. A non-2xx
   * answer (410 included) rejects `done` with the server's Status.
   */
  async watch(path: string, onEvent: (event: unknown) => void, scope: KubeErrorScope = {}): Promise<WatchHandle> {
    const { request, options } = await this.prepare(path, scope);
    let req: http.ClientRequest | undefined;
    let res: http.IncomingMessage | undefined;
    let aborted = false;
    const done = new Promise<void>((resolve, reject) => {
      req = request(options, (response) => {
        res = response;
        if ((response.statusCode ?? 0) >= 400) {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => reject(this.statusFailure(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), scope)));
          response.on('error', (error) => reject(this.networkFailure(error, scope)));
          return;
        }
        let partial = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          partial += chunk;
          let newline = partial.indexOf('\n');
          while (newline >= 0) {
            const line = partial.slice(0, newline).trim();
            partial = partial.slice(newline + 1);
            if (line) {
              try {
                onEvent(JSON.parse(line));
              } catch (error) {
                response.destroy(error instanceof Error ? error : new Error(String(error)));
                return;
              }
            }
            newline = partial.indexOf('\n');
          }
        });
        response.on('end', () => (response.complete || aborted ? resolve() : reject(this.networkFailure(Object.assign(new Error('the watch was cut'), { code: 'ECONNRESET' }), scope))));
        response.on('error', (error) => (aborted ? resolve() : reject(this.networkFailure(error, scope))));
        response.on('aborted', () => (aborted ? resolve() : reject(this.networkFailure(Object.assign(new Error('the watch was cut'), { code: 'ECONNRESET' }), scope))));
      });
      req.on('error', (error) => (aborted ? resolve() : reject(this.networkFailure(error, scope))));
      req.end();
    });
    return {
      done,
      abort: () => {
        aborted = true;
        req?.destroy();
      },
      pause: () => res?.pause(),
      resume: () => res?.resume(),
    };
  }

  private async prepare(path: string, scope: KubeErrorScope): Promise<{ request: typeof https.request; options: https.RequestOptions }> {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new KubeRequestFailure('Invalid', `${this.context}: the context names no cluster`, 'invalid', this.scoped(scope));
    let url: URL;
    try {
      url = new URL(path, cluster.server);
    } catch {
      throw new KubeRequestFailure('Invalid', `${this.context}: the cluster's server "${cluster.server}" is not a URL`, 'invalid', this.scoped(scope));
    }
    const options: https.RequestOptions = { headers: {} };
    const timeoutMs = this.options.authTimeoutMs ?? 10_000;
    const user = this.config.getCurrentUser();
    const exec = user?.exec as { command?: string } | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.config.applyToHTTPSOptions(options),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new KubeRequestFailure('Timeout', `${this.context}: the exec credential plugin "${exec?.command ?? '?'}" did not answer within ${timeoutMs / 1000} s`, 'exec-failed', this.scoped(scope))),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      if (error instanceof KubeRequestFailure) throw error;
      throw this.authFailure(error, exec?.command, scope);
    } finally {
      clearTimeout(timer);
    }
    const isHttps = url.protocol === 'https:';
    if (isHttps && !cluster.proxyUrl) options.agent = this.keepAliveAgent(options);
    Object.assign(options, {
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (isHttps ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
    });
    options.headers = { ...(options.headers as Record<string, string>), Accept: 'application/json' };
    return { request: isHttps ? https.request : (http.request as unknown as typeof https.request), options };
  }

  /**
   * One keep-alive agent per set of TLS material: client-node builds a fresh agent per call, which
   * costs a TLS handshake per LIST page. Rebuilt when an exec plugin hands out another certificate.
   */
  private keepAliveAgent(options: https.RequestOptions): https.Agent {
    const material = [options.ca, options.cert, options.key, options.pfx, options.rejectUnauthorized, options.servername].map((v) => (v === undefined ? '' : String(v))).join('\u0000');
    if (!this.agent || this.agentMaterial !== material) {
      this.agent?.destroy();
      this.agentMaterial = material;
      this.agent = new https.Agent({
        keepAlive: true,
        maxSockets: 8,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.cert !== undefined ? { cert: options.cert } : {}),
        ...(options.key !== undefined ? { key: options.key } : {}),
        ...(options.pfx !== undefined ? { pfx: options.pfx } : {}),
        ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
        ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
        ...(options.servername !== undefined ? { servername: options.servername } : {}),
      });
    }
    return this.agent;
  }

  /** Closes idle keep-alive sockets (the client's owner calls it when done). */
  dispose(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private scoped(scope: KubeErrorScope): KubeErrorScope {
    return { context: this.context, ...scope };
  }

  private what(scope: KubeErrorScope): string {
    return scope.resource ? ` ${scope.resource}${scope.namespace ? ` in ${scope.namespace}` : scope.namespace === '' ? ' in all namespaces' : ''}` : '';
  }

  private authFailure(error: unknown, command: string | undefined, scope: KubeErrorScope): KubeRequestFailure {
    const message = redactCredentials(error instanceof Error ? error.message : String(error), this.config).trim().split('\n').slice(0, 5).join(' / ').slice(0, 400);
    const code = (error as NodeJS.ErrnoException).code;
    if (command) {
      const reason = code === 'ENOENT' ? `cannot run "${command}" (not found)` : message || 'it exited with an error and printed nothing';
      return new KubeRequestFailure('Unauthorized', `${this.context}: the exec credential plugin "${command}" failed: ${reason}`, 'exec-failed', this.scoped(scope));
    }
    if (code === 'ENOENT' || code === 'EACCES') {
      const file = (error as NodeJS.ErrnoException).path;
      return new KubeRequestFailure('Invalid', `${this.context}: cannot read ${file ?? 'a file the kubeconfig names'} (${code})`, 'invalid', this.scoped(scope));
    }
    return new KubeRequestFailure('Invalid', `${this.context}: cannot use the context's credentials: ${message}`, 'invalid', this.scoped(scope));
  }

  private networkFailure(error: unknown, scope: KubeErrorScope): KubeRequestFailure {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const server = this.server;
    if (TLS_REASONS[code]) return new KubeRequestFailure('Unreachable', `${this.context}: TLS error talking to ${server}: ${TLS_REASONS[code]}`, 'tls-error', this.scoped(scope));
    if (/certificate|SSL|TLS/i.test(String((error as Error).message)) && !NETWORK_REASONS[code]) {
      return new KubeRequestFailure('Unreachable', `${this.context}: TLS error talking to ${server}: ${redactCredentials(String((error as Error).message), this.config)}`, 'tls-error', this.scoped(scope));
    }
    const reason = NETWORK_REASONS[code] ?? (error instanceof Error ? error.message : String(error));
    return new KubeRequestFailure('Unreachable', `${this.context}: cannot reach ${server}${this.what(scope) ? ` for${this.what(scope)}` : ''}: ${reason}`, 'unreachable', this.scoped(scope));
  }

  private statusFailure(statusCode: number, body: string, scope: KubeErrorScope): KubeRequestFailure {
    let status: KubeStatus = {};
    try {
      status = JSON.parse(body) as KubeStatus;
    } catch {
      /* not a Status */
    }
    const said = status.message ? `: ${status.message}` : '';
    const s = this.scoped(scope);
    if (statusCode === 401) return new KubeRequestFailure('Unauthorized', `${this.context}: the server refused the credentials (401 Unauthorized)${said}`, 'unauthorized', s, 401);
    if (statusCode === 403) return new KubeRequestFailure('Forbidden', `${this.context}: not allowed to list${this.what(scope) || ' this'} (403 Forbidden)${said}`, 'forbidden', s, 403);
    if (statusCode === 404) return new KubeRequestFailure('NotFound', `${this.context}: not served by this cluster${this.what(scope)} (404)${said}`, 'reachable', s, 404);
    if (statusCode === 410) return new KubeRequestFailure('Conflict', `${this.context}: the watch position expired (410 Gone)${said}`, 'reachable', s, 410);
    return new KubeRequestFailure('Unavailable', `${this.context}: the server answered ${statusCode}${said}`, 'unreachable', s, statusCode);
  }
}

/** Removes the context's own secrets (token, key, password) from a message, whatever else it says. */
export function redactCredentials(text: string, config: KubeConfig): string {
  const user = config.getCurrentUser();
  let out = text;
  for (const secret of [user?.token, user?.password, user?.keyData, user?.certData]) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  }
  // Bearer tokens, JWTs and long base64 runs look the same in any plugin's output.
  return out
    .replace(/(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[REDACTED]')
    .replace(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[REDACTED]')
    .replace(/("?(?:token|password|secret|key)"?\s*[:=]\s*"?)[^\s",}]{4,}/gi, '$1[REDACTED]')
    .replace(/[A-Za-z0-9+/_-]{32,}={0,2}/g, '[REDACTED]');
}
