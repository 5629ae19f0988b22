/**
 * The drill cluster as its process runs it: the cluster, its kubeconfig on disk, the scenario
 * state the control API serves (with a version that grows on every change, for long-polls), and
 * reset. Used by the forked child (`child.ts`) and by `npm run drill` (`cli.ts`).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DrillCluster, type DrillClusterOptions } from './cluster';
import { readFile } from 'node:fs/promises';
import { MonitoringProxy } from './monitoring-proxy';
import { findMonitoringBinaries, startMonitoringStack, type MonitoringStack } from './monitoring-stack';
import { removeClusterState } from './persistence';
import { SCENARIO_NAMES, type DrillControlState, type ScenarioName } from './protocol';

export interface DrillRuntimeOptions extends DrillClusterOptions {
  /** Where the kubeconfig is written (mode 0600; its directory 0700). */
  kubeconfigPath: string;
  /** Switched on once the cluster runs. */
  scenarios?: ScenarioName[];
  /**
   * Run a real Prometheus (and Alertmanager) behind monitoring/prometheus (and
   * monitoring/alertmanager) when Debian's binaries are installed: scraping this cluster's
   * exporter and evaluating `rulesFile` (the runbook's generated rules), kept in `dir`.
   */
  monitoringStack?: { rulesFile: string; dir: string; scrapeIntervalSeconds?: number };
}

export const RESET_DESCRIPTION =
  'Rebuilds codesign-production from its seed: every object (new pod names, rollout history back to revision 4, kubectl changes undone), the simulated clock, and all scenarios switched off. The kubeconfig and its token stay the same; incidents and evidence are not touched.';

export class DrillRuntime {
  private version = 1;
  private readonly listeners = new Set<() => void>();
  private unsubscribeWorld: (() => void) | undefined;
  private resetting: Promise<void> | undefined;
  private monitoring: Promise<MonitoringStack | undefined> | undefined;
  /** Why the drill's own Prometheus is not running, when it was asked for and is not. */
  monitoringProblem: string | undefined;

  private constructor(
    private current: DrillCluster,
    private readonly options: DrillRuntimeOptions,
  ) {
    this.watchWorld();
  }

  static async start(given: DrillRuntimeOptions): Promise<DrillRuntime> {
    // One monitoring proxy for the runtime's life, so what is registered outlives a reset.
    const options = { ...given, monitoring: given.monitoring ?? new MonitoringProxy() };
    const cluster = await DrillCluster.start(options);
    try {
      await mkdir(path.dirname(options.kubeconfigPath), { recursive: true, mode: 0o700 });
      await cluster.writeKubeconfig(options.kubeconfigPath);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    const runtime = new DrillRuntime(cluster, options);
    for (const name of options.scenarios ?? []) runtime.setScenario(name, true);
    // In the background: the cluster is usable before Prometheus has started.
    if (options.monitoringStack) runtime.monitoring = runtime.startMonitoring(options.monitoringStack);
    return runtime;
  }

  private async startMonitoring(config: NonNullable<DrillRuntimeOptions['monitoringStack']>): Promise<MonitoringStack | undefined> {
    const binaries = findMonitoringBinaries();
    if (!binaries.prometheus) {
      this.monitoringProblem = 'prometheus is not installed: monitoring/prometheus has nothing behind it';
      return undefined;
    }
    try {
      const rules = await readFile(config.rulesFile, 'utf8');
      const stack = await startMonitoringStack({
        target: { url: this.current.url, token: this.current.token, caCertificate: this.current.caCertificate },
        rules,
        dir: config.dir,
        binaries,
        ...(config.scrapeIntervalSeconds !== undefined ? { scrapeIntervalSeconds: config.scrapeIntervalSeconds } : {}),
      });
      this.current.monitoring.register({ prometheus: stack.prometheusUrl, ...(stack.alertmanagerUrl ? { alertmanager: stack.alertmanagerUrl } : {}) });
      return stack;
    } catch (error) {
      this.monitoringProblem = `the drill's Prometheus did not start: ${error instanceof Error ? error.message : String(error)}`;
      return undefined;
    }
  }

  get cluster(): DrillCluster {
    return this.current;
  }

  get kubeconfigPath(): string {
    return this.options.kubeconfigPath;
  }

  state(): DrillControlState {
    const { scenarios } = this.current.world;
    const active = new Set(scenarios.active());
    const endings = scenarios.endings?.() ?? new Map();
    return {
      version: this.version,
      apiUrl: this.current.url,
      restored: this.current.persistence.restored,
      ...(this.current.persistence.file ? { stateFile: this.current.persistence.file } : {}),
      ...(this.current.persistence.problem ? { restoreProblem: this.current.persistence.problem } : {}),
      resetDescription: RESET_DESCRIPTION,
      ...(this.current.databases ? { backends: this.current.databases.status() } : {}),
      scenarios: SCENARIO_NAMES.map((name) => {
        const since = active.has(name) ? scenarios.since?.(name) : undefined;
        const ended = active.has(name) ? undefined : endings.get(name);
        return { name, active: active.has(name), ...(since !== undefined ? { since } : {}), ...(ended ? { ended } : {}) };
      }),
    };
  }

  /** Calls `listener` after every change of `state()`. */
  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setScenario(name: ScenarioName, active: boolean): DrillControlState {
    if (active) this.current.world.scenarios.inject(name);
    else this.current.world.scenarios.clear(name);
    // Worlds without onDidChange (stubs) still move the version.
    if (!this.current.world.scenarios.onDidChange) this.changed();
    return this.state();
  }

  /** Stops the cluster and starts it fresh from its seed on the same port, with the same token. */
  async reset(): Promise<DrillControlState> {
    this.resetting ??= (async () => {
      const { port, token } = this.current;
      this.unsubscribeWorld?.();
      await this.current.stop();
      if (this.options.stateFile) await removeClusterState(this.options.stateFile);
      this.current = await DrillCluster.start({ ...this.options, port, token });
      this.watchWorld();
      this.changed();
    })().finally(() => (this.resetting = undefined));
    await this.resetting;
    return this.state();
  }

  async stop(): Promise<void> {
    await this.resetting;
    await (await this.monitoring)?.stop();
    this.unsubscribeWorld?.();
    this.listeners.clear();
    await this.current.stop();
  }

  private watchWorld(): void {
    const unsubscribeScenarios = this.current.world.scenarios.onDidChange?.(() => this.changed());
    const unsubscribeDatabases = this.current.databases?.onDidChange(() => this.changed());
    this.unsubscribeWorld = () => {
      unsubscribeScenarios?.();
      unsubscribeDatabases?.();
    };
  }

  private changed(): void {
    this.version++;
    for (const listener of [...this.listeners]) listener();
  }
}
