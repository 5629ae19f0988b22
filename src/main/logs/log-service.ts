/**
 * Log views for the current context: each opened by a `logs:view` subscription and living as
 * long as it does, registered in the context's scope (a context switch ends them), paused when
 * the subscriber falls behind. Window reads, filters, exports and captures go to a view by id.
 */
import { randomBytes } from 'node:crypto';
import type { LogOptions, LogSource, LogViewEvent } from '../../shared/contract/logs';
import { toDisposable, type IDisposable } from '../../shared/lifetimes';
import { CockpitFailure } from '../../shared/result';
import type { Logger } from '../app/logger';
import type { ClusterService } from '../cluster/cluster-service';
import type { ContextService } from '../contexts/context-service';
import type { EvidenceService } from '../evidence/evidence-service';
import type { StreamSink } from '../host/dispatcher';
import { FilterThread } from './filter-thread';
import { describeFilter, filterEngine } from './log-filter';
import { LogView } from './log-view';

export interface LogServiceDeps {
  contexts: Pick<ContextService, 'list' | 'current' | 'scope' | 'kubeConfig' | 'client'>;
  evidence: Pick<EvidenceService, 'addFile'>;
  /** The cluster domain's shared informers: a view finds its pods in the namespace's pod informer. */
  cluster: Pick<ClusterService, 'acquire'>;
  logger: Logger;
}

const MAX_EXPORT_BYTES = 16 * 1024 * 1024;

export class LogService implements IDisposable {
  private readonly views = new Map<string, LogView>();
  /** Every view's second thread for full filter passes: started with the first view, stopped with the service. */
  private readonly filterThread: FilterThread;

  constructor(private readonly deps: LogServiceDeps) {
    this.filterThread = new FilterThread(deps.logger);
  }

  /** Stops the filter thread (quit); views end with their context's scope. */
  dispose(): void {
    this.filterThread.dispose();
  }

  /** Views open now (tests count them after a context switch). */
  get viewCount(): number {
    return this.views.size;
  }

  /** Opens a view for the subscriber; refused with the reason when the pod, container or workload is not there. */
  async open(input: { context: string; namespace: string; source: LogSource; options?: LogOptions | undefined }, sink: StreamSink<LogViewEvent>): Promise<IDisposable> {
    const { contexts, logger } = this.deps;
    await contexts.list();
    if (contexts.current !== input.context) {
      throw new CockpitFailure('Conflict', `context "${input.context}" is no longer the current one ("${contexts.current ?? 'none'}")`, undefined, { context: input.context, namespace: input.namespace });
    }
    const scope = contexts.scope;
    const [config, client, pods] = await Promise.all([contexts.kubeConfig(input.context), contexts.client(input.context), this.deps.cluster.acquire(input.context, 'pods', input.namespace)]);
    const id = `log-${randomBytes(6).toString('hex')}`;
    const view = new LogView({
      id,
      context: input.context,
      namespace: input.namespace,
      source: input.source,
      options: input.options ?? {},
      config,
      client,
      pods: pods.informer,
      logger,
      filterThread: this.filterThread,
    });
    this.filterThread.warm();
    let closed = false;
    const close = (reason?: string) => {
      if (closed) return;
      closed = true;
      this.views.delete(id);
      view.dispose();
      pods.handle.dispose();
      client.dispose();
      if (reason) sink.end(reason);
      logger.info('logs.closed', { view: id, lines: view.ring.nextSeq, reason: reason ?? 'unsubscribed' });
    };
    try {
      await view.start();
    } catch (error) {
      close();
      throw error;
    }
    if (scope.isDisposed || contexts.current !== input.context) {
      close();
      throw new CockpitFailure('Conflict', `context "${input.context}" changed while the view opened`, undefined, { context: input.context });
    }
    this.views.set(id, view);
    const inScope = scope.addFn(() => close('context changed'));
    view.onDidReport((event) => sink.emit(event));
    sink.onDidPause(() => view.pause());
    sink.onDidResume(() => view.resume());
    sink.emit({ type: 'opened', viewId: id, context: input.context, namespace: input.namespace, description: view.describe() });
    logger.info('logs.opened', { view: id, context: input.context, namespace: input.namespace, source: view.describe() });
    return toDisposable(() => {
      inScope.dispose();
      close();
    });
  }

  view(viewId: string): LogView {
    const view = this.views.get(viewId);
    if (!view) throw new CockpitFailure('NotFound', `no log view "${viewId}" (it was closed, or its context changed)`);
    return view;
  }

  setFilter(viewId: string, filter: Parameters<LogView['setFilter']>[0]) {
    const view = this.view(viewId);
    const result = view.setFilter(filter);
    return { ...result, engine: filterEngine(view.compiledFilter) };
  }

  /** The shown lines as a file's text, refused above 16 MiB (capture to the incident instead). */
  export(viewId: string, filtered: boolean, timestamps: boolean): { name: string; text: string; lines: number } {
    const view = this.view(viewId);
    view.drain(true);
    const parts: string[] = [];
    let bytes = 0;
    let lines = 0;
    for (const seq of view.shownSeqs(filtered)) {
      const line = `${view.lineText(seq, timestamps)}\n`;
      bytes += line.length;
      if (bytes > MAX_EXPORT_BYTES) {
        throw new CockpitFailure('Invalid', `the shown lines are more than ${MAX_EXPORT_BYTES / 1024 / 1024} MiB; filter them down, or capture them to the incident`);
      }
      parts.push(line);
      lines++;
    }
    return { name: `${fileStem(view.describe())}-${stampForFile(new Date())}.log`, text: parts.join(''), lines };
  }

  /**
   * Seals lines into the incident's evidence: a header with the query, context, namespace, time
   * range and line count, then the lines. The evidence store redacts secrets in text attachments.
   */
  async capture(input: { viewId: string; incidentId: string; filtered: boolean; lastMinutes?: number | undefined; range?: { fromSeq: number; toSeq: number } | undefined }) {
    const view = this.view(input.viewId);
    view.drain(true);
    const fromTime = input.lastMinutes !== undefined ? Date.now() - input.lastMinutes * 60_000 : undefined;
    const seqs = [...view.shownSeqs(input.filtered, fromTime, input.range)];
    if (seqs.length === 0) throw new CockpitFailure('Invalid', 'there are no lines to capture (nothing matches, or nothing arrived in that time)');
    let first = Infinity;
    let last = -Infinity;
    for (const seq of seqs) {
      const time = view.ring.timeAt(seq);
      if (Number.isNaN(time)) continue;
      if (time < first) first = time;
      if (time > last) last = time;
    }
    const from = Number.isFinite(first) ? new Date(first).toISOString() : null;
    const to = Number.isFinite(last) ? new Date(last).toISOString() : null;
    const query = input.filtered ? describeFilter(view.currentFilter) : 'all lines';
    const header = [
      '# Incident Cockpit log capture',
      `# context: ${view.context}`,
      `# namespace: ${view.namespace}`,
      `# source: ${view.describe()}`,
      `# query: ${query}${input.lastMinutes !== undefined ? `, last ${input.lastMinutes} min` : ''}${input.range ? `, lines ${input.range.fromSeq}–${input.range.toSeq}` : ''}`,
      `# time range: ${from ?? '(no stamps)'} – ${to ?? '(no stamps)'}`,
      `# lines: ${seqs.length}`,
      '',
    ].join('\n');
    const name = `logs-${fileStem(view.describe())}-${seqs.length}-lines.log`;
    let bytes = 0;
    const chunks = (async function* () {
      yield Buffer.from(header);
      let batch: string[] = [];
      for (const seq of seqs) {
        batch.push(view.lineText(seq, true));
        if (batch.length === 2000) {
          const buf = Buffer.from(`${batch.join('\n')}\n`);
          bytes += buf.length;
          yield buf;
          batch = [];
        }
      }
      if (batch.length) {
        const buf = Buffer.from(`${batch.join('\n')}\n`);
        bytes += buf.length;
        yield buf;
      }
    })();
    const record = await this.deps.evidence.addFile(
      input.incidentId,
      { name, stream: chunks },
      { title: `Logs ${view.describe()}: ${seqs.length} lines, ${query}`, context: { context: view.context, namespace: view.namespace } },
    );
    this.deps.logger.info('logs.captured', { view: view.id, incidentId: input.incidentId, lines: seqs.length });
    const body = record.body as { sha256?: string; size?: number };
    return { name, lines: seqs.length, bytes: body.size ?? bytes, sha256: body.sha256 ?? '', from, to };
  }
}

const fileStem = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'logs';
const stampForFile = (date: Date) => date.toISOString().replace(/[:.]/g, '-');
