/**
 * Informers for the current context, shared by every view that lists the same kind in the same
 * namespace, and the streams that carry them to the renderer as one `reset` then diffs. All of
 * it lives in the context's scope: switching context disposes the informers and ends the
 * streams (`context changed`), so no event of the old context reaches a new view.
 */
import type { ClusterWatchEvent, NodeUsage, PodUsage, TopEvent, UsageFigures } from '../../shared/contract/cluster';
import { asList, asObj, objectKey, specOf, statusOf, str, type KubeObject } from '../../shared/k8s/objects';
import { parseQuantity } from '../../shared/k8s/quantities';
import { RESOURCES, type ResourceName } from '../../shared/k8s/resources';
import { DisposableStore, toDisposable, type IDisposable } from '../../shared/lifetimes';
import { CockpitFailure } from '../../shared/result';
import type { Logger } from '../app/logger';
import type { ContextService } from '../contexts/context-service';
import type { StreamSink } from '../host/dispatcher';
import { Informer, type InformerOptions } from './informer';
import { KubeRequestFailure } from './kube-client';

interface SharedInformer {
  informer: Informer;
  refs: number;
  linger?: IDisposable;
}

export interface ClusterServiceOptions {
  /** How long an informer nobody watches is kept (default 30 s), so flipping between views is instant. */
  lingerMs?: number;
  informer?: InformerOptions;
  /** Coalescing window for diffs sent to one stream (default 50 ms). */
  flushMs?: number;
  /** Objects per `reset` / `reset-more` event (default 500). */
  resetPageSize?: number;
}

const RESET_PAGE = 500;

export class ClusterService {
  private informers = new Map<string, SharedInformer>();
  private informersScope: DisposableStore | undefined;

  constructor(
    private readonly deps: { contexts: ContextService; logger: Logger },
    private readonly options: ClusterServiceOptions = {},
  ) {}

  /** Informers alive now (tests count them after a context switch). */
  get informerCount(): number {
    return this.informers.size;
  }

  /**
   * A shared informer for `resource` in `namespace` of the current context; dispose the handle to
   * release it. Refused (Conflict) when `context` is not the current one.
   */
  async acquire(context: string, resource: ResourceName, namespace: string): Promise<{ informer: Informer; handle: IDisposable }> {
    const { contexts } = this.deps;
    await contexts.list();
    if (contexts.current !== context) {
      throw new CockpitFailure('Conflict', `context "${context}" is no longer the current one ("${contexts.current ?? 'none'}")`, undefined, { context, resource, namespace });
    }
    const scope = contexts.scope;
    if (this.informersScope !== scope) {
      this.informers = new Map();
      this.informersScope = scope;
      const map = this.informers;
      scope.addFn(() => map.clear());
    }
    const ns = RESOURCES[resource].namespaced ? namespace : '';
    const key = `${resource}|${ns}`;
    let shared = this.informers.get(key);
    if (!shared) {
      const client = await contexts.client(context);
      if (contexts.current !== context) throw new CockpitFailure('Conflict', `context "${context}" changed while starting`, undefined, { context, resource, namespace });
      const informer = scope.add(new Informer(client, resource, ns, this.deps.logger, { ...this.options.informer, ownsClient: true }).start());
      shared = { informer, refs: 0 };
      this.informers.set(key, shared);
    }
    shared.refs++;
    shared.linger?.dispose();
    delete shared.linger;
    const entry = shared;
    const map = this.informers;
    const handle = toDisposable(() => {
      entry.refs--;
      if (entry.refs > 0 || scope.isDisposed) return;
      const timer = setTimeout(() => {
        if (entry.refs > 0) return;
        map.delete(key);
        scope.delete(entry.informer);
      }, this.options.lingerMs ?? 30_000);
      timer.unref?.();
      entry.linger = scope.addFn(() => clearTimeout(timer));
    });
    return { informer: shared.informer, handle };
  }

  /** The `cluster:watch` stream: state, one reset once listed, then coalesced diffs; ends on context change. */
  async watch(input: { context: string; resource: ResourceName; namespace: string }, sink: StreamSink<ClusterWatchEvent>): Promise<IDisposable> {
    const { informer, handle } = await this.acquire(input.context, input.resource, input.namespace);
    const store = new DisposableStore();
    store.add(handle);
    const scope = this.deps.contexts.scope;
    const onScopeEnd = scope.addFn(() => {
      sink.end('context changed');
      store.dispose();
    });
    store.add(toDisposable(() => scope.release(onScopeEnd)));
    store.add(this.deps.contexts.onDidChangeContext((change) => {
      if (change.reason === 'namespace' && RESOURCES[input.resource].namespaced && change.namespace !== input.namespace) sink.end('namespace changed');
    }));

    const upserts = new Map<string, KubeObject>();
    const deletes = new Set<string>();
    let resourceVersion = '';
    let timer: NodeJS.Timeout | undefined;
    let reset = false;
    const flush = () => {
      timer = undefined;
      if (!reset || sink.paused || sink.closed || (upserts.size === 0 && deletes.size === 0)) return;
      sink.emit({ type: 'diff', resourceVersion, upserted: [...upserts.values()], deleted: [...deletes] });
      upserts.clear();
      deletes.clear();
    };
    store.add(toDisposable(() => clearTimeout(timer)));
    const sendReset = () => {
      if (reset || sink.closed) return;
      reset = true;
      upserts.clear();
      deletes.clear();
      const items = [...informer.list.items.values()];
      const page = this.options.resetPageSize ?? RESET_PAGE;
      sink.emit({ type: 'reset', resourceVersion: informer.list.resourceVersion, items: items.slice(0, page), total: items.length, complete: items.length <= page });
      for (let i = page; i < items.length; i += page) sink.emit({ type: 'reset-more', items: items.slice(i, i + page), complete: i + page >= items.length });
    };
    store.add(informer.onDidChange((change) => {
      if (!reset) return;
      resourceVersion = change.resourceVersion;
      for (const object of change.upserted) {
        const key = objectKey(object);
        deletes.delete(key);
        upserts.set(key, object);
      }
      for (const key of change.deleted) {
        upserts.delete(key);
        deletes.add(key);
      }
      timer ??= setTimeout(flush, this.options.flushMs ?? 50);
    }));
    store.add(sink.onDidResume(() => flush()));
    store.add(informer.onDidChangeStatus((status) => sink.emit({ type: 'state', ...status })));
    store.add(informer.onDidSync(() => sendReset()));
    sink.emit({ type: 'state', ...informer.state });
    if (informer.synced) sendReset();
    return store;
  }

  /** The `cluster:top` stream: a reading now and every interval, pods joined with their requests and limits. */
  async top(input: { context: string; namespace: string; intervalSeconds?: number | undefined }, sink: StreamSink<TopEvent>): Promise<IDisposable> {
    const pods = await this.acquire(input.context, 'pods', input.namespace);
    const store = new DisposableStore();
    store.add(pods.handle);
    let nodes: Awaited<ReturnType<ClusterService['acquire']>> | undefined;
    try {
      nodes = await this.acquire(input.context, 'nodes', '');
      store.add(nodes.handle);
    } catch {
      /* nodes stay unknown; pods still get a reading */
    }
    const scope = this.deps.contexts.scope;
    const onScopeEnd = scope.addFn(() => {
      sink.end('context changed');
      store.dispose();
    });
    store.add(toDisposable(() => scope.release(onScopeEnd)));
    const client = await this.deps.contexts.client(input.context);
    store.add(toDisposable(() => client.dispose()));
    const base = '/apis/metrics.k8s.io/v1beta1';
    let stopped = false;
    store.add(toDisposable(() => (stopped = true)));
    const read = async () => {
      if (stopped || sink.closed) return;
      try {
        const podPath = input.namespace ? `${base}/namespaces/${encodeURIComponent(input.namespace)}/pods` : `${base}/pods`;
        const podMetrics = await client.getJson<{ items?: KubeObject[] }>(podPath, { resource: 'pods.metrics.k8s.io', namespace: input.namespace });
        let nodeMetrics: KubeObject[] = [];
        let nodesError;
        try {
          nodeMetrics = (await client.getJson<{ items?: KubeObject[] }>(`${base}/nodes`, { resource: 'nodes.metrics.k8s.io' })).items ?? [];
        } catch (error) {
          nodesError = error instanceof CockpitFailure ? error.toError() : { code: 'Internal' as const, message: String(error) };
        }
        if (stopped || sink.closed) return;
        sink.emit({
          type: 'reading',
          at: new Date().toISOString(),
          pods: podUsage(podMetrics.items ?? [], pods.informer.list.items),
          nodes: nodeUsage(nodeMetrics, nodes?.informer.list.items ?? new Map()),
          ...(nodesError ? { nodesError } : {}),
        });
      } catch (error) {
        if (stopped || sink.closed) return;
        if (error instanceof KubeRequestFailure && error.status === 404) {
          sink.emit({
            type: 'unavailable',
            error: { ...error.toError(), message: `${input.context}: this cluster does not serve metrics.k8s.io/v1beta1, so there is no CPU or memory to show; install metrics-server (kubectl top needs it too)` },
          });
        } else {
          sink.emit({ type: 'unavailable', error: error instanceof CockpitFailure ? error.toError() : { code: 'Internal', message: String(error) } });
        }
      }
    };
    // The first reading waits for the pod list, so requests and limits are known.
    const first = pods.informer.synced ? Promise.resolve() : new Promise<void>((resolve) => store.add(pods.informer.onDidSync(() => resolve())));
    void first.then(read);
    const interval = setInterval(() => void read(), (input.intervalSeconds ?? 15) * 1000);
    store.add(toDisposable(() => clearInterval(interval)));
    return store;
  }
}

function containerResources(container: Record<string, unknown>): Omit<UsageFigures, 'cpu' | 'memory'> {
  const resources = asObj(container.resources);
  const requests = asObj(resources.requests);
  const limits = asObj(resources.limits);
  const figures: Omit<UsageFigures, 'cpu' | 'memory'> = {};
  const set = (key: keyof typeof figures, value: unknown) => {
    const parsed = parseQuantity(value as string | undefined);
    if (parsed !== undefined) figures[key] = parsed;
  };
  set('cpuRequest', requests.cpu);
  set('cpuLimit', limits.cpu);
  set('memoryRequest', requests.memory);
  set('memoryLimit', limits.memory);
  return figures;
}

const sumDefined = (values: Array<number | undefined>): number | undefined => (values.some((v) => v === undefined) || values.length === 0 ? undefined : values.reduce<number>((a, b) => a + (b ?? 0), 0));

/** metrics.k8s.io PodMetrics joined with each pod's container requests and limits. */
export function podUsage(metrics: KubeObject[], pods: ReadonlyMap<string, KubeObject>): PodUsage[] {
  return metrics.map((m) => {
    const pod = pods.get(objectKey(m));
    const specs = new Map(asList(pod ? specOf(pod).containers : []).map((c) => [str(c.name), c]));
    const containers = asList((m as Record<string, unknown>).containers).map((c) => {
      const usage = asObj(c.usage);
      const spec = specs.get(str(c.name));
      return { name: str(c.name), cpu: parseQuantity(str(usage.cpu)) ?? 0, memory: parseQuantity(str(usage.memory)) ?? 0, ...(spec ? containerResources(spec) : {}) };
    });
    const total: PodUsage = {
      namespace: m.metadata.namespace ?? '',
      name: m.metadata.name,
      cpu: containers.reduce((a, c) => a + c.cpu, 0),
      memory: containers.reduce((a, c) => a + c.memory, 0),
      containers,
    };
    const node = pod ? str(specOf(pod).nodeName) : '';
    if (node) total.node = node;
    for (const key of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
      const value = sumDefined(containers.map((c) => c[key]));
      if (value !== undefined) total[key] = value;
    }
    return total;
  });
}

export function nodeUsage(metrics: KubeObject[], nodes: ReadonlyMap<string, KubeObject>): NodeUsage[] {
  return metrics.map((m) => {
    const usage = asObj((m as Record<string, unknown>).usage);
    const node = nodes.get(m.metadata.name);
    const allocatable = node ? asObj(statusOf(node).allocatable) : {};
    const result: NodeUsage = { name: m.metadata.name, cpu: parseQuantity(str(usage.cpu)) ?? 0, memory: parseQuantity(str(usage.memory)) ?? 0 };
    const cpu = parseQuantity(str(allocatable.cpu) || undefined);
    const memory = parseQuantity(str(allocatable.memory) || undefined);
    if (cpu !== undefined) result.cpuAllocatable = cpu;
    if (memory !== undefined) result.memoryAllocatable = memory;
    return result;
  });
}
