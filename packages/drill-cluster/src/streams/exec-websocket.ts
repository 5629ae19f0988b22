/**
 * pods/exec and pods/attach over the WebSocket channel protocols (v1–v5). Status goes on
 * channel 3 (a `Status` JSON from v4 on), then the socket closes normally, which is how
 * client-go and client-node learn the exit code.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DrillClock, DrillPodRef } from '../types';
import {
  CLOSE_CHANNEL,
  ERROR_CHANNEL,
  EXEC_PROTOCOLS,
  RESIZE_CHANNEL,
  STDERR_CHANNEL,
  STDIN_CHANNEL,
  STDOUT_CHANNEL,
  channelProtocolVersion,
  chooseSubprotocol,
  decodeChannelFrame,
  decodeResize,
  encodeChannelFrame,
} from './channel-protocol';
import { ExecSession } from './exec-session';
import { ContainerLog, formatLine, resolveContainer, type TimedLine } from './pod-logs';
import type { CommandContext } from './simulated-commands';
import { exitStatus, rejectUpgrade } from './status';

export interface ExecRequest {
  command: string[];
  container: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === 'true' || value === '1';
}

/** Reads the exec/attach query; an error string is the 400 message. */
export function parseExecQuery(pod: DrillPodRef, query: URLSearchParams, subresource: 'exec' | 'attach'): ExecRequest | string {
  const container = resolveContainer(pod, query.get('container') ?? pod.containers[0]?.name);
  if (!container.name) return container.error ?? 'invalid container';
  const command = query.getAll('command');
  if (subresource === 'exec' && command.length === 0) return 'you must specify at least one command for the container';
  const request: ExecRequest = {
    command,
    container: container.name,
    stdin: flag(query, 'stdin'),
    stdout: flag(query, 'stdout'),
    stderr: flag(query, 'stderr'),
    tty: flag(query, 'tty'),
  };
  if (!request.stdin && !request.stdout && !request.stderr) return 'you must specify at least 1 of stdin, stdout, stderr';
  if (request.tty && request.stderr) request.stderr = false;
  return request;
}

export interface ExecDependencies {
  clock: DrillClock;
  context(pod: DrillPodRef, container: string, tty: boolean): CommandContext;
}

/** Accepts exec/attach WebSockets for one handler; `close()` ends the open sessions. */
export class ExecWebSocketEndpoint {
  private readonly server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => chooseSubprotocol(protocols, EXEC_PROTOCOLS),
  });
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly deps: ExecDependencies) {}

  handle(subresource: 'exec' | 'attach', req: IncomingMessage, socket: Duplex, head: Buffer, pod: DrillPodRef, query: URLSearchParams): void {
    const parsed = parseExecQuery(pod, query, subresource);
    if (typeof parsed === 'string') {
      rejectUpgrade(socket, 400, 'BadRequest', parsed);
      return;
    }
    this.server.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.once('close', () => this.sockets.delete(ws));
      if (subresource === 'attach') this.attach(ws, pod, parsed);
      else this.exec(ws, pod, parsed);
    });
  }

  private channelWriter(ws: WebSocket, request: ExecRequest) {
    return (stream: 'stdout' | 'stderr', text: string | Uint8Array) => {
      if (ws.readyState !== ws.OPEN) return;
      if (stream === 'stdout' && !request.stdout) return;
      if (stream === 'stderr' && !request.stderr) return;
      ws.send(encodeChannelFrame(stream === 'stdout' ? STDOUT_CHANNEL : STDERR_CHANNEL, typeof text === 'string' ? text : Buffer.from(text)));
    };
  }

  private exec(ws: WebSocket, pod: DrillPodRef, request: ExecRequest): void {
    const version = channelProtocolVersion(ws.protocol || 'channel.k8s.io');
    const session = new ExecSession(request.command, this.deps.context(pod, request.container, request.tty), {
      tty: request.tty,
      stdin: request.stdin,
      write: this.channelWriter(ws, request),
    });
    ws.on('message', (data, isBinary) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (!isBinary) return;
      const frame = decodeChannelFrame(buffer);
      if (!frame) return;
      if (frame.channel === STDIN_CHANNEL && frame.payload.length > 0) session.stdinBuffer.push(frame.payload);
      else if (frame.channel === RESIZE_CHANNEL) {
        const size = decodeResize(frame.payload);
        if (size) session.resize(size);
      } else if (frame.channel === CLOSE_CHANNEL && frame.payload[0] === STDIN_CHANNEL) session.stdinBuffer.end();
    });
    ws.once('close', () => session.abort());
    session
      .run()
      .catch((error: unknown) => {
        this.channelWriter(ws, request)('stderr', `${(error as Error).message}\n`);
        return 1;
      })
      .then((exitCode) => this.finish(ws, version, exitCode, request.command));
  }

  private finish(ws: WebSocket, version: number, exitCode: number, command: string[]): void {
    if (ws.readyState !== ws.OPEN) return;
    if (version >= 4) {
      ws.send(encodeChannelFrame(ERROR_CHANNEL, JSON.stringify(exitStatus(exitCode, command))));
    } else if (exitCode !== 0) {
      ws.send(encodeChannelFrame(ERROR_CHANNEL, `command terminated with non-zero exit code: exit status ${exitCode}`));
    }
    ws.close(1000);
  }

  /** Attach shows the main process's output (its log lines) until the client detaches. */
  private attach(ws: WebSocket, pod: DrillPodRef, request: ExecRequest): void {
    const version = channelProtocolVersion(ws.protocol || 'channel.k8s.io');
    const write = this.channelWriter(ws, request);
    const profile = pod.logProfile();
    const log = new ContainerLog(pod, request.container, profile);
    let next = log.entriesBy(this.deps.clock.now());
    const rate = Math.min(20, log.rate);
    const lines: TimedLine[] = [];
    const translate = (text: string) => (request.tty ? text.replace(/\n/g, '\r\n') : text);
    const timer = setInterval(() => {
      lines.length = 0;
      log.entry(next++, this.deps.clock.now(), lines);
      write('stdout', translate(lines.map((l) => formatLine(l, false)).join('')));
    }, 1000 / rate);
    ws.on('message', (data, isBinary) => {
      if (!isBinary || !Buffer.isBuffer(data)) return;
      const frame = decodeChannelFrame(data);
      // Ctrl-P Ctrl-Q detaches, as with a real runtime.
      if (frame?.channel === STDIN_CHANNEL && frame.payload.includes(0x11)) this.finish(ws, version, 0, []);
    });
    ws.once('close', () => clearInterval(timer));
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
