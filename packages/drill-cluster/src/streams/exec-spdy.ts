/**
 * pods/exec over SPDY/3.1, kubectl's fallback when the WebSocket upgrade is refused (and what it
 * uses with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false). The client opens one stream per
 * `streamType` (error, stdin, stdout, stderr, resize); the exit status goes on the error stream.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SpdyStream } from 'spdy-transport';
import type { DrillPodRef } from '../types';
import { channelProtocolVersion, chooseSubprotocol } from './channel-protocol';
import { ExecSession } from './exec-session';
import type { ExecDependencies, ExecRequest } from './exec-websocket';
import { acceptSpdyStream, createSpdyServerSession } from './spdy-session';
import { exitStatus, rejectUpgrade } from './status';

/** remotecommand protocols over SPDY, best first (v5 is WebSocket-only). */
export const SPDY_EXEC_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io'];

const STREAM_WAIT_MS = 30_000;

export class ExecSpdyEndpoint {
  private readonly open = new Set<Duplex>();

  constructor(private readonly deps: ExecDependencies) {}

  handle(req: IncomingMessage, socket: Duplex, head: Buffer, pod: DrillPodRef, request: ExecRequest): void {
    const offered = String(req.headers['x-stream-protocol-version'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const protocol = chooseSubprotocol(offered, SPDY_EXEC_PROTOCOLS);
    if (!protocol) {
      rejectUpgrade(socket, 403, 'Forbidden', `unable to upgrade: no common protocol; client asked for [${offered.join(' ')}], server supports [${SPDY_EXEC_PROTOCOLS.join(' ')}]`);
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
    if (head.length > 0) socket.unshift(head);
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    const version = channelProtocolVersion(protocol);
    const expected = ['error', ...(request.stdin ? ['stdin'] : []), ...(request.stdout ? ['stdout'] : []), ...(request.stderr ? ['stderr'] : []), ...(request.tty && version >= 3 ? ['resize'] : [])];
    const streams = new Map<string, SpdyStream>();
    const connection = createSpdyServerSession(socket);
    const timer = setTimeout(() => socket.destroy(), STREAM_WAIT_MS);
    connection.on('stream', (stream) => {
      acceptSpdyStream(stream);
      streams.set(stream.headers.streamtype ?? '', stream);
      if (expected.every((type) => streams.has(type)) && timer) {
        clearTimeout(timer);
        void this.run(pod, request, version, streams, socket);
      }
    });
  }

  private async run(pod: DrillPodRef, request: ExecRequest, version: number, streams: Map<string, SpdyStream>, socket: Duplex): Promise<void> {
    const session = new ExecSession(request.command, this.deps.context(pod, request.container, request.tty), {
      tty: request.tty,
      stdin: request.stdin,
      write: (stream, text) => {
        const target = streams.get(stream);
        if (target && !target.writableEnded) target.write(text);
      },
    });
    const stdin = streams.get('stdin');
    if (stdin) {
      stdin.on('data', (chunk: Buffer) => session.stdinBuffer.push(chunk));
      stdin.on('end', () => session.stdinBuffer.end());
    }
    const resize = streams.get('resize');
    if (resize) {
      let pending = '';
      resize.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        let newline = pending.indexOf('\n');
        while (newline !== -1) {
          try {
            const size = JSON.parse(pending.slice(0, newline)) as { Width?: number; Height?: number };
            if (typeof size.Width === 'number' && typeof size.Height === 'number') session.resize({ width: size.Width, height: size.Height });
          } catch {
            // a malformed resize changes nothing
          }
          pending = pending.slice(newline + 1);
          newline = pending.indexOf('\n');
        }
      });
    }
    socket.once('close', () => session.abort());
    const exitCode = await session.run().catch(() => 1);
    const error = streams.get('error');
    if (error && !error.writableEnded) {
      if (version >= 4) error.write(JSON.stringify(exitStatus(exitCode, request.command)));
      else if (exitCode !== 0) error.write(`command terminated with non-zero exit code: exit status ${exitCode}`);
    }
    for (const stream of streams.values()) if (!stream.writableEnded) stream.end();
    setTimeout(() => socket.end(), 100).unref?.();
  }

  close(): void {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }
}
