/**
 * One list + watch of one kind in one namespace (client-go's reflector): LIST, then WATCH from
 * the list's resourceVersion with bookmarks; a watch the server ends is resumed from the last
 * position, a cut connection is retried with backoff, and a 410 (position expired) relists and
 * reports only what differs from the cache. Events that arrive together are applied with one
 * `applyWatchEvents` and published as one change.
 */
import { RESOURCES, collectionPath, type ResourceName } from '../../shared/k8s/resources';
import type { KubeObject } from '../../shared/k8s/objects';
import { applyWatchEvents, diffLists, emptyList, listOf, type ObjectList, type WatchEvent } from '../../shared/k8s/watch';
import type { InformerState } from '../../shared/contract/cluster';
import { Disposable, Emitter, toDisposable, type Event } from '../../shared/lifetimes';
import type { CockpitError } from '../../shared/result';
import type { Logger } from '../app/logger';
import { KubeRequestFailure, type KubeClient, type WatchHandle } from './kube-client';

export interface InformerChange {
  resourceVersion: string;
  upserted: KubeObject[];
  deleted: string[];
}

export interface InformerStatus {
  state: InformerState;
  error?: CockpitError;
  attempt?: number;
}

export interface InformerOptions {
  /** First retry delay; doubles per failure up to `maxBackoffMs` (defaults 200 ms and 2 s, so a restarted server is back within seconds). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Retry delay after 401 / 403 / 404 (default 30 s): the user's rights rarely change by the second. */
  deniedRetryMs?: number;
  /** Page size of LIST (default 2000). */
  pageSize?: number;
  /** The server ends each watch after about this long; we then resume (default 300 s). */
  watchTimeoutSeconds?: number;
  /** Dispose the client (its keep-alive sockets) with the informer. */
  ownsClient?: boolean;
}

export class Informer extends Disposable {
  private current: ObjectList = emptyList();
  private status: InformerStatus = { state: 'listing' };
  private everSynced = false;
  private watchHandle: WatchHandle | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private pending: WatchEvent[] = [];
  private flushScheduled = false;
  private relistRequested = false;
  private stopped = false;
  private readonly didChange = this.register(new Emitter<InformerChange>());
  private readonly didChangeStatus = this.register(new Emitter<InformerStatus>());
  private readonly didSync = this.register(new Emitter<void>());
  /** Counts for tests and the bench: LIST calls, watches opened, 410 relists. */
  readonly stats = { lists: 0, watches: 0, relists: 0 };

  readonly onDidChange: Event<InformerChange> = this.didChange.event;
  readonly onDidChangeStatus: Event<InformerStatus> = this.didChangeStatus.event;
  /** Fires once, after the first LIST. */
  readonly onDidSync: Event<void> = this.didSync.event;

  constructor(
    private readonly client: KubeClient,
    readonly resource: ResourceName,
    readonly namespace: string,
    private readonly logger: Logger,
    private readonly options: InformerOptions = {},
  ) {
    super();
    this.register(
      toDisposable(() => {
        this.stopped = true;
        this.watchHandle?.abort();
        clearTimeout(this.retryTimer);
        this.wakeRetry?.();
        if (this.options.ownsClient) this.client.dispose();
      }),
    );
  }

  get list(): ObjectList {
    return this.current;
  }

  get synced(): boolean {
    return this.everSynced;
  }

  get state(): InformerStatus {
    return this.status;
  }

  start(): this {
    void this.run();
    return this;
  }

  private get scope() {
    return { resource: this.resource, namespace: RESOURCES[this.resource].namespaced ? this.namespace : undefined };
  }

  private setStatus(status: InformerStatus): void {
    if (this.stopped) return;
    if (status.state === this.status.state && status.error?.message === this.status.error?.message && status.attempt === this.status.attempt) return;
    this.status = status;
    this.didChangeStatus.fire(status);
  }

  private async run(): Promise<void> {
    let attempt = 0;
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          if (!this.everSynced) this.setStatus({ state: 'listing' });
          await this.relist();
          needList = false;
        }
        if (this.stopped) return;
        this.setStatus({ state: 'watching' });
        attempt = 0;
        const gone = await this.watchOnce();
        if (gone) {
          this.stats.relists++;
          this.logger.info('informer.relist', { resource: this.resource, namespace: this.namespace, reason: '410' });
          needList = true;
        }
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof KubeRequestFailure && error.status === 410) {
          this.stats.relists++;
          needList = true;
          continue;
        }
        attempt++;
        const cockpitError: CockpitError =
          error instanceof KubeRequestFailure ? error.toError() : { code: 'Internal', message: error instanceof Error ? error.message : String(error), ...this.scope };
        const denied = error instanceof KubeRequestFailure && [401, 403, 404].includes(error.status ?? 0);
        const exec = error instanceof KubeRequestFailure && error.health === 'exec-failed';
        const delay =
          denied || exec
            ? (this.options.deniedRetryMs ?? 30_000)
            : Math.min(this.options.maxBackoffMs ?? 2000, (this.options.initialBackoffMs ?? 200) * 2 ** (attempt - 1));
        this.setStatus({ state: denied || exec ? 'failed' : 'reconnecting', error: cockpitError, attempt });
        if (attempt === 1 || attempt % 10 === 0) this.logger.warn('informer.retry', { resource: this.resource, namespace: this.namespace, attempt, code: cockpitError.code, message: cockpitError.message });
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = setTimeout(resolve, ms);
    });
  }

  /** LISTs every page; after the first list, publishes only the difference from the cache. */
  private async relist(): Promise<void> {
    this.stats.lists++;
    const path = collectionPath(RESOURCES[this.resource], this.namespace);
    const items: KubeObject[] = [];
    let resourceVersion = '';
    let next: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(this.options.pageSize ?? 2000) });
      if (next) query.set('continue', next);
      const page = await this.client.getJson<{ items?: KubeObject[]; metadata?: { resourceVersion?: string; continue?: string } }>(`${path}?${query}`, this.scope);
      if (this.stopped) return;
      for (const item of page.items ?? []) items.push(slim(item));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      next = page.metadata?.continue || undefined;
    } while (next);
    const fresh = listOf(items, resourceVersion);
    const before = this.current;
    this.current = fresh;
    this.pending = [];
    if (!this.everSynced) {
      this.everSynced = true;
      this.didSync.fire();
      return;
    }
    const diff = diffLists(before, fresh);
    if (diff.upserted.length || diff.deleted.length) this.didChange.fire({ resourceVersion, ...diff });
  }

  /** One watch from the current position; resolves true when the server says the position is gone. */
  private async watchOnce(): Promise<boolean> {
    this.stats.watches++;
    const path = collectionPath(RESOURCES[this.resource], this.namespace);
    const query = new URLSearchParams({
      watch: '1',
      resourceVersion: this.current.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(this.options.watchTimeoutSeconds ?? 300),
    });
    this.relistRequested = false;
    const handle = await this.client.watch(`${path}?${query}`, (event) => this.enqueue(event as WatchEvent), this.scope);
    if (this.stopped) {
      handle.abort();
      return false;
    }
    this.watchHandle = handle;
    try {
      await handle.done;
    } finally {
      this.watchHandle = undefined;
      this.flush();
    }
    return this.relistRequested;
  }

  private enqueue(event: WatchEvent): void {
    if (this.stopped || this.relistRequested) return;
    if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') event = { type: event.type, object: slim(event.object) };
    this.pending.push(event);
    if (event.type === 'ERROR') {
      this.flush();
      return;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0 || this.stopped) return;
    const events = this.pending;
    this.pending = [];
    const applied = applyWatchEvents(this.current, events);
    this.current = applied.list;
    if (applied.upserted.length || applied.deleted.length) {
      this.didChange.fire({ resourceVersion: applied.list.resourceVersion, upserted: applied.upserted, deleted: applied.deleted });
    }
    if (applied.relist) {
      this.relistRequested = true;
      this.watchHandle?.abort();
    } else if (applied.error) {
      this.logger.warn('informer.watch-error', { resource: this.resource, namespace: this.namespace, code: applied.error.code, message: applied.error.message });
      this.watchHandle?.abort();
    }
  }
}

const SECRET_ENV = /pass|secret|token|key|credential|auth/i;

/**
 * Drops what no view needs (managedFields, the last-applied annotation) and masks env values
 * whose names look secret, so neither memory nor the renderer carries them.
 */
export function slim(object: KubeObject): KubeObject {
  const metadata = object.metadata;
  let changed = false;
  let nextMeta = metadata;
  if (metadata && ('managedFields' in metadata || metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'])) {
    const { managedFields: _managed, ...rest } = metadata;
    nextMeta = rest as typeof metadata;
    if (rest.annotations?.['kubectl.kubernetes.io/last-applied-configuration']) {
      const { 'kubectl.kubernetes.io/last-applied-configuration': _last, ...annotations } = rest.annotations;
      nextMeta = { ...rest, annotations };
    }
    changed = true;
  }
  let spec = object.spec as { containers?: Array<{ env?: Array<{ name: string; value?: string }> }>; template?: unknown } | undefined;
  const masked = maskPodSpecEnv(spec);
  if (masked !== spec) {
    spec = masked;
    changed = true;
  }
  const template = (spec as { template?: { spec?: unknown } } | undefined)?.template;
  if (template?.spec) {
    const maskedTemplate = maskPodSpecEnv(template.spec as Parameters<typeof maskPodSpecEnv>[0]);
    if (maskedTemplate !== template.spec) {
      spec = { ...spec, template: { ...template, spec: maskedTemplate } };
      changed = true;
    }
  }
  return changed ? { ...object, metadata: nextMeta, spec } : object;
}

function maskPodSpecEnv<T extends { containers?: Array<{ env?: Array<{ name: string; value?: string }> }> } | undefined>(spec: T): T {
  if (!spec?.containers?.some((c) => c.env?.some((e) => e.value !== undefined && SECRET_ENV.test(e.name)))) return spec;
  return {
    ...spec,
    containers: spec.containers.map((c) => ({ ...c, env: c.env?.map((e) => (e.value !== undefined && SECRET_ENV.test(e.name) ? { ...e, value: '••••••' } : e)) })),
  };
}
