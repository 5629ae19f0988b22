/**
 * The drill's control API: plain HTTP on 127.0.0.1, a random bearer token, JSON. What the app
 * (or a script) uses to see and change the scenarios; everything else goes through the
 * Kubernetes API with the kubeconfig, as for any cluster.
 *
 *   GET  /v1/state[?after=V&waitMs=N]  the state; with `after`, waits (long-poll, at most 30 s)
 *                                      until the version is past V
 *   PUT  /v1/scenarios/{name}          body `{"active": true|false}`
 *   POST /v1/reset                     back to the seed
 *   PUT  /v1/monitoring                body `{"prometheus"?: url, "alertmanager"?: url}` ("" removes):
 *                                      what monitoring/prometheus and monitoring/alertmanager proxy to
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DrillRuntime } from './drill-runtime';
import { isScenarioName, SCENARIO_NAMES } from './protocol';

const MAX_WAIT_MS = 30_000;
const MAX_BODY_BYTES = 4096;

class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class DrillControlServer {
  private readonly waiters = new Set<() => void>();
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly server: Server,
    private readonly runtime: DrillRuntime,
    readonly token: string,
  ) {
    this.unsubscribe = runtime.onDidChange(() => {
      for (const wake of [...this.waiters]) wake();
    });
  }

  static async listen(runtime: DrillRuntime, options: { port?: number; token?: string } = {}): Promise<DrillControlServer> {
    const token = options.token ?? randomBytes(32).toString('base64url');
    const server = createServer();
    const control = new DrillControlServer(server, runtime, token);
    server.on('request', (req, res) => void control.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return control;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    for (const wake of [...this.waiters]) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!this.authorised(req.headers.authorization)) throw new ControlError(401, 'Unauthorized', 'a valid bearer token is required');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      if (url.pathname === '/v1/state') {
        if (method !== 'GET') throw new ControlError(405, 'MethodNotAllowed', `${method} is not allowed on /v1/state`);
        return this.send(res, 200, await this.stateAfter(url.searchParams, req));
      }
      if (url.pathname === '/v1/reset') {
        if (method !== 'POST') throw new ControlError(405, 'MethodNotAllowed', `${method} is not allowed on /v1/reset`);
        await readBody(req);
        return this.send(res, 200, await this.runtime.reset());
      }
      if (url.pathname === '/v1/monitoring') {
        if (method !== 'PUT') throw new ControlError(405, 'MethodNotAllowed', `${method} is not allowed on /v1/monitoring`);
        const body = (await readBody(req)) as Record<string, unknown> | undefined;
        const fields = typeof body === 'object' && body !== null ? Object.entries(body) : undefined;
        if (!fields || fields.some(([k, v]) => (k !== 'prometheus' && k !== 'alertmanager') || typeof v !== 'string')) {
          throw new ControlError(400, 'Invalid', 'the body must be {"prometheus"?: "http://...", "alertmanager"?: "http://..."}');
        }
        try {
          this.runtime.cluster.monitoring.register(Object.fromEntries(fields) as Record<string, string>);
        } catch (error) {
          throw new ControlError(400, 'Invalid', (error as Error).message);
        }
        return this.send(res, 200, this.runtime.cluster.monitoring.registered());
      }
      const match = /^\/v1\/scenarios\/([^/]+)$/.exec(url.pathname);
      if (match) {
        const name = decodeURIComponent(match[1] as string);
        if (!isScenarioName(name)) throw new ControlError(404, 'NotFound', `scenario "${name}" not found; known: ${SCENARIO_NAMES.join(', ')}`);
        if (method !== 'PUT') throw new ControlError(405, 'MethodNotAllowed', `${method} is not allowed on a scenario (PUT {"active": true|false})`);
        const body = await readBody(req);
        if (typeof body !== 'object' || body === null || typeof (body as { active?: unknown }).active !== 'boolean') {
          throw new ControlError(400, 'Invalid', 'the body must be {"active": true|false}');
        }
        return this.send(res, 200, this.runtime.setScenario(name, (body as { active: boolean }).active));
      }
      throw new ControlError(404, 'NotFound', `no route ${method} ${url.pathname}`);
    } catch (error) {
      const failure =
        error instanceof ControlError ? error : new ControlError(500, 'Internal', error instanceof Error ? error.message : String(error));
      this.send(res, failure.status, { code: failure.code, message: failure.message });
    }
  }

  private authorised(header: string | undefined): boolean {
    const match = /^Bearer (\S+)$/.exec(header ?? '');
    if (!match) return false;
    const given = Buffer.from(match[1] as string);
    const expected = Buffer.from(this.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private async stateAfter(query: URLSearchParams, req: IncomingMessage): Promise<ReturnType<DrillRuntime['state']>> {
    const afterText = query.get('after');
    if (afterText === null) return this.runtime.state();
    const after = Number(afterText);
    const waitMs = Math.min(MAX_WAIT_MS, Math.max(0, Number(query.get('waitMs') ?? MAX_WAIT_MS)));
    if (!Number.isFinite(after) || !Number.isFinite(waitMs)) throw new ControlError(400, 'Invalid', 'after and waitMs must be numbers');
    if (this.runtime.state().version > after) return this.runtime.state();
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        req.socket.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.waiters.add(done);
      req.socket.once('close', done);
    });
    return this.runtime.state();
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    res.end(text);
  }
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ControlError(413, 'Invalid', `the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ControlError(400, 'Invalid', 'the body is not JSON');
  }
}
