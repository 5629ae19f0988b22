/**
 * The one place the logs tests start the drill cluster. It imports the drill package's internals, in process;
 * when the drill moves to packages/drill-cluster (its own process), only this file changes.
 */
import { DrillCluster, type DrillClusterOptions } from '../../../packages/drill-cluster/src/cluster';
import { RESOURCE_KEYS } from '../../../packages/drill-cluster/src/resources';
import { DrillApiServer } from '../../../packages/drill-cluster/src/server';
import { sharedServingCertificate } from '../../../packages/drill-cluster/src/serving-certificate';
import type { KubeObject, PodStreamHandler } from '../../../packages/drill-cluster/src/types';
import { rolloutRestart } from '../../../packages/drill-cluster/src/world/kubectl-actions';

export const DRILL_NS = 'codesign-production';

export interface LogsDrill {
  url: string;
  token: string;
  kubeconfig(contextName?: string): string;
  pods(namespace?: string): KubeObject[];
  /** `kubectl rollout restart deployment/<name>`. */
  rolloutRestart(deployment: string): void;
  /** Stops the API server (cutting every log stream), runs `whileDown`, and starts it again on the same port. */
  restartApiServer(whileDown?: () => void | Promise<void>): Promise<void>;
  setScenario(name: 'memory-leak' | 'error-spike', active: boolean): void;
  stop(): Promise<void>;
}

export async function startLogsDrill(options: DrillClusterOptions = {}): Promise<LogsDrill> {
  const cluster = await DrillCluster.start({ postgres: 'none', redis: 'none', ...options });
  const internals = cluster as unknown as { server: DrillApiServer; streams: PodStreamHandler };
  const port = cluster.port;
  return {
    url: cluster.url,
    token: cluster.token,
    kubeconfig: (contextName = 'drill') => cluster.kubeconfig(contextName),
    pods: (namespace = DRILL_NS) => cluster.store.list(RESOURCE_KEYS.pods, namespace),
    rolloutRestart: (deployment) => void rolloutRestart(cluster.store, DRILL_NS, deployment, cluster.world.clock.now()),
    async restartApiServer(whileDown) {
      await internals.server.close();
      await whileDown?.();
      internals.server = await DrillApiServer.listen({
        store: cluster.store,
        token: cluster.token,
        world: cluster.world,
        streams: internals.streams,
        tls: await sharedServingCertificate(),
        port,
      });
    },
    setScenario: (name, active) => (active ? cluster.world.scenarios.inject(name) : cluster.world.scenarios.clear(name)),
    stop: () => cluster.stop(),
  };
}
