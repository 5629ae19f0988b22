/**
 * pods/portforward in the three forms real clients use:
 *  - client-node: the WebSocket channel protocol (data channel 2i, error channel 2i+1, each
 *    opened by the port as uint16 little-endian);
 *  - kubectl 1.31+: SPDY/3.1 tunnelled in WebSocket binary messages;
 *  - kubectl with PORT_FORWARD_WEBSOCKETS=false: a raw `Upgrade: SPDY/3.1`.
 * SPDY streams come in pairs (`streamType: error|data`, `port`, `requestID`); the data stream is
 * piped to the backend behind the pod's port, the error stream carries the kubelet's message.
 */
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SpdyConnection, SpdyStream } from 'spdy-transport';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import type { DrillBackendAddress, DrillPodRef } from '../types';
import {
  PORT_FORWARD_CHANNEL_PROTOCOLS,
  SPDY_TUNNEL_PROTOCOL,
  chooseSubprotocol,
  decodeChannelFrame,
  encodeChannelFrame,
  encodePortPreamble,
} from './channel-protocol';
import { acceptSpdyStream, createSpdyServerSession } from './spdy-session';
import { rejectUpgrade } from './status';

const WS_HIGH_WATER = 4 * 1024 * 1024;
const WS_LOW_WATER = 1024 * 1024;

export type PortTarget = { address: DrillBackendAddress } | { error: string };

/** Maps a pod's port to what listens behind it (a backend) or the kubelet's error. */
export type PortTargetResolver = (pod: DrillPodRef, port: number) => Promise<PortTarget>;

/** The ports asked for: `ports=5432`, `ports=5432,6379` or repeated. */
export function parsePorts(query: URLSearchParams): number[] | string {
  const raw = query.getAll('ports').flatMap((value) => value.split(','));
  if (raw.length === 0) return 'query parameter "port" is required';
  const ports: number[] = [];
  for (const value of raw) {
    const port = Number(value.trim());
    if (!Number.isInteger(port) || port < 1 || port > 65535) return `unable to parse "${value}" as a port: must be in the range 1-65535`;
    ports.push(port);
  }
  return ports;
}

function connectTo(address: DrillBackendAddress): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(address.port, address.host);
    socket.setNoDelay(true);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function forwardError(pod: DrillPodRef, port: number, message: string): string {
  return `error forwarding port ${port} to pod ${pod.name}, uid : ${message}`;
}

export class PortForwardEndpoint {
  private readonly channelServer = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => chooseSubprotocol(protocols, [SPDY_TUNNEL_PROTOCOL, ...PORT_FORWARD_CHANNEL_PROTOCOLS]),
  });
  private readonly open = new Set<{ close(): void }>();

  constructor(private readonly resolveTarget: PortTargetResolver) {}

  handle(req: IncomingMessage, socket: Duplex, head: Buffer, pod: DrillPodRef, query: URLSearchParams): void {
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade.startsWith('spdy/')) {
      this.rawSpdy(req, socket, head, pod);
      return;
    }
    const ports = parsePorts(query);
    this.channelServer.handleUpgrade(req, socket, head, (ws) => {
      if (ws.protocol === SPDY_TUNNEL_PROTOCOL) {
        const tunnel = createWebSocketStream(ws);
        tunnel.on('error', () => undefined);
        this.serveSpdy(tunnel, pod, () => ws.terminate());
        return;
      }
      if (typeof ports === 'string') {
        ws.close(1008, ports.slice(0, 120));
        return;
      }
      this.serveChannels(ws, pod, ports);
    });
  }

  private rawSpdy(req: IncomingMessage, socket: Duplex, head: Buffer, pod: DrillPodRef): void {
    const requested = String(req.headers['x-stream-protocol-version'] ?? '')
      .split(',')
      .map((p) => p.trim());
    if (!requested.includes('portforward.k8s.io')) {
      rejectUpgrade(socket, 403, 'Forbidden', `unable to upgrade: no common protocol; client asked for [${requested.join(' ')}], server supports [portforward.k8s.io]`);
      return;
    }
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n',
    );
    if (head.length > 0) socket.unshift(head);
    this.serveSpdy(socket, pod, () => socket.destroy());
  }

  /** One SPDY session: pairs error/data streams by requestID and forwards each pair. */
  private serveSpdy(duplex: Duplex, pod: DrillPodRef, destroy: () => void): void {
    const connection: SpdyConnection = createSpdyServerSession(duplex);
    const sockets = new Set<Socket>();
    const handle = {
      close: () => {
        for (const s of sockets) s.destroy();
        connection.destroyStreams();
        destroy();
      },
    };
    this.open.add(handle);
    const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream }>();
    connection.on('error', () => undefined);
    connection.on('close', () => {
      this.open.delete(handle);
      for (const s of sockets) s.destroy();
    });
    duplex.once('close', () => {
      this.open.delete(handle);
      for (const s of sockets) s.destroy();
    });
    connection.on('stream', (stream) => {
      acceptSpdyStream(stream);
      const headers = stream.headers;
      const type = headers.streamtype;
      const port = Number(headers.port);
      const requestId = headers.requestid ?? String(type === 'data' ? stream.id - 2 : stream.id);
      if (type !== 'data' && type !== 'error') {
        stream.end(`invalid stream type "${type}"`);
        return;
      }
      const pair = pairs.get(requestId) ?? {};
      pair[type] = stream;
      pairs.set(requestId, pair);
      if (type === 'error') stream.resume();
      if (pair.data && pair.error) {
        pairs.delete(requestId);
        void this.forwardSpdyPair(pod, port, pair.data, pair.error, sockets);
      }
    });
  }

  private async forwardSpdyPair(pod: DrillPodRef, port: number, data: SpdyStream, error: SpdyStream, sockets: Set<Socket>): Promise<void> {
    const target = await this.resolveTarget(pod, port).catch((e: unknown) => ({ error: (e as Error).message }));
    let backend: Socket;
    try {
      if ('error' in target) throw new Error(target.error);
      backend = await connectTo(target.address);
    } catch (e) {
      error.end(forwardError(pod, port, (e as Error).message));
      data.end();
      return;
    }
    sockets.add(backend);
    backend.on('error', () => undefined);
    data.pipe(backend);
    backend.pipe(data);
    const finish = () => {
      sockets.delete(backend);
      backend.destroy();
      if (!data.writableEnded) data.end();
      if (!error.writableEnded) error.end();
    };
    backend.once('close', finish);
    data.once('close', finish);
    data.once('end', () => backend.end());
  }

  /** client-node's channel protocol: one WebSocket is one connection per requested port. */
  private serveChannels(ws: WebSocket, pod: DrillPodRef, ports: number[]): void {
    const sockets = new Map<number, Socket>();
    const handle = { close: () => ws.terminate() };
    this.open.add(handle);
    const pendingInput = new Map<number, Buffer[]>();
    ports.forEach((port, i) => {
      ws.send(encodePortPreamble(2 * i, port));
      ws.send(encodePortPreamble(2 * i + 1, port));
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const frame = decodeChannelFrame(buffer);
      if (!frame || frame.channel % 2 !== 0 || frame.payload.length === 0) return;
      const index = frame.channel / 2;
      const socket = sockets.get(index);
      if (socket) socket.write(frame.payload);
      else pendingInput.set(index, [...(pendingInput.get(index) ?? []), frame.payload]);
    });
    ws.once('close', () => {
      this.open.delete(handle);
      for (const socket of sockets.values()) socket.destroy();
    });
    ports.forEach(async (port, i) => {
      const target = await this.resolveTarget(pod, port).catch((e: unknown) => ({ error: (e as Error).message }));
      let socket: Socket;
      try {
        if ('error' in target) throw new Error(target.error);
        socket = await connectTo(target.address);
      } catch (e) {
        if (ws.readyState === ws.OPEN) {
          ws.send(encodeChannelFrame(2 * i + 1, forwardError(pod, port, (e as Error).message)));
          ws.close(1000);
        }
        return;
      }
      if (ws.readyState !== ws.OPEN) {
        socket.destroy();
        return;
      }
      sockets.set(i, socket);
      for (const chunk of pendingInput.get(i) ?? []) socket.write(chunk);
      pendingInput.delete(i);
      // Backpressure: stop reading the backend while the WebSocket has much unsent.
      socket.on('data', (chunk) => {
        if (ws.readyState !== ws.OPEN) return;
        ws.send(encodeChannelFrame(2 * i, chunk), () => {
          if (socket.isPaused() && ws.bufferedAmount < WS_LOW_WATER) socket.resume();
        });
        if (ws.bufferedAmount > WS_HIGH_WATER) socket.pause();
      });
      socket.on('error', () => undefined);
      socket.once('close', () => {
        sockets.delete(i);
        if (ws.readyState === ws.OPEN) ws.close(1000);
      });
    });
  }

  async close(): Promise<void> {
    for (const handle of this.open) handle.close();
    this.open.clear();
    for (const ws of this.channelServer.clients) ws.terminate();
    await new Promise<void>((resolve) => this.channelServer.close(() => resolve()));
  }
}
