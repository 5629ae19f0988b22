/**
 * One tunnel: a `net.Server` on 127.0.0.1 whose every accepted socket is forwarded through its
 * own client-node `PortForward` WebSocket (one stream pair per connection, as kubectl does) to
 * the pod the target resolves to. A watch on the target's pods, a failed forward, a dropped
 * WebSocket or a gap in a 1 s timer (the machine slept) makes it re-resolve the target and
 * reconnect by itself; connections accepted meanwhile wait (bounded) for it.
 */
import { PortForward, type KubeConfig } from '@kubernetes/client-node';
// Not re-exported by the package's index; PortForward takes one to open its WebSockets with.
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import net from 'node:net';
import https from 'node:https';
import WebSocket from 'ws';
import { PassThrough, Writable, type Readable } from 'node:stream';
import type { TunnelInfo, TunnelRequest, TunnelTarget } from '../../shared/contract/tunnels';
import type { KubeObject } from '../../shared/k8s/objects';
import { DisposableStore, toDisposable } from '../../shared/lifetimes';
import { CockpitFailure, type ErrorCode } from '../../shared/result';
import type { Logger } from '../app/logger';
import { KubeClient, KubeRequestFailure, type WatchHandle } from '../cluster/kube-client';
import { noReadyPodReason, pickReadyPod, podPortNumber, podSelectorOf, podUnreadyReason, serviceTargetPort, targetObjectPath } from './target-resolution';
import { INITIAL_PHASE, nextPhase, phaseChanged, type TunnelEvent, type TunnelPhase } from './tunnel-state';

/** The minimal WebSocket surface a forward needs (client-node hands back a `ws` WebSocket). */
interface ForwardSocket {
  readonly readyState: number;
  close(code?: number): void;
  terminate?(): void;
  /** Bytes queued to send (ws): the client is paused above a high-water mark. */
  readonly bufferedAmount?: number;
  /** Stop / start reading the WebSocket (ws 8): the pod's bytes wait in the kernel, not in main. */
  pause?(): void;
  resume?(): void;
  on(event: 'close', listener: (code: number) => void): void;
}

export interface TunnelTimings {
  /** How long a connection accepted while reconnecting waits for the tunnel (default 10 s). */
  connectWaitMs: number;
  /** How long a fresh forward is watched for the kubelet's error (connection refused) before the port counts as answering (default 250 ms). */
  probeMs: number;
  /** Reconnecting longer than this turns the tunnel failed (default 60 s). */
  giveUpAfterMs: number;
  /** A timer tick later than this means the machine slept: re-check the target (default 5 s). */
  wakeGapMs: number;
  /** Retry delays while reconnecting: first, then doubling up to the max (defaults 100 ms .. 1 s). */
  retryMinMs: number;
  retryMaxMs: number;
  /** Count-only changes (connections, bytes) are reported at most this often (default 250 ms). */
  countsEveryMs: number;
}

export const DEFAULT_TUNNEL_TIMINGS: TunnelTimings = {
  connectWaitMs: 10_000,
  probeMs: 250,
  giveUpAfterMs: 60_000,
  wakeGapMs: 5_000,
  retryMinMs: 100,
  retryMaxMs: 1_000,
  countsEveryMs: 250,
};

export interface TunnelDeps {
  id: string;
  request: TunnelRequest;
  kubeConfig: KubeConfig;
  logger: Logger;
  timings: TunnelTimings;
  onDidChange(info: TunnelInfo): void;
}

interface Resolved {
  pod: string;
  port: number;
}

/** Unsent client bytes above which the client is paused, and below which it reads again. */
const UPLOAD_HIGH_WATER = 4 * 1024 * 1024;
const UPLOAD_LOW_WATER = 1024 * 1024;

/** A failure that retrying will not fix (forbidden, a port name no pod has, a service without selector). */
const PERMANENT: ReadonlySet<ErrorCode> = new Set(['Forbidden', 'Unauthorized', 'Invalid']);

export class Tunnel {
  private readonly store = new DisposableStore();
  private readonly client: KubeClient;
  private readonly portForward: PortForward;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly forwards = new Set<ForwardSocket>();
  private phase: TunnelPhase = INITIAL_PHASE;
  private since = new Date().toISOString();
  private resolved: Resolved | undefined;
  private localPort = 0;
  /** The pods' label selector (workload targets) or field selector (a pod), for the watch. */
  private podQuery = '';
  private watch: WatchHandle | undefined;
  private watchRestart: NodeJS.Timeout | undefined;
  private reconnecting: Promise<void> | undefined;
  private nudge: (() => void) | undefined;
  private lostAt = 0;
  private retriedAt = 0;
  private tlsAgent: { material: string; agent: https.Agent } | undefined;
  private waiters = new Set<() => void>();
  private totalConnections = 0;
  private droppedConnections = 0;
  private bytesInClosed = 0;
  private bytesOutClosed = 0;
  private countsTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly deps: TunnelDeps) {
    this.client = new KubeClient(deps.request.context, deps.kubeConfig, { requestTimeoutMs: 10_000 });
    this.portForward = new PortForward(deps.kubeConfig, true, new WebSocketHandler(deps.kubeConfig, (uri, protocols, options) => this.openWebSocket(uri, protocols, options)));
    this.server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => void this.accept(socket));
    this.server.on('error', (error) => deps.logger.warn('tunnel.server-error', { id: deps.id, message: error.message }));
    this.store.add(
      toDisposable(() => {
        this.disposed = true;
        this.watch?.abort();
        clearTimeout(this.watchRestart);
        clearTimeout(this.countsTimer);
        this.nudge?.();
        for (const wake of this.waiters) wake();
        for (const ws of this.forwards) closeForward(ws);
        for (const socket of this.sockets) socket.destroy();
        this.server.close();
        this.client.dispose();
        this.tlsAgent?.agent.destroy();
      }),
    );
  }

  get id(): string {
    return this.deps.id;
  }

  get request(): TunnelRequest {
    return this.deps.request;
  }

  get state(): TunnelPhase['state'] {
    return this.phase.state;
  }

  /** Where the server listens, once `start` resolved. */
  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.localPort };
  }

  /**
   * Resolves the target, checks the pod's port answers, listens, and starts watching the pods.
   * Rejects (and releases everything) with why the tunnel cannot open.
   */
  async start(): Promise<TunnelInfo> {
    try {
      const target = await this.resolve();
      await this.probe(target);
      await this.listen();
      this.resolved = target;
      this.apply({ type: 'connected', pod: target.pod });
      this.startWatch();
      this.startWakeCheck();
      this.deps.logger.info('tunnel.opened', { id: this.id, ...this.describe(), pod: target.pod, port: target.port, localPort: this.localPort });
      return this.info();
    } catch (error) {
      const failure = asFailure(error, this.deps.request);
      this.apply({ type: 'attemptFailed', reason: failure.message, permanent: true });
      this.dispose();
      throw failure;
    }
  }

  info(): TunnelInfo {
    const { request } = this.deps;
    let bytesIn = this.bytesInClosed;
    let bytesOut = this.bytesOutClosed;
    for (const s of this.sockets) {
      bytesIn += s.bytesRead;
      bytesOut += s.bytesWritten;
    }
    return {
      id: this.id,
      context: request.context,
      namespace: request.namespace,
      target: { ...request.target },
      remotePort: this.resolved?.port ?? (typeof request.remotePort === 'number' ? request.remotePort : 0),
      localPort: this.localPort,
      state: this.phase.state,
      ...(this.phase.reason ? { reason: this.phase.reason } : {}),
      ...(this.phase.pod ? { pod: this.phase.pod } : {}),
      connections: this.sockets.size,
      reconnects: this.phase.reconnects,
      since: this.since,
      totalConnections: this.totalConnections,
      bytesIn,
      bytesOut,
      droppedConnections: this.droppedConnections,
    };
  }

  dispose(reason?: string): void {
    if (this.disposed) return;
    this.apply({ type: 'closed', ...(reason ? { reason } : {}) });
    this.store.dispose();
  }

  // --- resolution ------------------------------------------------------------------------------

  private async resolve(): Promise<Resolved> {
    const { namespace, target, remotePort } = this.deps.request;
    const scope = { namespace, resource: target.kind === 'pod' ? 'pods' : `${target.kind}s` };
    const object = await this.getObject(targetObjectPath(namespace, target), target, scope);
    if (target.kind === 'pod') {
      this.podQuery = `fieldSelector=${encodeURIComponent(`metadata.name=${target.name}`)}`;
      const unready = podUnreadyReason(object);
      if (unready) throw new CockpitFailure('Unavailable', `${unready} (pod not ready)`, undefined, scope);
      return { pod: object.metadata.name, port: podPortNumber(object, remotePort) };
    }
    const selector = podSelectorOf(target, object);
    this.podQuery = `labelSelector=${encodeURIComponent(selector)}`;
    const podPort = target.kind === 'service' ? serviceTargetPort(object, remotePort) : remotePort;
    const list = await this.client.getJson<{ items?: KubeObject[] }>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?${this.podQuery}`, { namespace, resource: 'pods' });
    const pods = list.items ?? [];
    const pod = pickReadyPod(pods, this.resolved?.pod);
    if (!pod) throw new CockpitFailure(pods.length ? 'Unavailable' : 'NotFound', noReadyPodReason(target, pods), undefined, scope);
    return { pod: pod.metadata.name, port: podPortNumber(pod, podPort) };
  }

  private async getObject(path: string, target: TunnelTarget, scope: { namespace: string; resource: string }): Promise<KubeObject> {
    try {
      return await this.client.getJson<KubeObject>(path, scope);
    } catch (error) {
      if (error instanceof KubeRequestFailure && error.status === 404) {
        const what = target.kind === 'pod' ? 'pod not found' : `${target.kind} not found`;
        throw new CockpitFailure('NotFound', `${target.kind} ${target.name} does not exist in namespace ${scope.namespace} (${what})`, undefined, { ...scope, context: this.deps.request.context });
      }
      if (error instanceof KubeRequestFailure && error.status === 403) {
        throw new CockpitFailure('Forbidden', `${this.deps.request.context}: not allowed to read ${target.kind} ${target.name} in ${scope.namespace} (forbidden)`, undefined, scope);
      }
      throw error;
    }
  }

  /**
   * Opens one forward that sends nothing and waits `probeMs` for the kubelet's error: a port
   * nothing listens on says "connection refused" at once, an answering port says nothing.
   */
  private async probe(target: Resolved): Promise<void> {
    const errors = collectText();
    const input = new PassThrough();
    const output = new Writable({ write: (_c, _e, done) => done() });
    const ws = await this.connectForward(target, output, errors.stream, input);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.deps.timings.probeMs);
      ws.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    closeForward(ws);
    input.destroy();
    if (errors.text()) throw refusedFailure(target, errors.text(), this.deps.request);
  }

  /** One client-node forward; handshake failures become the reason the UI shows. */
  private async connectForward(target: Resolved, output: Writable, err: Writable, input: Readable): Promise<ForwardSocket> {
    const { namespace } = this.deps.request;
    try {
      return (await this.portForward.portForward(namespace, target.pod, [target.port], output, err, input)) as unknown as ForwardSocket;
    } catch (error) {
      throw handshakeFailure(error, target, this.deps.request, this.client.server);
    }
  }

  private listen(): Promise<void> {
    const { localPort } = this.deps.request;
    return new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new CockpitFailure('Conflict', `local port ${localPort} is already in use on 127.0.0.1; choose another or leave it empty for a free one`)
            : new CockpitFailure('Unavailable', `cannot listen on 127.0.0.1:${localPort ?? 0}: ${error.message}`),
        );
      };
      this.server.once('error', onError);
      this.server.listen(localPort ?? 0, '127.0.0.1', () => {
        this.server.off('error', onError);
        this.localPort = (this.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  // --- connections -----------------------------------------------------------------------------

  /**
   * The WebSocket of one forward, as client-node would open it, but through one https.Agent per
   * tunnel (rebuilt when the TLS material changes, e.g. an exec plugin's new client certificate):
   * its session cache resumes TLS, so a new connection costs an abbreviated handshake. No
   * per-message compression: the bytes are the database's.
   */
  private openWebSocket(uri: string, protocols: string[], options: WebSocket.ClientOptions): WebSocket {
    const given = options.agent as (https.Agent & { options?: https.AgentOptions }) | undefined;
    let agent = given;
    // Only a plain https.Agent is replaced: a proxy agent (proxy-url) is kept as given.
    if (given?.options && Object.getPrototypeOf(given) === https.Agent.prototype) {
      const tlsOptions = given.options;
      const material = [tlsOptions.ca, tlsOptions.cert, tlsOptions.key, tlsOptions.pfx, tlsOptions.rejectUnauthorized, tlsOptions.servername].map((v) => (v === undefined ? '' : String(v))).join('\u0000');
      if (this.tlsAgent?.material !== material) {
        this.tlsAgent?.agent.destroy();
        this.tlsAgent = { material, agent: new https.Agent({ ...tlsOptions, keepAlive: false, maxCachedSessions: 16 }) };
      }
      agent = this.tlsAgent.agent;
    }
    return new WebSocket(uri, protocols, { ...options, ...(agent ? { agent } : {}), perMessageDeflate: false });
  }

  private async accept(socket: net.Socket): Promise<void> {
    if (this.disposed) return void socket.destroy();
    this.sockets.add(socket);
    this.totalConnections++;
    this.countsChanged();
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.bytesInClosed += socket.bytesRead;
      this.bytesOutClosed += socket.bytesWritten;
      this.countsChanged();
    });
    // A forward that fails at its handshake waits for the reconnect and tries again, until the deadline.
    const deadline = Date.now() + this.deps.timings.connectWaitMs;
    while (!this.disposed && !socket.destroyed) {
      const target = await this.waitOpen(deadline);
      if (!target || socket.destroyed) break;
      try {
        await this.forward(socket, target);
        return;
      } catch (error) {
        this.lost(asFailure(error, this.deps.request).message, error);
      }
    }
    if (!socket.destroyed) {
      this.droppedConnections++;
      socket.destroy();
    }
  }

  private async forward(socket: net.Socket, target: Resolved): Promise<void> {
    const errors = collectText();
    // The pod's bytes go to the client through this writer: when the client reads slowly the
    // WebSocket is paused until the socket drains, so a slow reader costs main no memory.
    const held: { ws?: ForwardSocket; paused: boolean } = { paused: false };
    const toClient = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (!socket.destroyed && !socket.write(chunk) && !held.paused) {
          held.paused = true;
          held.ws?.pause?.();
        }
        done();
      },
    });
    socket.on('drain', () => {
      if (!held.paused) return;
      held.paused = false;
      held.ws?.resume?.();
    });
    // The client's bytes go to the pod through this stream (client-node sends what it emits).
    const fromClient = new PassThrough();
    const ws = await this.connectForward(target, toClient, errors.stream, fromClient);
    held.ws = ws;
    if (held.paused) ws.pause?.();
    if (socket.destroyed || this.disposed) {
      ws.close();
      return;
    }
    this.forwards.add(ws);
    let clientClosed = false;
    ws.on('close', (code) => {
      this.forwards.delete(ws);
      if (errors.text()) {
        // The kubelet could not reach the pod's port: the pod is restarting or nothing listens.
        this.lost(refusedFailure(target, errors.text(), this.deps.request).message);
      } else if (code !== 1000 && !clientClosed && !this.disposed) {
        // The stream dropped (API server restarted, network cut): check the target again.
        this.verify(`the forward's WebSocket to pod ${target.pod} dropped (code ${code})`);
      }
      // The pod's side ended: flush what is written, then close the client's connection.
      socket.once('finish', () => socket.destroy());
      socket.end();
    });
    // A pod (or API server) slower than the client: stop reading the client above the
    // high-water mark of unsent bytes, until the WebSocket has sent most of them.
    let drainPoll: NodeJS.Timeout | undefined;
    socket.on('data', (chunk: Buffer) => {
      fromClient.write(chunk);
      if ((ws.bufferedAmount ?? 0) <= UPLOAD_HIGH_WATER || drainPoll) return;
      socket.pause();
      drainPoll = setInterval(() => {
        if ((ws.bufferedAmount ?? 0) > UPLOAD_LOW_WATER && ws.readyState === 1) return;
        clearInterval(drainPoll);
        drainPoll = undefined;
        socket.resume();
      }, 10);
    });
    socket.once('end', () => fromClient.end());
    socket.once('close', () => {
      clientClosed = true;
      clearInterval(drainPoll);
      fromClient.destroy();
      if (ws.readyState <= 1) ws.close();
    });
    socket.resume();
  }

  /** The target to forward to once the tunnel is open, or undefined at the deadline / on close. */
  private async waitOpen(deadline: number): Promise<Resolved | undefined> {
    while (!this.disposed && this.phase.state !== 'open') {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      // A failed tunnel tries again for the waiting client, at most once a second (a forbidden one fails at once).
      const nextRetry = this.retriedAt + 1_000 - Date.now();
      if (this.phase.state === 'failed' && nextRetry <= 0) this.retry();
      const wait = this.phase.state === 'failed' ? Math.min(left, Math.max(nextRetry, 50)) : left;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        const waiters = this.waiters;
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
    return this.disposed ? undefined : this.resolved;
  }

  // --- healing ---------------------------------------------------------------------------------

  /** The tunnel cannot serve through its pod now: reconnect (once; later calls only hurry it). */
  private lost(reason: string, error?: unknown): void {
    if (this.disposed) return;
    if (error instanceof CockpitFailure && PERMANENT.has(error.code)) {
      this.apply({ type: 'attemptFailed', reason, permanent: true });
      return;
    }
    if (this.phase.state === 'open') {
      this.lostAt = Date.now();
      this.deps.logger.warn('tunnel.lost', { id: this.id, pod: this.resolved?.pod, reason });
    }
    this.apply({ type: 'lost', reason });
    this.reconnect();
  }

  /** Checks the target still resolves to the same answering pod (after a dropped stream or a sleep). */
  private verify(why: string): void {
    if (this.disposed || this.phase.state !== 'open' || this.reconnecting) return;
    const before = this.resolved;
    void (async () => {
      try {
        const now = await this.resolve();
        if (now.pod !== before?.pod || now.port !== before.port) {
          this.lost(`${why}; the target now resolves to pod ${now.pod}`);
          return;
        }
        await this.probe(now);
      } catch (error) {
        this.lost(`${why}: ${asFailure(error, this.deps.request).message}`, error);
      }
    })();
  }

  private retry(): void {
    this.retriedAt = Date.now();
    this.apply({ type: 'retry' });
    this.lostAt = Date.now();
    this.reconnect();
  }

  private reconnect(): void {
    if (this.reconnecting) {
      this.nudge?.();
      return;
    }
    this.reconnecting = (async () => {
      let delay = this.deps.timings.retryMinMs;
      while (!this.disposed && (this.phase.state === 'reconnecting' || this.phase.state === 'opening')) {
        try {
          const target = await this.resolve();
          await this.probe(target);
          if (this.disposed) return;
          this.resolved = target;
          this.apply({ type: 'connected', pod: target.pod });
          this.deps.logger.info('tunnel.reconnected', { id: this.id, pod: target.pod, afterMs: Date.now() - this.lostAt, reconnects: this.phase.reconnects });
          return;
        } catch (error) {
          if (this.disposed) return;
          const failure = asFailure(error, this.deps.request);
          const permanent = PERMANENT.has(failure.code);
          this.apply({ type: 'attemptFailed', reason: failure.message, permanent });
          if (permanent) return;
          if (Date.now() - this.lostAt > this.deps.timings.giveUpAfterMs) {
            this.apply({ type: 'gaveUp', reason: `${failure.message} (gave up after ${Math.round(this.deps.timings.giveUpAfterMs / 1000)} s; a new connection tries again)` });
            return;
          }
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(wake, delay);
          function wake() {
            clearTimeout(timer);
            resolve();
          }
          this.nudge = wake;
        });
        this.nudge = undefined;
        delay = Math.min(delay * 2, this.deps.timings.retryMaxMs);
      }
    })().finally(() => {
      this.reconnecting = undefined;
      if (this.phase.state === 'reconnecting' && !this.disposed) this.reconnect();
    });
  }

  /** Watches the target's pods: the tunnel's pod deleted or unready means reconnect; any Ready pod hurries a reconnect. */
  private startWatch(): void {
    if (this.disposed) return;
    const { namespace } = this.deps.request;
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?watch=true&allowWatchBookmarks=false&${this.podQuery}`;
    void this.client
      .watch(path, (event) => this.onPodEvent(event as { type?: string; object?: KubeObject }), { namespace, resource: 'pods' })
      .then((handle) => {
        if (this.disposed) return handle.abort();
        this.watch = handle;
        return handle.done;
      })
      .catch((error: unknown) => {
        if (!this.disposed) this.deps.logger.warn('tunnel.watch-failed', { id: this.id, message: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        this.watch = undefined;
        if (this.disposed) return;
        // The watch ended (server timeout, restart, cut): we may have missed events, so check too.
        clearTimeout(this.watchRestart);
        this.watchRestart = setTimeout(() => {
          this.verify('the pod watch was cut');
          this.startWatch();
        }, 1_000);
      });
  }

  private onPodEvent(event: { type?: string; object?: KubeObject }): void {
    const pod = event.object;
    if (!pod?.metadata?.name || this.disposed) return;
    const current = this.resolved?.pod;
    if (this.phase.state === 'open' && pod.metadata.name === current) {
      if (event.type === 'DELETED') this.lost(`pod ${current} was deleted`);
      else {
        const unready = podUnreadyReason(pod);
        if (unready) this.lost(`${unready} (pod not ready)`);
      }
    } else if (this.phase.state === 'reconnecting' && event.type !== 'DELETED' && !podUnreadyReason(pod)) {
      this.nudge?.();
    }
  }

  /** A 1 s timer that ticks late means the process was suspended (laptop slept): the tunnel may be stale. */
  private startWakeCheck(): void {
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      const gap = now - last;
      last = now;
      if (gap > this.deps.timings.wakeGapMs) {
        this.deps.logger.info('tunnel.woke', { id: this.id, gapMs: gap });
        this.watch?.abort();
        this.verify(`the machine was asleep for ${Math.round(gap / 1000)} s`);
      }
    }, 1_000);
    timer.unref();
    this.store.add(toDisposable(() => clearInterval(timer)));
  }

  // --- reporting -------------------------------------------------------------------------------

  private apply(event: TunnelEvent): void {
    const next = nextPhase(this.phase, event);
    if (!phaseChanged(this.phase, next)) return;
    if (next.state !== this.phase.state) this.since = new Date().toISOString();
    this.phase = next;
    if (next.state === 'open' || next.state === 'failed' || next.state === 'closed') for (const wake of [...this.waiters]) wake();
    this.deps.onDidChange(this.info());
  }

  private countsChanged(): void {
    if (this.countsTimer || this.disposed) return;
    this.countsTimer = setTimeout(() => {
      this.countsTimer = undefined;
      if (!this.disposed) this.deps.onDidChange(this.info());
    }, this.deps.timings.countsEveryMs);
    this.countsTimer.unref();
  }

  private describe(): Record<string, unknown> {
    const { context, namespace, target, remotePort } = this.deps.request;
    return { context, namespace, target: `${target.kind}/${target.name}`, remotePort };
  }
}

function closeForward(ws: ForwardSocket): void {
  if (ws.terminate) ws.terminate();
  else ws.close();
}

function collectText(): { stream: Writable; text(): string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _e, done) {
        if (text.length < 2000) text += chunk.toString('utf8');
        done();
      },
    }),
    text: () => text.trim(),
  };
}

function refusedFailure(target: Resolved, said: string, request: TunnelRequest): CockpitFailure {
  const refused = /refused/i.test(said);
  const message = refused
    ? `pod ${target.pod} refused the connection on port ${target.port} (connection refused: nothing listens there): ${said}`
    : `the kubelet could not forward to pod ${target.pod} port ${target.port}: ${said}`;
  return new CockpitFailure('Unreachable', message, undefined, { context: request.context, namespace: request.namespace, resource: 'pods' });
}

/** A WebSocket handshake failure (`ws`'s "Unexpected server response: 403", ECONNREFUSED) as a reason. */
function handshakeFailure(error: unknown, target: Resolved, request: TunnelRequest, server: string): CockpitFailure {
  const message = error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error);
  const status = /Unexpected server response: (\d{3})/.exec(message)?.[1];
  const scope = { context: request.context, namespace: request.namespace, resource: 'pods' };
  if (status === '403') return new CockpitFailure('Forbidden', `${request.context}: not allowed to port-forward to pod ${target.pod} (forbidden: pods/portforward)`, undefined, scope);
  if (status === '401') return new CockpitFailure('Unauthorized', `${request.context}: the server refused the credentials for the port-forward (401)`, undefined, scope);
  if (status === '404') return new CockpitFailure('NotFound', `pod ${target.pod} does not exist in namespace ${request.namespace} (pod not found)`, undefined, scope);
  if (status) return new CockpitFailure('Unavailable', `the API server answered ${status} to the port-forward to pod ${target.pod}`, undefined, scope);
  const code = (error as NodeJS.ErrnoException)?.code ?? /\b(E[A-Z]{4,})\b/.exec(message)?.[1] ?? '';
  return new CockpitFailure('Unreachable', `${request.context}: the API server at ${server} is unreachable for the port-forward (API unreachable${code ? `: ${code}` : `: ${message}`})`, undefined, scope);
}

function asFailure(error: unknown, request: TunnelRequest): CockpitFailure {
  if (error instanceof KubeRequestFailure && error.code === 'Unreachable' && !/API unreachable/.test(error.message)) {
    return new CockpitFailure('Unreachable', `${error.message} (API unreachable)`, undefined, { context: request.context, namespace: request.namespace });
  }
  if (error instanceof CockpitFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CockpitFailure('Internal', `tunnel to ${request.target.kind}/${request.target.name}: ${message}`);
}
