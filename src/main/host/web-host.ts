import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { RPC_PATH, TOKEN_COOKIE, type ClientMessage, type ServerMessage } from '../../shared/wire';
import type { Logger } from '../app/logger';
import type { ContractDispatcher } from './dispatcher';
import { EventBatcher, interimSink } from './event-batcher';

export interface WebHostOptions {
  dispatcher: ContractDispatcher;
  /** The built renderer (index.html + assets). */
  rendererDir: string;
  /** The built web bridge script that defines `window.cockpit` over the WebSocket. */
  bridgeFile: string;
  logger: Logger;
  port?: number;
  /** Random per start unless given (tests). */
  token?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Carries the contract to a browser: a Node HTTP server on 127.0.0.1 that serves the built
 * renderer and one WebSocket. Every request and the socket need the per-start token (query,
 * cookie or bearer header); the Host and Origin must be this server's own.
 */
export class WebHost {
  private readonly sockets = new Set<WebSocket>();

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly token: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/?token=${this.token}`;
  }

  static async start(options: WebHostOptions): Promise<WebHost> {
    const token = options.token ?? randomBytes(24).toString('base64url');
    const server = createServer();
    const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });
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
      const refusal = host.refusal(req);
      if (refusal || new URL(req.url ?? '/', 'http://x').pathname !== RPC_PATH) {
        options.logger.warn('web.socket-refused', { reason: refusal ?? 'wrong path' });
        socket.end(`HTTP/1.1 ${refusal ? '401 Unauthorized' : '404 Not Found'}\r\nConnection: close\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => host.serveSocket(ws, options));
    });
    return host;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
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
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const headers: Record<string, string> = {
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'set-cookie': `${TOKEN_COOKIE}=${this.token}; HttpOnly; SameSite=Strict; Path=/`,
    };
    if (pathname === '/web-bridge.js') {
      res.writeHead(200, { ...headers, 'content-type': CONTENT_TYPES['.js']! }).end(await readFile(options.bridgeFile));
      return;
    }
    const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
    const file = path.resolve(options.rendererDir, relative);
    if (!file.startsWith(path.resolve(options.rendererDir) + path.sep) || !(await isFile(file))) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    let body: Buffer = await readFile(file);
    if (relative === 'index.html') {
      body = Buffer.from(body.toString('utf8').replace('<head>', '<head>\n    <script src="./web-bridge.js"></script>'));
    }
    res.writeHead(200, { ...headers, 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private serveSocket(ws: WebSocket, options: WebHostOptions): void {
    this.sockets.add(ws);
    const subscriptions = new Map<number, () => void>();
    const send = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    ws.on('message', (data) => {
      let message: ClientMessage;
      try {
        message = JSON.parse(String(data)) as ClientMessage;
      } catch {
        options.logger.warn('web.bad-message', { size: String(data).length });
        return;
      }
      if (message.t === 'invoke') {
        void options.dispatcher.invoke(message.channel, message.input).then((result) => send({ t: 'result', id: message.id, result }));
      } else if (message.t === 'subscribe') {
        const batcher = new EventBatcher<unknown>((events) => send({ t: 'events', id: message.id, events }));
        void options.dispatcher.subscribe(message.channel, message.input, interimSink((event) => batcher.push(event))).then((result) => {
          if (result.ok) subscriptions.set(message.id, () => result.value.dispose());
          send({ t: 'subscribed', id: message.id, result: result.ok ? { ok: true, value: null } : result });
        });
      } else if (message.t === 'unsubscribe') {
        subscriptions.get(message.id)?.();
        subscriptions.delete(message.id);
      }
    });
    ws.on('close', () => {
      for (const stop of subscriptions.values()) stop();
      subscriptions.clear();
      this.sockets.delete(ws);
    });
  }
}

function presentedToken(req: IncomingMessage): string | undefined {
  const fromQuery = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  if (fromQuery) return fromQuery;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return undefined;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
