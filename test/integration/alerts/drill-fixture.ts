/**
 * The one place the alerts tests start the drill cluster. It imports the drill package's internals, in process;
 * when the drill moves to packages/drill-cluster (its own process), only this file changes.
 */
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import type { MonitoringAddresses } from '../../../packages/drill-cluster/src/monitoring-proxy';
import type { ScenarioName } from '../../../packages/drill-cluster/src/types';

export interface AlertsDrill {
  /** `https://127.0.0.1:<port>`: the exporter is `<url>/drill/metrics`, bearer `token`, CA `caCertificate`. */
  url: string;
  token: string;
  caCertificate: string;
  kubeconfig(contextName?: string): string;
  setScenario(name: ScenarioName, active: boolean): void;
  /** What the drill's monitoring/prometheus and monitoring/alertmanager services proxy to ("" removes). */
  registerMonitoring(addresses: MonitoringAddresses): void;
  stop(): Promise<void>;
}

export async function startAlertsDrill(options: { speed?: number } = {}): Promise<AlertsDrill> {
  const cluster = await DrillCluster.start({ postgres: 'none', redis: 'none', ...(options.speed ? { speed: options.speed } : {}) });
  return {
    url: cluster.url,
    token: cluster.token,
    caCertificate: cluster.caCertificate,
    kubeconfig: (contextName = 'drill') => cluster.kubeconfig(contextName),
    setScenario: (name, active) => (active ? cluster.world.scenarios.inject(name) : cluster.world.scenarios.clear(name)),
    registerMonitoring: (addresses) => cluster.monitoring.register(addresses),
    stop: () => cluster.stop(),
  };
}
