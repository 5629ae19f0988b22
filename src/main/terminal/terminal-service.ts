import type { KubeConfig } from '@kubernetes/client-node';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import os from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import path from 'node:path';
import * as nodePty from 'node-pty';
import type { IPty } from 'node-pty';
import type { ContextList } from '../../shared/contexts';
import type { VaultStatus } from '../../shared/evidence';
import { DisposableStore, Emitter, toDisposable, type Event, type IDisposable } from '../../shared/lifetimes';
import type { StoredRecord } from '../../shared/records';
import { CockpitFailure } from '../../shared/result';
import { recordingName, TERMINAL_LIMITS, type OpenedTerminal, type SealedRecording, type TerminalSessionInfo } from '../../shared/terminal/model';
import { tunnelEnvironmentChange, tunnelVariables } from '../../shared/terminal/tunnel-environment';
import type { Logger } from '../app/logger';
import type { StreamSink } from '../host/dispatcher';
import { CastRecorder } from './cast-recorder';
import { killSession } from './process-session';
import { chooseShell, probeKubeconfig, tabEnvironment } from './shell-environment';
import { TabKubeconfigs } from './tab-kubeconfigs';

/** A tab that nobody attached to within this time (its page went away mid-open) is closed. */
const ATTACH_GRACE_MS = 15_000;
/** Output read before the page attached, kept for it (the pty is paused meanwhile). */
const MAX_EARLY_OUTPUT = 256 * 1024;
/** A recording this large is refused by the player's reader. */
const MAX_CAST_BYTES = 64 * 1024 * 1024;

export interface TerminalServiceDeps {
  /** The contexts' public face: names and files (`list`) and the config main keeps (`kubeConfig`). */
  contexts: { list(): Promise<ContextList>; kubeConfig(name: string): Promise<KubeConfig> };
  /** Where recordings are sealed, through the evidence service's public methods. */
  evidence: {
    status(): Promise<VaultStatus>;
    addFile(
      incidentId: string,
      source: { stream: AsyncIterable<Buffer>; name: string },
      options?: { title?: string },
    ): Promise<StoredRecord<{ sha256?: string; size: number }>>;
    readAttachment(incidentId: string, sha256: string, options?: { maxBytes?: number }): Promise<{ content: Buffer; truncated: boolean; size: number }>;
    attachments(incidentId: string): Promise<Array<{ sha256: string; name: string }>>;
  };
  /** The evidence store's redactor: every output and input text of a cast passes through it. */
  redactor: { redactStrings(texts: string[]): Promise<{ value: string[] }> };
  dataDir: string;
  logger: Logger;
  /**
   * Open tunnels (the TunnelService's `environmentFor` and `onDidChange`): their host and port
   * variables are exported into each new tab of the context, and a running tab is told when a
   * tunnel opened or closed after its shell started. Without it, tabs export none.
   */
  tunnels?: { environmentFor(context: string): Record<string, string>; onDidChange: Event<unknown> };
  /** The environment a tab starts from (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** The tabs' working directory (default: home). */
  cwd?: string;
}

interface Session {
  info: TerminalSessionInfo;
  key: Buffer;
  pty: IPty;
  kubeconfig: string;
  lifetime: DisposableStore;
  sink?: StreamSink<Uint8Array>;
  early: Buffer[];
  earlyBytes: number;
  recorder?: CastRecorder;
  /** Decodes output for the recorder (a character split across reads stays whole). */
  recordingDecoder?: StringDecoder;
  recordingIncident?: string;
  closing?: Promise<SealedRecording | undefined>;
}

/**
 * The embedded terminal's shells: one pty per tab, bound to a context through the tab's own
 * kubeconfig. A tab belongs to the page session that opened it: input, resize, recording and
 * close need the key `open` answered, and the output stream is attached once; when that
 * stream ends (page reloaded or closed) the tab is closed. Closing kills the shell's whole
 * session (no orphans) and deletes its kubeconfig.
 */
export class TerminalService implements IDisposable {
  private readonly sessions = new Map<string, Session>();
  private readonly kubeconfigs: TabKubeconfigs;
  private readonly changed = new Emitter<void>();
  private readonly lifetime = new DisposableStore();
  private disposed = false;
  /** Fires when any session's state changes (opened, exited, recording, closed). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: TerminalServiceDeps) {
    this.kubeconfigs = new TabKubeconfigs(path.join(deps.dataDir, 'terminal'));
    this.lifetime.add(this.changed);
    if (deps.tunnels) this.lifetime.add(deps.tunnels.onDidChange(() => this.onTunnelsChanged()));
  }

  /** The folder this run's tab kubeconfigs live in. */
  get kubeconfigDir(): string {
    return this.kubeconfigs.dir;
  }

  /** Removes tab kubeconfigs a crashed run left behind; call once at start. */
  async start(): Promise<void> {
    const removed = await this.kubeconfigs.removeStale();
    if (removed.length) this.deps.logger.info('terminal.stale-kubeconfigs-removed', { folders: removed.length });
  }

  list(): TerminalSessionInfo[] {
    return [...this.sessions.values()].map((s) => ({ ...s.info }));
  }

  async open(input: { context: string; namespace?: string; cols: number; rows: number }): Promise<OpenedTerminal> {
    if (this.disposed) throw new CockpitFailure('Unavailable', 'the cockpit is shutting down');
    if (this.sessions.size >= TERMINAL_LIMITS.maxSessions) {
      throw new CockpitFailure('Unavailable', `${TERMINAL_LIMITS.maxSessions} terminals are open; close one first`);
    }
    const contextInfo = (await this.deps.contexts.list()).contexts.find((c) => c.name === input.context);
    if (!contextInfo) throw new CockpitFailure('NotFound', `no context "${input.context}"`);
    const config = await this.deps.contexts.kubeConfig(input.context);
    const id = `term-${randomBytes(8).toString('hex')}`;
    const key = randomBytes(24);
    const namespace = input.namespace ?? contextInfo.namespace;
    let kubeconfig: string;
    try {
      kubeconfig = await this.kubeconfigs.write(id, config, { namespace, ...(contextInfo.file ? { sourceFile: contextInfo.file } : {}) });
    } catch (error) {
      throw new CockpitFailure('Invalid', `cannot write a kubeconfig for context "${input.context}": ${error instanceof Error ? error.message : String(error)}`);
    }
    const base = this.deps.env ?? process.env;
    const shell = chooseShell(base);
    const cwd = this.deps.cwd ?? os.homedir();
    const tunnels = this.tunnelEnvironment(input.context);
    const env = tabEnvironment(base, { kubeconfig, context: input.context, namespace, shell, tunnels });
    let pty: IPty;
    try {
      // Bytes, not strings: output goes on as it came; only a recording decodes it.
      pty = nodePty.spawn(shell, [], { name: 'xterm-256color', cols: input.cols, rows: input.rows, cwd, env, encoding: null });
    } catch (error) {
      await this.kubeconfigs.remove(kubeconfig);
      throw new CockpitFailure('Unavailable', `cannot start ${shell}: ${error instanceof Error ? error.message : String(error)}`);
    }
    pty.pause();
    const session: Session = {
      info: {
        id,
        title: `${input.context} · ${namespace}`,
        context: input.context,
        namespace,
        shell,
        pid: pty.pid,
        cols: input.cols,
        rows: input.rows,
        state: 'running',
        ...(Object.keys(tunnels).length ? { tunnelVariables: tunnels } : {}),
        openedAt: new Date().toISOString(),
      },
      key,
      pty,
      kubeconfig,
      lifetime: new DisposableStore(),
      early: [],
      earlyBytes: 0,
    };
    this.sessions.set(id, session);
    // With `encoding: null` node-pty hands out Buffers, though its typings say string.
    session.lifetime.add(pty.onData((data) => this.onOutput(session, data as unknown as Buffer | string)));
    session.lifetime.add(pty.onExit(({ exitCode, signal }) => this.onExit(session, exitCode, signal)));
    const grace = setTimeout(() => {
      if (!session.sink && !session.closing) {
        this.deps.logger.warn('terminal.never-attached', { id });
        void this.closeSession(session);
      }
    }, ATTACH_GRACE_MS);
    session.lifetime.addFn(() => clearTimeout(grace));
    const probe = probeKubeconfig(shell, env, cwd);
    session.lifetime.addFn(() => probe.cancel());
    void probe.result.then((seen) => {
      if (seen === undefined || seen === kubeconfig || !this.sessions.has(id)) return;
      session.info.kubeconfigOverride = seen || '(unset)';
      this.deps.logger.warn('terminal.kubeconfig-overridden', { id, context: input.context });
      this.changed.fire();
    });
    this.deps.logger.info('terminal.opened', { id, context: input.context, namespace, shell, pid: pty.pid });
    this.changed.fire();
    return { session: { ...session.info }, key: key.toString('base64url') };
  }

  /** The output stream of a tab, for its opener; attached once. */
  attach(id: string, key: string, sink: StreamSink<Uint8Array>): IDisposable {
    const session = this.owned(id, key);
    if (session.sink) throw new CockpitFailure('Conflict', `terminal ${id} is already shown`);
    session.sink = sink;
    for (const chunk of session.early) sink.emit(chunk);
    session.early = [];
    session.earlyBytes = 0;
    if (session.info.state === 'exited') {
      sink.end(exitReason(session.info));
      return toDisposable(() => void this.closeSession(session));
    }
    const flow = new DisposableStore();
    flow.add(sink.onDidPause(() => session.pty.pause()));
    flow.add(sink.onDidResume(() => session.pty.resume()));
    session.lifetime.add(flow);
    if (!sink.paused) session.pty.resume();
    // The page went away (reload, closed window, socket lost): nothing can type here any more.
    return toDisposable(() => {
      flow.dispose();
      void this.closeSession(session);
    });
  }

  /**
   * Writes input to the shell. With `flushOutput` (an interrupt the page dropped a runaway
   * stream's backlog for) the output queued for the page and not sent yet goes too: it was read
   * before the interrupt, and parsing it would hold the prompt back. Answers the bytes dropped.
   */
  input(id: string, key: string, data: string, flushOutput = false): number {
    const session = this.owned(id, key);
    if (session.info.state !== 'running') throw new CockpitFailure('Conflict', `the shell of ${id} has exited`);
    session.recorder?.input(data);
    session.pty.write(data);
    return flushOutput ? (session.sink?.discardQueued?.() ?? 0) : 0;
  }

  resize(id: string, key: string, cols: number, rows: number): void {
    const session = this.owned(id, key);
    if (session.info.state !== 'running') return;
    if (cols === session.info.cols && rows === session.info.rows) return;
    session.pty.resize(cols, rows);
    session.info.cols = cols;
    session.info.rows = rows;
    session.recorder?.resize(cols, rows);
    this.changed.fire();
  }

  async close(id: string, key: string): Promise<{ recording?: SealedRecording }> {
    const recording = await this.closeSession(this.owned(id, key));
    return recording ? { recording } : {};
  }

  async record(id: string, key: string, incidentId: string, input: boolean): Promise<TerminalSessionInfo> {
    const session = this.owned(id, key);
    if (session.recorder) throw new CockpitFailure('Conflict', `terminal ${id} is already being recorded`);
    if (session.info.state !== 'running') throw new CockpitFailure('Conflict', `the shell of ${id} has exited`);
    const vault = await this.deps.evidence.status();
    if (vault.state !== 'unlocked') throw new CockpitFailure('Locked', 'open the evidence store first: recordings are sealed into it');
    session.recordingDecoder = new StringDecoder('utf8');
    session.recorder = new CastRecorder({ cols: session.info.cols, rows: session.info.rows, input, title: session.info.title, shell: session.info.shell });
    session.recordingIncident = incidentId;
    session.info.recording = { incidentId, since: session.recorder.since.toISOString(), input };
    this.deps.logger.info('terminal.recording-started', { id, incidentId, input });
    this.changed.fire();
    return { ...session.info };
  }

  async stopRecording(id: string, key: string): Promise<SealedRecording> {
    const session = this.owned(id, key);
    const sealed = await this.seal(session);
    if (!sealed) throw new CockpitFailure('Conflict', `terminal ${id} is not being recorded`);
    return sealed;
  }

  /** A sealed recording's text, for the player and the export. */
  async recording(incidentId: string, sha256: string): Promise<{ name: string; cast: string }> {
    const attachment = (await this.deps.evidence.attachments(incidentId)).find((a) => a.sha256 === sha256);
    if (!attachment) throw new CockpitFailure('NotFound', `no attachment ${sha256.slice(0, 12)}… in ${incidentId}`);
    if (!attachment.name.endsWith('.cast')) throw new CockpitFailure('Invalid', `${attachment.name} is not a terminal recording (.cast)`);
    const content = await this.deps.evidence.readAttachment(incidentId, sha256, { maxBytes: MAX_CAST_BYTES });
    if (content.truncated) throw new CockpitFailure('Unavailable', `${attachment.name} is larger than ${MAX_CAST_BYTES / (1024 * 1024)} MiB`);
    return { name: attachment.name, cast: content.content.toString('utf8') };
  }

  /** Seals running recordings, kills every shell and deletes every tab kubeconfig (quit). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([...this.sessions.values()].map((s) => this.closeSession(s)));
    await this.kubeconfigs.removeAll();
    this.lifetime.dispose();
  }

  /** The open tunnels' variables for a tab of `context`; a tunnel service that fails costs the tab nothing. */
  private tunnelEnvironment(context: string): Record<string, string> {
    if (!this.deps.tunnels) return {};
    try {
      const { variables, refused } = tunnelVariables(this.deps.tunnels.environmentFor(context));
      if (refused.length) this.deps.logger.warn('terminal.tunnel-variables-refused', { context, names: refused.join(',').slice(0, 200) });
      return variables;
    } catch (error) {
      this.deps.logger.warn('terminal.tunnel-environment-failed', { context, message: error instanceof Error ? error.message : String(error) });
      return {};
    }
  }

  /** A tunnel opened or closed: running tabs of its context say what a new shell would get. */
  private onTunnelsChanged(): void {
    let changed = false;
    for (const session of this.sessions.values()) {
      if (session.info.state !== 'running') continue;
      const change = tunnelEnvironmentChange(session.info.tunnelVariables ?? {}, this.tunnelEnvironment(session.info.context));
      if (JSON.stringify(change) === JSON.stringify(session.info.tunnelChange)) continue;
      if (change) session.info.tunnelChange = change;
      else delete session.info.tunnelChange;
      changed = true;
    }
    if (changed) this.changed.fire();
  }

  private owned(id: string, key: string): Session {
    const session = this.sessions.get(id);
    if (!session) throw new CockpitFailure('NotFound', `no terminal ${id}`);
    const presented = Buffer.from(key, 'base64url');
    if (presented.length !== session.key.length || !timingSafeEqual(presented, session.key)) {
      this.deps.logger.warn('terminal.foreign-input', { id });
      throw new CockpitFailure('Forbidden', `terminal ${id} belongs to another window`);
    }
    return session;
  }

  private onOutput(session: Session, data: Buffer | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (session.recorder) session.recorder.output(session.recordingDecoder?.write(bytes) ?? bytes.toString('utf8'));
    if (session.sink) {
      session.sink.emit(bytes);
      return;
    }
    if (session.earlyBytes < MAX_EARLY_OUTPUT) {
      session.early.push(bytes);
      session.earlyBytes += bytes.length;
    }
  }

  private onExit(session: Session, exitCode: number, signal: number | undefined): void {
    session.info.state = 'exited';
    session.info.exitCode = exitCode;
    if (signal) session.info.signal = signal;
    this.deps.logger.info('terminal.exited', { id: session.info.id, exitCode, signal });
    session.sink?.end(exitReason(session.info));
    this.changed.fire();
  }

  private async seal(session: Session): Promise<SealedRecording | undefined> {
    const recorder = session.recorder;
    const incidentId = session.recordingIncident;
    if (!recorder || !incidentId) return undefined;
    const tail = session.recordingDecoder?.end();
    if (tail) recorder.output(tail);
    session.recorder = undefined;
    session.recordingDecoder = undefined;
    session.recordingIncident = undefined;
    delete session.info.recording;
    this.changed.fire();
    const { text, events } = await recorder.encode(async (texts) => (await this.deps.redactor.redactStrings(texts)).value);
    const name = recordingName(session.info.context, recorder.since);
    const record = await this.deps.evidence.addFile(
      incidentId,
      { stream: (async function* () { yield Buffer.from(text, 'utf8'); })(), name },
      { title: `Terminal recording: ${session.info.title}` },
    );
    this.deps.logger.info('terminal.recording-sealed', { id: session.info.id, incidentId, seq: record.seq, events });
    return { incidentId, sha256: record.body.sha256 ?? '', name, seq: record.seq, size: record.body.size, events };
  }

  private closeSession(session: Session): Promise<SealedRecording | undefined> {
    session.closing ??= (async () => {
      let sealed: SealedRecording | undefined;
      try {
        sealed = await this.seal(session);
      } catch (error) {
        this.deps.logger.error('terminal.recording-lost', { id: session.info.id, message: error instanceof Error ? error.message : String(error) });
      }
      const pid = session.pty.pid;
      session.lifetime.dispose();
      if (session.info.state === 'running' || process.platform === 'linux') await killSession(pid);
      await this.kubeconfigs.remove(session.kubeconfig);
      this.sessions.delete(session.info.id);
      session.sink?.end('closed');
      this.deps.logger.info('terminal.closed', { id: session.info.id });
      if (!this.disposed) this.changed.fire();
      return sealed;
    })();
    return session.closing;
  }
}

function exitReason(info: TerminalSessionInfo): string {
  return info.signal ? `the shell was ended by signal ${info.signal}` : `the shell exited with code ${info.exitCode ?? 0}`;
}
