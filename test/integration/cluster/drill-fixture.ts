/**
 * The one place the cluster tests start the drill cluster. It imports the drill package's internals (in process, so tests can restart its API server);
 * the app itself reaches the drill only through its entry, as its own process.
 */
import { DrillCluster, type DrillClusterOptions } from '../../../packages/drill-cluster/src/cluster';
import { RESOURCE_KEYS } from '../../../packages/drill-cluster/src/resources';
import { DrillApiServer } from '../../../packages/drill-cluster/src/server';
import { sharedServingCertificate } from '../../../packages/drill-cluster/src/serving-certificate';
import type { KubeObject, PodStreamHandler } from '../../../packages/drill-cluster/src/types';

export const DRILL_NS = 'codesign-production';

export interface DrillFixture {
  url: string;
  token: string;
  /** A kubeconfig (YAML) with one context named `contextName`. */
  kubeconfig(contextName?: string): string;
  /** Objects of a kind as the drill holds them now: `pods`, `configmaps`. */
  list(resource: 'pods' | 'configmaps' | 'deployments', namespace?: string): KubeObject[];
  /** Writes straight into the drill's store (as a controller would). */
  create(resource: 'pods' | 'configmaps', object: KubeObject): void;
  remove(resource: 'pods' | 'configmaps', namespace: string, name: string): void;
  /** Stops the API server (cutting every watch), runs `whileDown`, and starts it again on the same port, same objects. */
  restartApiServer(whileDown?: () => void | Promise<void>): Promise<void>;
  setScenario(name: 'memory-leak' | 'bad-deploy', active: boolean): void;
  stop(): Promise<void>;
}

export async function startDrill(options: DrillClusterOptions = {}): Promise<DrillFixture> {
  const cluster = await DrillCluster.start({ postgres: 'none', redis: 'none', ...options });
  const internals = cluster as unknown as { server: DrillApiServer; streams: PodStreamHandler };
  const port = cluster.port;
  const key = (resource: string) => RESOURCE_KEYS[resource as keyof typeof RESOURCE_KEYS];
  return {
    url: cluster.url,
    token: cluster.token,
    kubeconfig: (contextName = 'drill') => cluster.kubeconfig(contextName),
    list: (resource, namespace = DRILL_NS) => cluster.store.list(key(resource), namespace),
    create: (resource, object) => void cluster.store.create(key(resource), object),
    remove: (resource, namespace, name) => void cluster.store.delete(key(resource), namespace, name),
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
