/**
 * Alerts for the current context: where its Prometheus (and Alertmanager) is — saved settings,
 * else the preconfigured drill source, else a `prometheus` / `alertmanager` service found in the
 * cluster — then a poll on an interval that every `alerts:watch` subscriber shares: firing and
 * pending alerts grouped by name, Alertmanager's groups and silences, and the runbook's threshold
 * readings with a sparkline of the last hour. When Prometheus is unreachable or erroring the last
 * good data is kept and marked stale with when it was good; the next good poll clears it. The
 * poller and its sockets live in the context's scope, so a context switch stops them.
 */
import { alertMeaning, levelOf } from '../../shared/alerts/rules';
import {
  AlertSettingsSchema,
  type AlertEndpoint,
  type AlertsEvent,
  type AlertSettings,
  type AlertsSnapshot,
  type AlertSourceInfo,
  type AlertSourceOrigin,
  type Silence,
  type ThresholdReading,
} from '../../shared/contract/alerts';
import type { IncidentRecordBodies } from '../../shared/incidents/model';
import { toDisposable, type IDisposable } from '../../shared/lifetimes';
import { CockpitFailure, type CockpitError } from '../../shared/result';
import type { Runbook, SeverityId } from '../../shared/runbook/schema';
import type { Logger } from '../app/logger';
import { DRILL_CONTEXT, type ContextService } from '../contexts/context-service';
import type { StreamSink } from '../host/dispatcher';
import type { RecordLog } from '../incidents/record-log';
import { alertmanagerGroups, groupAlerts } from './alert-grouping';
import type { AlertSettingsStore } from './alert-settings';
import { AlertmanagerClient, PrometheusClient } from './alert-source';
import { ServiceProxyTransport, UrlTransport, type AlertHttpTransport } from './http-transport';

export interface AlertsServiceDeps {
  contexts: Pick<ContextService, 'current' | 'scope' | 'kubeConfig' | 'client'>;
  settings: AlertSettingsStore;
  runbook: Runbook | undefined;
  /** Declares incidents (absent when the runbook failed to load). */
  incidents?: { declare(input: { title: string; severity: SeverityId; summary?: string }): Promise<{ id: string }> };
  log: Pick<RecordLog, 'append'>;
  logger: Logger;
  /** Settings a context has without any saved (the drill, pointed at a known Prometheus). */
  preconfigured?: (context: string) => AlertSettings | undefined;
  now?: () => number;
  /** Default poll interval when the settings name none (10 s). */
  defaultIntervalMs?: number;
  /** How often the sparklines' `query_range` runs (60 s). */
  sparklineIntervalMs?: number;
  requestTimeoutMs?: number;
}

/**
 * The drill context's preconfigured source: the Prometheus (and Alertmanager) that scrape the
 * drill's exporter, named by `COCKPIT_PROMETHEUS_URL` / `COCKPIT_ALERTMANAGER_URL` (the test
 * harnesses start them; a developer points them at a local one). Other contexts get nothing.
 */
export function drillAlertSettings(env: NodeJS.ProcessEnv): (context: string) => AlertSettings | undefined {
  const prometheus = env.COCKPIT_PROMETHEUS_URL;
  const alertmanager = env.COCKPIT_ALERTMANAGER_URL;
  const settings = AlertSettingsSchema.safeParse({
    ...(prometheus ? { prometheus: { kind: 'url', url: prometheus } } : {}),
    ...(alertmanager ? { alertmanager: { kind: 'url', url: alertmanager } } : {}),
    ...(env.COCKPIT_ALERTS_INTERVAL_SECONDS ? { intervalSeconds: Number(env.COCKPIT_ALERTS_INTERVAL_SECONDS) } : {}),
  });
  return (context) => (context === DRILL_CONTEXT && settings.success && settings.data.prometheus ? settings.data : undefined);
}

const SPARKLINE_WINDOW_S = 3600;
/** How often a discovered (or missing) source is looked for again. */
const REDISCOVER_MS = 30_000;
const SPARKLINE_STEP_S = 60;

function toError(error: unknown): CockpitError {
  if (error instanceof CockpitFailure) return { code: error.code, message: error.message };
  return { code: 'Internal', message: error instanceof Error ? error.message : String(error) };
}

interface ResolvedSource {
  info: AlertSourceInfo;
  prometheus?: PrometheusClient;
  alertmanager?: AlertmanagerClient;
}

/** One context's shared poll. */
class ContextAlertPoller implements IDisposable {
  /** Each subscriber's listener and what tells it the poll is gone. */
  private readonly subscribers = new Map<(event: AlertsEvent) => void, () => void>();
  private timer: NodeJS.Timeout | undefined;
  private source: ResolvedSource | undefined;
  private resolving: Promise<ResolvedSource> | undefined;
  private disposed = false;
  private polling = false;
  last: AlertsEvent | undefined;
  private lastGood: AlertsSnapshot | undefined;
  private stale: AlertsSnapshot['stale'];
  private sparklines = new Map<string, Array<[number, number]>>();
  /** Readings of each poll since the last `query_range`, so the line moves between its minute refreshes. */
  private recent = new Map<string, Array<[number, number]>>();
  private lastReadings = new Map<string, ThresholdReading>();
  private sparklinesAt = 0;
  private resolvedAt = 0;
  /** Fires once the poller is gone (context changed, settings changed, last subscriber left). */
  onDispose: (() => void) | undefined;

  constructor(
    readonly context: string,
    private readonly service: AlertsService,
    private readonly deps: AlertsServiceDeps,
  ) {}

  subscribe(listener: (event: AlertsEvent) => void, onEnd: () => void): IDisposable {
    this.subscribers.set(listener, onEnd);
    if (this.last) listener(this.last);
    if (!this.timer && !this.polling) void this.tick();
    return toDisposable(() => {
      this.subscribers.delete(listener);
      if (this.subscribers.size === 0) this.dispose();
    });
  }

  get listeners(): number {
    return this.subscribers.size;
  }

  async resolved(): Promise<ResolvedSource> {
    const now = this.deps.now?.() ?? Date.now();
    // A source found by looking (or not found) is looked for again now and then: a Prometheus or
    // Alertmanager that appears later (the drill's own starting up) is picked up by itself.
    const looked = this.source && (this.source.info.origin === 'discovered' || this.source.info.origin === 'none');
    if (looked && this.resolving && now - this.resolvedAt >= REDISCOVER_MS) {
      const previous = this.source as ResolvedSource;
      this.resolvedAt = now;
      this.resolving = this.service.resolveSource(this.context).then(
        (s) => {
          if (this.disposed || JSON.stringify(s.info) === JSON.stringify(previous.info)) {
            s.prometheus?.dispose();
            s.alertmanager?.dispose();
            return previous;
          }
          previous.prometheus?.dispose();
          previous.alertmanager?.dispose();
          this.deps.logger.info('alerts.source-changed', { context: this.context, prometheus: s.info.prometheus ?? 'none', alertmanager: s.info.alertmanager ?? 'none' });
          this.source = s;
          return s;
        },
        () => previous,
      );
    }
    if (!this.resolving) this.resolvedAt = now;
    this.resolving ??= this.service.resolveSource(this.context).then((s) => {
      if (this.disposed) {
        s.prometheus?.dispose();
        s.alertmanager?.dispose();
      }
      this.source = s;
      return s;
    });
    return this.resolving;
  }

  private get intervalMs(): number {
    const seconds = this.source?.info.settings.intervalSeconds;
    return seconds ? seconds * 1000 : (this.deps.defaultIntervalMs ?? 10_000);
  }

  private async tick(): Promise<void> {
    if (this.disposed) return;
    this.polling = true;
    try {
      const event = await this.poll();
      if (this.disposed) return;
      this.last = event;
      for (const listener of [...this.subscribers.keys()]) listener(event);
    } catch (error) {
      this.deps.logger.error('alerts.poll-crashed', { context: this.context, message: toError(error).message });
    } finally {
      this.polling = false;
      if (!this.disposed) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          void this.tick();
        }, this.intervalMs);
        this.timer.unref?.();
      }
    }
  }

  /** One refresh: alerts, Alertmanager, readings. Exposed for the benchmark and declare-from-alert. */
  async poll(): Promise<AlertsEvent> {
    const source = await this.resolved();
    const now = this.deps.now?.() ?? Date.now();
    if (!source.prometheus) return { type: 'unconfigured', context: this.context, source: source.info };
    const prometheus = source.prometheus;
    const runbook = this.deps.runbook;
    // Until a line has two points (a fresh Prometheus), ask again each poll; then once a minute.
    const thin = this.sparklines.size === 0 || [...this.sparklines.values()].some((line) => line.length < 2);
    const wantSparklines = thin || now - this.sparklinesAt >= (this.deps.sparklineIntervalMs ?? 60_000);
    const [alerts, am, readings] = await Promise.all([
      prometheus.alerts().then(
        (a) => ({ ok: true as const, a }),
        (error: unknown) => ({ ok: false as const, error: toError(error) }),
      ),
      source.alertmanager?.groups().then(
        (g) => ({ ok: true as const, g }),
        (error: unknown) => ({ ok: false as const, error: toError(error) }),
      ),
      Promise.all((runbook?.thresholds ?? []).map((t) => this.reading(prometheus, t, now, wantSparklines))),
    ]);
    if (wantSparklines && readings.some((r) => !r.error)) this.sparklinesAt = now;
    const at = new Date(now).toISOString();
    if (!alerts.ok) {
      this.stale = { since: this.stale?.since ?? at, ...(this.lastGood ? { lastGoodAt: this.lastGood.at } : {}), error: alerts.error };
      if (!this.lastGood || this.stale.since === at) this.deps.logger.warn('alerts.stale', { context: this.context, code: alerts.error.code, message: alerts.error.message });
      const base = this.lastGood ?? { type: 'snapshot' as const, context: this.context, source: source.info, at, groups: [], thresholds: readings.map((r) => ({ ...r, value: undefined, level: 'unknown' as const })) };
      return { ...base, source: source.info, stale: this.stale };
    }
    if (this.stale) this.deps.logger.info('alerts.recovered', { context: this.context, staleSince: this.stale.since });
    this.stale = undefined;
    const shaped = am?.ok ? alertmanagerGroups(am.g) : undefined;
    const snapshot: AlertsSnapshot = {
      type: 'snapshot',
      context: this.context,
      source: source.info,
      at,
      groups: groupAlerts(runbook, alerts.a, shaped?.silencedBy),
      ...(am ? { alertmanager: am.ok ? { groups: shaped!.groups } : { groups: [], error: am.error } } : {}),
      thresholds: readings,
    };
    this.lastGood = snapshot;
    return snapshot;
  }

  private async reading(prometheus: PrometheusClient, t: Runbook['thresholds'][number], now: number, wantSparkline: boolean): Promise<ThresholdReading> {
    const base = { id: t.id, metric: t.metric, unit: t.unit, warning: t.warning, critical: t.critical, warningText: t.warningText, criticalText: t.criticalText, promql: t.promql };
    const worst = `max(${t.promql})`;
    const endS = Math.floor(now / 1000);
    try {
      const [samples, range] = await Promise.all([
        prometheus.query(worst, now / 1000),
        wantSparkline ? prometheus.queryRange(worst, endS - SPARKLINE_WINDOW_S, endS, SPARKLINE_STEP_S) : Promise.resolve(undefined),
      ]);
      if (range) this.sparklines.set(t.id, (range[0]?.values ?? []).filter(([, v]) => Number.isFinite(v)));
      const value = samples.map((s) => s.value).filter(Number.isFinite)[0];
      // Each poll's reading is kept (the last 120) and drawn after the minute points older than them.
      const recent = (this.recent.get(t.id) ?? []).filter(([at]) => at < endS);
      if (value !== undefined) recent.push([endS, value]);
      this.recent.set(t.id, recent.slice(-120));
      const firstRecent = recent[0]?.[0] ?? Infinity;
      const line = [...(this.sparklines.get(t.id) ?? []).filter(([at]) => at < firstRecent), ...recent];
      const reading: ThresholdReading = { ...base, ...(value !== undefined ? { value } : {}), level: levelOf(t, value), sparkline: line.slice(-(SPARKLINE_WINDOW_S / SPARKLINE_STEP_S + 120)) };
      this.lastReadings.set(t.id, reading);
      return reading;
    } catch (error) {
      // Keep showing the last good reading, with why it is not fresh.
      const previous = this.lastReadings.get(t.id);
      return { ...base, ...(previous?.value !== undefined ? { value: previous.value } : {}), level: previous?.level ?? 'unknown', sparkline: previous?.sparkline ?? [], error: toError(error).message };
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    this.source?.prometheus?.dispose();
    this.source?.alertmanager?.dispose();
    const ends = [...this.subscribers.values()];
    this.subscribers.clear();
    this.onDispose?.();
    for (const end of ends) end();
  }
}

/** Where to look when nothing is set: the well-known service names and ports. */
const DISCOVERY = {
  prometheus: { name: /(^|-)prometheus($|-server$|-operated$)|^prometheus/, avoid: /alertmanager|operator|node-exporter|pushgateway|adapter|blackbox/, port: 9090 },
  alertmanager: { name: /alertmanager/, avoid: /operator/, port: 9093 },
} as const;

interface ServiceItem {
  metadata?: { name?: string; namespace?: string };
  spec?: { ports?: Array<{ name?: string; port?: number }> };
}

export class AlertsService {
  private readonly pollers = new Map<string, ContextAlertPoller>();

  constructor(private readonly deps: AlertsServiceDeps) {}

  private requireCurrent(context: string): void {
    if (this.deps.contexts.current !== context) {
      throw new CockpitFailure('Conflict', `context "${context}" is not the current one ("${this.deps.contexts.current ?? 'none'}")`, undefined, { context });
    }
  }

  private poller(context: string): ContextAlertPoller {
    this.requireCurrent(context);
    let poller = this.pollers.get(context);
    if (!poller) {
      const created = new ContextAlertPoller(context, this, this.deps);
      const scoped = this.deps.contexts.scope.add(created);
      created.onDispose = () => {
        this.deps.contexts.scope.release(scoped);
        if (this.pollers.get(context) === created) this.pollers.delete(context);
      };
      this.pollers.set(context, created);
      poller = created;
    }
    return poller;
  }

  /** `alerts:watch`: snapshots of the current context until it changes (then `end`). */
  watch(input: { context: string }, sink: StreamSink<AlertsEvent>): IDisposable {
    const poller = this.poller(input.context);
    // Each snapshot replaces the last: a reader that fell behind gets only the newest when it resumes.
    let held: AlertsEvent | undefined;
    const resumed = sink.onDidResume(() => {
      if (held && !sink.closed) sink.emit(held);
      held = undefined;
    });
    const subscription = poller.subscribe(
      (event) => {
        if (sink.paused) held = event;
        else sink.emit(event);
      },
      () => {
        if (!sink.closed) sink.end(this.deps.contexts.current === input.context ? 'the alert source changed' : 'the context changed');
      },
    );
    return toDisposable(() => {
      resumed.dispose();
      subscription.dispose();
    });
  }

  /** Number of running polls (tests check nothing outlives its context). */
  get livePollers(): number {
    return this.pollers.size;
  }

  private transportFor(context: string, endpoint: AlertEndpoint): Promise<AlertHttpTransport> | AlertHttpTransport {
    const timeout = this.deps.requestTimeoutMs ?? 10_000;
    if (endpoint.kind === 'url') return new UrlTransport(new URL(endpoint.url), timeout);
    return this.deps.contexts.kubeConfig(context).then((config) => new ServiceProxyTransport(config, endpoint, timeout));
  }

  /** The settings in use for a context and their origin (saved → preconfigured → discovered → none). */
  async sourceSettings(context: string): Promise<{ origin: AlertSourceOrigin; settings: AlertSettings; note?: string }> {
    const saved = await this.deps.settings.get(context);
    if (saved?.prometheus || saved?.alertmanager) return { origin: 'saved', settings: saved };
    const pre = this.deps.preconfigured?.(context);
    if (pre?.prometheus) return { origin: 'preconfigured', settings: pre };
    try {
      const found = await this.discover(context);
      if (found.prometheus) return { origin: 'discovered', settings: found };
      return { origin: 'none', settings: {}, note: 'no service named like prometheus in the cluster; set a URL or a service' };
    } catch (error) {
      return { origin: 'none', settings: {}, note: `could not look for a prometheus service: ${toError(error).message}` };
    }
  }

  /** Finds `prometheus` / `alertmanager` services across namespaces (first match by name, port by name or number). */
  async discover(context: string): Promise<AlertSettings> {
    const client = await this.deps.contexts.client(context);
    try {
      const list = await client.getJson<{ items?: ServiceItem[] }>('/api/v1/services', { resource: 'services', namespace: '' });
      const pick = (rule: (typeof DISCOVERY)[keyof typeof DISCOVERY]): AlertEndpoint | undefined => {
        const items = (list.items ?? []).filter((s) => rule.name.test(s.metadata?.name ?? '') && !rule.avoid.test(s.metadata?.name ?? ''));
        items.sort((a, b) => (a.metadata?.name ?? '').length - (b.metadata?.name ?? '').length);
        const svc = items[0];
        if (!svc?.metadata?.name || !svc.metadata.namespace) return undefined;
        const ports = svc.spec?.ports ?? [];
        const port = ports.find((p) => p.port === rule.port) ?? ports.find((p) => p.name === 'web' || p.name === 'http') ?? ports[0];
        if (!port?.port) return undefined;
        return { kind: 'service', namespace: svc.metadata.namespace, service: svc.metadata.name, port: port.port };
      };
      const prometheus = pick(DISCOVERY.prometheus);
      const alertmanager = pick(DISCOVERY.alertmanager);
      return { ...(prometheus ? { prometheus } : {}), ...(alertmanager ? { alertmanager } : {}) };
    } finally {
      client.dispose();
    }
  }

  /** Builds the clients for a context's source (the poller owns and disposes them). */
  async resolveSource(context: string): Promise<ResolvedSource> {
    const { origin, settings, note } = await this.sourceSettings(context);
    const prometheus = settings.prometheus ? new PrometheusClient(await this.transportFor(context, settings.prometheus)) : undefined;
    const alertmanager = settings.alertmanager ? new AlertmanagerClient(await this.transportFor(context, settings.alertmanager)) : undefined;
    const info: AlertSourceInfo = {
      context,
      origin,
      settings,
      ...(prometheus ? { prometheus: prometheus.description } : {}),
      ...(alertmanager ? { alertmanager: alertmanager.description } : {}),
      ...(note ? { note } : {}),
    };
    return { info, ...(prometheus ? { prometheus } : {}), ...(alertmanager ? { alertmanager } : {}) };
  }

  async source(context: string): Promise<AlertSourceInfo> {
    const source = await this.resolveSource(context);
    source.prometheus?.dispose();
    source.alertmanager?.dispose();
    return source.info;
  }

  async saveSettings(context: string, settings: AlertSettings): Promise<AlertSourceInfo> {
    await this.deps.settings.set(context, settings);
    this.deps.logger.info('alerts.settings-saved', { context, prometheus: settings.prometheus?.kind ?? 'none', alertmanager: settings.alertmanager?.kind ?? 'none' });
    // The running poll used the old source: stop it; its subscribers are told and resubscribe.
    this.pollers.get(context)?.dispose();
    return this.source(context);
  }

  private async withAlertmanager<T>(context: string, run: (am: AlertmanagerClient) => Promise<T>): Promise<T> {
    const source = await this.resolveSource(context);
    source.prometheus?.dispose();
    const am = source.alertmanager;
    if (!am) throw new CockpitFailure('Unavailable', `no Alertmanager is set or found for context "${context}": add one in the Alerts panel's source settings`, undefined, { context });
    try {
      return await run(am);
    } finally {
      am.dispose();
    }
  }

  silences(context: string): Promise<Silence[]> {
    return this.withAlertmanager(context, async (am) => (await am.silences()).sort((a, b) => b.startsAt.localeCompare(a.startsAt)));
  }

  async silence(input: {
    context: string;
    matchers: Silence['matchers'];
    durationMinutes: number;
    comment: string;
    incidentId?: string | undefined;
    actor: string;
  }): Promise<Silence> {
    const now = this.deps.now?.() ?? Date.now();
    const body = {
      matchers: input.matchers,
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + input.durationMinutes * 60_000).toISOString(),
      createdBy: input.actor,
      comment: input.comment,
    };
    return this.withAlertmanager(input.context, async (am) => {
      const id = await am.createSilence(body);
      this.deps.logger.info('alerts.silenced', { context: input.context, silenceId: id, incidentId: input.incidentId ?? null });
      if (input.incidentId) {
        const record: IncidentRecordBodies['alert.silenced'] = { silenceId: id, ...body, alertmanager: am.description };
        delete (record as Partial<typeof record> & { createdBy?: string }).createdBy;
        await this.deps.log.append(input.incidentId, { type: 'alert.silenced', body: record, actor: input.actor, context: { context: input.context } });
      }
      this.pollers.get(input.context)?.poll().catch(() => undefined);
      return { id, state: 'active', ...body };
    });
  }

  async expireSilence(input: { context: string; silenceId: string; incidentId?: string | undefined; actor: string }): Promise<{ expired: string }> {
    return this.withAlertmanager(input.context, async (am) => {
      await am.expireSilence(input.silenceId);
      this.deps.logger.info('alerts.silence-expired', { context: input.context, silenceId: input.silenceId });
      if (input.incidentId) {
        const record: IncidentRecordBodies['alert.silence-expired'] = { silenceId: input.silenceId, alertmanager: am.description };
        await this.deps.log.append(input.incidentId, { type: 'alert.silence-expired', body: record, actor: input.actor, context: { context: input.context } });
      }
      return { expired: input.silenceId };
    });
  }

  /** Declares an incident from an alert of the latest poll, with the runbook's severity and the readings in its timeline. */
  async declareIncident(input: { context: string; alertKey: string; title?: string | undefined; severity?: SeverityId | undefined }): Promise<{ incidentId: string; severity: SeverityId }> {
    const incidents = this.deps.incidents;
    if (!incidents) throw new CockpitFailure('Unavailable', 'incidents cannot be declared: the runbook did not load');
    const running = this.pollers.get(input.context);
    let event = running?.last;
    if (!event || event.type !== 'snapshot' || !event.groups.some((g) => g.alerts.some((a) => a.key === input.alertKey))) {
      // No live view (or it has not seen this alert yet): one fresh poll.
      const once = new ContextAlertPoller(input.context, this, this.deps);
      try {
        event = await once.poll();
      } finally {
        once.dispose();
      }
    }
    if (event.type !== 'snapshot') throw new CockpitFailure('Unavailable', `no Prometheus is set or found for context "${input.context}"`, undefined, { context: input.context });
    const alert = event.groups.flatMap((g) => g.alerts).find((a) => a.key === input.alertKey);
    if (!alert) throw new CockpitFailure('NotFound', `the alert is no longer firing or pending in ${event.source.prometheus ?? 'Prometheus'}`, undefined, { context: input.context });
    const meaning = alertMeaning(this.deps.runbook, alert.name, alert.labels);
    const severity = input.severity ?? meaning.incidentSeverity ?? 'SEV3';
    const summary = alert.annotations.summary ?? alert.annotations.description;
    const incident = await incidents.declare({
      title: input.title ?? `${alert.name}${summary ? `: ${summary}` : ''}`.slice(0, 200),
      severity,
      ...(alert.annotations.description ? { summary: alert.annotations.description } : {}),
    });
    const record: IncidentRecordBodies['alert.attached'] = {
      alert: {
        name: alert.name,
        state: alert.state,
        labels: alert.labels,
        annotations: alert.annotations,
        ...(alert.activeAt ? { activeAt: alert.activeAt } : {}),
        ...(alert.value !== undefined ? { value: alert.value } : {}),
      },
      readings: event.thresholds.map((r) => ({ id: r.id, metric: r.metric, unit: r.unit, ...(r.value !== undefined ? { value: r.value } : {}), level: r.level, warningText: r.warningText, criticalText: r.criticalText })),
      source: event.source.prometheus ?? '',
    };
    await this.deps.log.append(incident.id, { type: 'alert.attached', body: record, context: { context: input.context } });
    this.deps.logger.info('alerts.incident-declared', { context: input.context, incidentId: incident.id, alert: alert.name, severity });
    return { incidentId: incident.id, severity };
  }
}
