import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DRILL_CHILD_CONFIG_ENV,
  DrillControlClient,
  drillChildModule,
  type DrillChildConfig,
  type DrillChildMessage,
  type DrillChildModule,
  type DrillControlState,
  type ScenarioName,
} from '@incident-cockpit/drill-cluster';
import type { DrillStatus } from '../../shared/contexts';
import { DisposableStore, Emitter, toDisposable, type Event, type IDisposable } from '../../shared/lifetimes';
import { CockpitFailure } from '../../shared/result';
import type { Logger } from '../app/logger';

/** The drill's process as the forker hands it over: what the context needs, whichever runtime forked it. */
export interface DrillChildProcess {
  readonly pid: number | undefined;
  onMessage(listener: (message: unknown) => void): void;
  /** Exactly once; `signal` is null where the runtime does not report it (Electron). */
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void;
  /** Its stderr, as it comes (the last lines explain a crash). */
  onStderr(listener: (text: string) => void): void;
  kill(): void;
}

/**
 * Starts the drill's process. The web host uses `nodeDrillForker` (child_process.fork); the
 * Electron shell passes one over `utilityProcess.fork` (src/main/electron/main.ts), so this file
 * stays free of Electron.
 */
export type DrillForker = (module: DrillChildModule, options: { env: Record<string, string>; serviceName: string }) => DrillChildProcess;

/** `child_process.fork` with an IPC channel: the child exits on the channel's `disconnect` when the app goes. */
export const nodeDrillForker: DrillForker = (module, options) => {
  const child = fork(module.modulePath, [], {
    execArgv: module.execArgv,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });
  return {
    get pid() {
      return child.pid;
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => {
      let done = false;
      const once = (code: number | null, signal: string | null) => {
        if (done) return;
        done = true;
        listener({ code, signal });
      };
      child.once('exit', once);
      child.once('error', (error) => {
        child.stderr?.emit('data', Buffer.from(`fork failed: ${error.message}\n`));
        if (child.exitCode === null && child.pid === undefined) once(null, null);
      });
    },
    onStderr: (listener) => child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString('utf8'))),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
};

export interface DrillContextOptions {
  forker?: DrillForker;
  /** Written into the child's config: `none` keeps PGlite / Redis out (tests). */
  child?: Omit<DrillChildConfig, 'dir'>;
  /** How long the child may take to announce itself (default 60 s). */
  readyTimeoutMs?: number;
}

interface Running {
  client: DrillControlClient;
  control: DrillControlState;
  apiUrl: string;
  pid: number;
}

const STDERR_TAIL_CHARS = 2_000;

/**
 * `COCKPIT_DRILL_SPEED=N`: simulated seconds per real second (drills that should move faster,
 * tests); `COCKPIT_DRILL_LOG_RATE=N`: log lines per second per pod (the logs benchmark floods it).
 */
function drillTuningFromEnv(): { speed?: number; logLinesPerSecond?: number } {
  const read = (name: string, max: number): number | undefined => {
    const text = process.env[name];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    return Number.isFinite(value) && value > 0 && value <= max ? value : undefined;
  };
  const speed = read('COCKPIT_DRILL_SPEED', 1000);
  const logLinesPerSecond = read('COCKPIT_DRILL_LOG_RATE', 10_000_000);
  return { ...(speed ? { speed } : {}), ...(logLinesPerSecond ? { logLinesPerSecond } : {}) };
}

/**
 * The drill cluster as the app runs it: its own process, started in the background at launch
 * (nothing awaits it, so the UI is usable before it is ready), reached as real clients reach a
 * cluster: the kubeconfig it writes (0600, under `<data>/drill/`) and its HTTP control API. A
 * crash is kept and shown with its reason and exit code; `restart()` starts it again. The app
 * keeps running either way.
 */
export class DrillContext implements IDisposable {
  readonly dir: string;
  readonly kubeconfigPath: string;
  private readonly forker: DrillForker;
  private readonly disposables = new DisposableStore();
  private readonly changes = new Emitter<DrillStatus>();
  /** The lifetime of the current process: its follow loop, timers, listeners. */
  private generation: DisposableStore | undefined;
  private child: DrillChildProcess | undefined;
  private state: DrillStatus['state'] = 'stopped';
  private running: Running | undefined;
  private error: string | undefined;
  private exit: DrillStatus['exit'];
  private restarts = 0;
  private ready: Promise<Running | undefined> = Promise.resolve(undefined);
  private stopped = false;

  constructor(
    dataDir: string,
    private readonly logger: Logger,
    private readonly options: DrillContextOptions = {},
  ) {
    this.dir = path.join(dataDir, 'drill');
    this.kubeconfigPath = path.join(this.dir, 'kubeconfig');
    this.forker = options.forker ?? nodeDrillForker;
    this.disposables.add(this.changes);
  }

  /** Every change of `status()`: process state and scenarios (followed live over the control API). */
  get onDidChange(): Event<DrillStatus> {
    return this.changes.event;
  }

  /** Forks the drill's process unless it runs; answers at once (see `whenReady`). */
  start(): void {
    if (this.stopped || this.child) return;
    const generation = new DisposableStore();
    this.generation = generation;
    this.state = 'starting';
    this.error = undefined;
    this.exit = undefined;
    this.running = undefined;
    let stderrTail = '';
    let announced = false;
    let settle: (running: Running | undefined) => void = () => undefined;
    this.ready = new Promise((resolve) => (settle = resolve));

    const config: DrillChildConfig = { dir: this.dir, ...drillTuningFromEnv(), ...this.options.child };
    let child: DrillChildProcess;
    try {
      child = this.forker(drillChildModule(), { env: { [DRILL_CHILD_CONFIG_ENV]: JSON.stringify(config) }, serviceName: 'Drill cluster' });
    } catch (error) {
      this.fail(`cannot start the drill cluster's process: ${error instanceof Error ? error.message : String(error)}`);
      settle(undefined);
      return;
    }
    this.child = child;
    this.logger.info('drill.starting', { pid: child.pid, dir: this.dir });

    const timeout = setTimeout(() => {
      if (announced) return;
      this.fail(`the drill cluster did not start within ${(this.options.readyTimeoutMs ?? 60_000) / 1000} s`);
      child.kill();
    }, this.options.readyTimeoutMs ?? 60_000);
    generation.add(toDisposable(() => clearTimeout(timeout)));

    child.onStderr((text) => {
      stderrTail = (stderrTail + text).slice(-STDERR_TAIL_CHARS);
    });
    child.onMessage((raw) => {
      const message = raw as DrillChildMessage;
      if (generation.isDisposed) return;
      if (message?.type === 'failed') {
        this.fail(message.message);
        return;
      }
      if (message?.type !== 'ready' || announced) return;
      announced = true;
      clearTimeout(timeout);
      const client = new DrillControlClient(message.controlUrl, message.controlToken);
      client.state().then(
        (control) => {
          if (generation.isDisposed) return settle(undefined);
          this.running = { client, control, apiUrl: message.apiUrl, pid: message.pid };
          this.state = 'running';
          this.logger.info('drill.started', { pid: message.pid, url: message.apiUrl, kubeconfig: message.kubeconfigPath });
          this.changed();
          settle(this.running);
          this.follow(client, generation);
        },
        (error: unknown) => {
          this.fail(`the drill's control API does not answer: ${error instanceof Error ? error.message : String(error)}`);
          settle(undefined);
          child.kill();
        },
      );
    });
    child.onExit(({ code, signal }) => {
      generation.dispose();
      if (this.child === child) this.child = undefined;
      this.running = undefined;
      this.exit = { code, signal };
      settle(undefined);
      if (this.stopped || this.state === 'stopped') return;
      if (this.state !== 'failed') {
        const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
        const lastWords = stderrTail.trim().split('\n').slice(-3).join(' | ');
        this.error = `the drill cluster's process ${child.pid ?? ''} ${how}${lastWords ? `: ${lastWords}` : ''}`.replace('  ', ' ');
        this.state = 'crashed';
        this.logger.error('drill.crashed', { pid: child.pid, code, signal, message: this.error });
      }
      this.changed();
    });
    this.changed();
  }

  /** Resolves once the current start attempt settled: the running drill, or undefined if it failed or crashed. */
  whenReady(): Promise<Running | undefined> {
    return this.ready;
  }

  /** The kubeconfig the drill's process wrote, once it runs (undefined while it cannot). */
  async kubeconfig(): Promise<string | undefined> {
    if (!(await this.ready)) return undefined;
    return readFile(this.kubeconfigPath, 'utf8');
  }

  status(): DrillStatus {
    const running = this.running;
    return {
      state: this.state,
      running: this.state === 'running',
      restarts: this.restarts,
      kubeconfigPath: this.kubeconfigPath,
      scenarios: running?.control.scenarios ?? [],
      ...(running
        ? {
            url: running.apiUrl,
            pid: running.pid,
            restored: running.control.restored,
            resetDescription: running.control.resetDescription,
            ...(running.control.stateFile ? { stateFile: running.control.stateFile } : {}),
            ...(running.control.restoreProblem ? { restoreProblem: running.control.restoreProblem } : {}),
          }
        : {}),
      ...(!running && this.child?.pid ? { pid: this.child.pid } : {}),
      ...(this.error ? { error: this.error } : {}),
      ...(this.exit ? { exit: this.exit } : {}),
    };
  }

  async setScenario(name: ScenarioName, active: boolean): Promise<DrillStatus> {
    const running = this.need();
    this.update(running, await this.controlCall(() => running.client.setScenario(name, active)));
    this.logger.info('drill.scenario', { name, active });
    return this.status();
  }

  /** Back to the seed (see `resetDescription`); the kubeconfig stays valid. */
  async reset(): Promise<DrillStatus> {
    const running = this.need();
    this.update(running, await this.controlCall(() => running.client.reset()));
    this.logger.info('drill.reset', {});
    return this.status();
  }

  /** Stops the current process (if any) and starts a new one. */
  async restart(): Promise<DrillStatus> {
    if (this.stopped) throw new CockpitFailure('Unavailable', 'the app is shutting down');
    await this.stopChild();
    this.restarts++;
    this.logger.info('drill.restart', { restarts: this.restarts });
    this.start();
    return this.status();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.stopChild();
    this.disposables.dispose();
  }

  dispose(): void {
    void this.stop();
  }

  private need(): Running {
    if (this.running) return this.running;
    throw new CockpitFailure('Unavailable', `the drill cluster is ${this.state}${this.error ? `: ${this.error}` : ''}`);
  }

  private async controlCall(call: () => Promise<DrillControlState>): Promise<DrillControlState> {
    try {
      return await call();
    } catch (error) {
      const status = (error as { status?: number }).status;
      const message = error instanceof Error ? error.message : String(error);
      throw new CockpitFailure(status === 400 || status === 404 ? 'Invalid' : 'Unavailable', `the drill cluster refused: ${message}`);
    }
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    this.state = 'stopped';
    this.running = undefined;
    this.generation?.dispose();
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
    child.kill();
    const timer = setTimeout(() => child.kill(), 5_000);
    await exited;
    clearTimeout(timer);
  }

  /** Follows the control API's long-poll, so scenarios that end themselves show up live. */
  private follow(client: DrillControlClient, generation: DisposableStore): void {
    const abort = new AbortController();
    generation.add(toDisposable(() => abort.abort()));
    void (async () => {
      while (!abort.signal.aborted) {
        const running = this.running;
        if (!running) return;
        try {
          const next = await client.next(running.control.version, 25_000, abort.signal);
          if (!abort.signal.aborted && this.running === running) this.update(running, next);
        } catch (error) {
          if (abort.signal.aborted) return;
          this.logger.warn('drill.follow', { message: error instanceof Error ? error.message : String(error) });
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
    })();
  }

  private update(running: Running, control: DrillControlState): void {
    if (control.version === running.control.version && control.scenarios === running.control.scenarios) return;
    const changed = control.version !== running.control.version;
    running.control = control;
    running.apiUrl = control.apiUrl;
    if (changed) this.changed();
  }

  private fail(message: string): void {
    this.state = 'failed';
    this.error = message;
    this.logger.error('drill.failed', { message });
    this.changed();
  }

  private changed(): void {
    this.changes.fire(this.status());
  }
}
