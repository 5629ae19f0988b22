import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { encodeByteBatch, MAX_MESSAGE_BYTES, RPC_PATH, TOKEN_COOKIE, type ServerMessage } from '../../shared/wire';
import { parseClientMessage } from '../../shared/wire-envelope';
import type { Logger } from '../app/logger';
import type { ContractCarrier } from './dispatcher';
import { contentTypeOf, RENDERER_CSP, resolveRendererFile } from './renderer-files';
import { StreamSession, type FlowControl } from './stream-session';

export interface WebHostOptions {
  dispatcher: ContractCarrier;
  /** The built renderer (index.html + assets). */
  rendererDir: string;
  /** The built web bridge script that defines `window.cockpit` over the WebSocket. */
  bridgeFile: string;
  logger: Logger;
  port?: number;
  /** Random per start unless given (tests). */
  token?: string;
  /** Stream flow-control settings (tests and benchmarks lower them). */
  flow?: Partial<FlowControl>;
  /** Close connections that send no complete request within this time (default 10 s). */
  idleTimeoutMs?: number;
  /** Called when a page opens its socket (the web main starts the services at the first one). */
  onSocket?: () => void;
}

/**
 * Carries the contract to a browser: a Node HTTP server on 127.0.0.1 that serves the built
 * renderer and one WebSocket. Every request and the socket need the per-start token (query,
 * cookie or bearer header); the Host and Origin must be this server's own.
 */
export class WebHost {
  private readonly sockets = new Set<WebSocket>();
  private readonly sessions = new Set<StreamSession>();

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly token: string,
    readonly port: number,
  ) {}

  /** Streams running for pages of this host now. */
  get liveSubscriptions(): number {
    let n = 0;
    for (const session of this.sessions) n += session.size;
    return n;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/?token=${this.token}`;
  }

  static async start(options: WebHostOptions): Promise<WebHost> {
    const token = options.token ?? randomBytes(24).toString('base64url');
    const server = createServer();
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    wss.on('error', (error) => options.logger.warn('web.socket-server-error', { message: error.message }));
    // A connection that never completes a request is closed, so idle sockets cannot pile up.
    const idleMs = options.idleTimeoutMs ?? 10_000;
    server.headersTimeout = idleMs;
    const silent = new WeakMap<Duplex, NodeJS.Timeout>();
    const spoke = (socket: Duplex) => {
      clearTimeout(silent.get(socket));
      silent.delete(socket);
    };
    server.on('connection', (socket) => {
      const timer = setTimeout(() => socket.destroy(), idleMs);
      timer.unref();
      silent.set(socket, timer);
      socket.once('close', () => spoke(socket));
    });
    server.on('request', (req: IncomingMessage) => spoke(req.socket));
    server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => spoke(socket));
    server.requestTimeout = Math.max(server.headersTimeout, 30_000);
    server.keepAliveTimeout = 5_000;
    server.on('clientError', (error, socket) => {
      options.logger.warn('web.client-error', { message: error.message });
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const host = new WebHost(server, wss, token, port);
    server.on('request', (req, res) => {
      host.handleHttp(req, res, options).catch((error: unknown) => {
        options.logger.error('web.request-failed', { path: req.url?.split('?')[0], message: String(error) });
        if (!res.headersSent) res.writeHead(500).end('internal error');
      });
    });
    server.on('upgrade', (req, socket, head) => {
      socket.on('error', (error) => options.logger.warn('web.upgrade-socket-error', { message: error.message }));
      const refusal = host.refusal(req);
      if (refusal || pathOf(req.url) !== RPC_PATH) {
        options.logger.warn('web.socket-refused', { reason: refusal ?? 'wrong path' });
        socket.end(`HTTP/1.1 ${refusal ? '401 Unauthorized' : '404 Not Found'}\r\nConnection: close\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => host.serveSocket(ws, options));
    });
    return host;
  }

  async close(reason = 'The cockpit host stopped.'): Promise<void> {
    for (const ws of this.sockets) {
      try {
        ws.send(JSON.stringify({ t: 'bye', reason } satisfies ServerMessage));
      } catch {
        // going anyway
      }
      ws.terminate();
    }
    for (const session of this.sessions) session.dispose();
    this.sessions.clear();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Why a request is refused, or undefined when it may pass. */
  private refusal(req: IncomingMessage): string | undefined {
    const own = [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
    if (!own.includes(req.headers.host ?? '')) return 'foreign Host header';
    const origin = req.headers.origin;
    if (origin !== undefined && !own.some((h) => origin === `http://${h}`)) return 'foreign Origin';
    const presented = presentedToken(req);
    if (presented === undefined) return 'no token';
    const a = Buffer.from(presented);
    const b = Buffer.from(this.token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return 'wrong token';
    return undefined;
  }

  private async handleHttp(req: IncomingMessage, res: ServerResponse, options: WebHostOptions): Promise<void> {
    const refusal = this.refusal(req);
    if (refusal) {
      options.logger.warn('web.request-refused', { reason: refusal, path: req.url?.split('?')[0] });
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end(`Unauthorized: ${refusal}. Open the URL the web host printed.\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(pathOf(req.url));
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Bad Request: malformed percent-encoding in the path\n');
      return;
    }
    const headers: Record<string, string> = {
      'content-security-policy': RENDERER_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'set-cookie': `${TOKEN_COOKIE}=${this.token}; HttpOnly; SameSite=Strict; Path=/`,
    };
    if (pathname === '/session') {
      // The token is good (refusal() passed): a stale tab's probe gets 401 above instead.
      res.writeHead(204, headers).end();
      return;
    }
    if (pathname === '/web-bridge.js') {
      res.writeHead(200, { ...headers, 'content-type': contentTypeOf(options.bridgeFile) }).end(await readFile(options.bridgeFile));
      return;
    }
    const file = await resolveRendererFile(options.rendererDir, pathname);
    if (!file) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    let body: Buffer = await readFile(file);
    if (path.basename(file) === 'index.html' && path.dirname(file) === path.resolve(options.rendererDir)) {
      body = Buffer.from(body.toString('utf8').replace('<head>', '<head>\n    <script src="./web-bridge.js"></script>'));
    }
    res.writeHead(200, { ...headers, 'content-type': contentTypeOf(file) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private serveSocket(ws: WebSocket, options: WebHostOptions): void {
    this.sockets.add(ws);
    options.onSocket?.();
    const log = rateLimitedWarn(options.logger);
    const session = new StreamSession(options.dispatcher, {
      sendText: (text) => {
        if (ws.readyState === ws.OPEN) ws.send(text);
      },
      sendBytes: (id, chunks) => {
        if (ws.readyState === ws.OPEN) ws.send(encodeByteBatch(id, chunks), { binary: true });
      },
      bufferedAmount: () => ws.bufferedAmount,
    }, options.logger, options.flow);
    this.sessions.add(session);
    ws.on('error', (error) => log('web.socket-error', { message: error.message }));
    ws.on('message', (data, isBinary) => {
      let parsed: ReturnType<typeof parseClientMessage>;
      try {
        parsed = isBinary ? { refused: 'binary frames carry nothing from a page' } : parseClientMessage(JSON.parse(rawText(data)));
      } catch {
        parsed = { refused: 'not JSON' };
      }
      if ('refused' in parsed) {
        log('web.bad-message', { size: rawSize(data), binary: isBinary, reason: parsed.refused });
        if (parsed.replyTo !== undefined && ws.readyState === ws.OPEN) {
          ws.send(JSON.stringify({ t: 'result', id: parsed.replyTo, result: { ok: false, error: { code: 'Invalid', message: parsed.refused } } } satisfies ServerMessage));
        }
        return;
      }
      const { message } = parsed;
      if (message.t === 'invoke') {
        const { id } = message;
        void options.dispatcher.invoke(message.channel, message.input).then((result) => {
          if (ws.readyState !== ws.OPEN) return;
          try {
            ws.send(JSON.stringify({ t: 'result', id, result } satisfies ServerMessage));
          } catch (error) {
            ws.send(JSON.stringify({ t: 'result', id, result: { ok: false, error: { code: 'Internal', message: `the answer cannot be sent: ${String(error)}` } } } satisfies ServerMessage));
          }
        });
      } else if (message.t === 'subscribe') session.subscribe(message.id, message.channel, message.input);
      else if (message.t === 'unsubscribe') session.unsubscribe(message.id);
      else session.ack(message.id, message.bytes);
    });
    ws.on('close', () => {
      session.dispose();
      this.sessions.delete(session);
      this.sockets.delete(ws);
    });
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

function rawSize(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return (data as Buffer | ArrayBuffer).byteLength;
}

/** Logs a peer's misbehaviour, at most 20 lines a minute per socket, so a flood cannot fill the disk. */
function rateLimitedWarn(logger: Logger): (event: string, fields: Record<string, unknown>) => void {
  let windowStart = Date.now();
  let count = 0;
  return (event, fields) => {
    const now = Date.now();
    if (now - windowStart > 60_000) {
      windowStart = now;
      count = 0;
    }
    if (++count <= 20) logger.warn(event, fields);
    else if (count === 21) logger.warn('web.log-suppressed', { event, forSeconds: 60 });
  };
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://x').pathname;
  } catch {
    return '/';
  }
}

function presentedToken(req: IncomingMessage): string | undefined {
  let fromQuery: string | null = null;
  try {
    fromQuery = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  } catch {
    fromQuery = null;
  }
  if (fromQuery) return fromQuery;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return undefined;
}

