import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DrillStatus } from '../../shared/contexts';
import { CockpitFailure } from '../../shared/result';
import type { Logger } from '../app/logger';
import { DrillCluster, type DrillClusterOptions } from '../drill/cluster';
import { SCENARIO_NAMES, type ScenarioName } from '../drill/types';

/**
 * The embedded drill cluster as the app runs it: started in the background at launch, its
 * kubeconfig written (0600) under the data dir so a shell's kubectl can reach it too, stopped on
 * quit. A start failure is kept and shown, never thrown at the user's first click.
 */
export class DrillContext {
  private cluster: DrillCluster | undefined;
  private starting: Promise<DrillCluster | undefined> | undefined;
  private error: string | undefined;
  readonly kubeconfigPath: string;

  constructor(
    dataDir: string,
    private readonly logger: Logger,
    private readonly options: DrillClusterOptions = {},
  ) {
    this.kubeconfigPath = path.join(dataDir, 'drill', 'kubeconfig');
  }

  start(): Promise<DrillCluster | undefined> {
    this.starting ??= (async () => {
      try {
        const cluster = await DrillCluster.start(this.options);
        await mkdir(path.dirname(this.kubeconfigPath), { recursive: true, mode: 0o700 });
        await cluster.writeKubeconfig(this.kubeconfigPath);
        this.cluster = cluster;
        this.logger.info('drill.started', { url: cluster.url, kubeconfig: this.kubeconfigPath });
        return cluster;
      } catch (error) {
        this.error = error instanceof Error ? error.message : String(error);
        this.logger.error('drill.failed', { message: this.error });
        return undefined;
      }
    })();
    return this.starting;
  }

  async kubeconfig(): Promise<string | undefined> {
    return (await this.start())?.kubeconfig('drill');
  }

  async status(): Promise<DrillStatus> {
    const cluster = await this.start();
    if (!cluster) return { running: false, scenarios: [], ...(this.error ? { error: this.error } : {}) };
    const active = new Set(cluster.world.scenarios.active());
    return {
      running: true,
      url: cluster.url,
      kubeconfigPath: this.kubeconfigPath,
      scenarios: SCENARIO_NAMES.map((name) => ({ name, active: active.has(name) })),
    };
  }

  async setScenario(name: ScenarioName, active: boolean): Promise<DrillStatus> {
    const cluster = await this.start();
    if (!cluster) throw new CockpitFailure('Unavailable', `the drill cluster is not running${this.error ? `: ${this.error}` : ''}`);
    if (active) cluster.world.scenarios.inject(name);
    else cluster.world.scenarios.clear(name);
    this.logger.info('drill.scenario', { name, active });
    return this.status();
  }

  async stop(): Promise<void> {
    const cluster = await this.starting;
    await cluster?.stop();
  }
}
