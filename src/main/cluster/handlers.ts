import type { clusterStreams } from '../../shared/contract/cluster';
import type { StreamProviders } from '../host/dispatcher';
import type { ClusterService } from './cluster-service';

/** `cluster:` streams: informer-backed lists and Top, for the current context. */
export function clusterProviders(cluster: ClusterService): Pick<StreamProviders, keyof typeof clusterStreams> {
  return {
    'cluster:watch': (input, sink) => cluster.watch(input, sink),
    'cluster:top': (input, sink) => cluster.top(input, sink),
  };
}
