/**
 * The Prometheus HTTP API (`/api/v1/alerts`, `query`, `query_range`) and Alertmanager's v2 API
 * (`alerts/groups`, `silences`) over one transport each. Answers are checked for their shape:
 * an error answer, a proxy's HTML page or a truncated body becomes a CockpitFailure saying which
 * endpoint answered what, never an exception from deep inside a poll.
 */
import type { Silence } from '../../shared/contract/alerts';
import { CockpitFailure } from '../../shared/result';
import type { AlertHttpTransport } from './http-transport';

export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'firing' | 'pending' | 'inactive';
  activeAt?: string;
  value?: string;
}

export interface InstantSample {
  metric: Record<string, string>;
  value: number;
}

export interface RangeSeries {
  metric: Record<string, string>;
  values: Array<[number, number]>;
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

export interface AlertmanagerGroupAnswer {
  labels: Record<string, string>;
  receiver: { name: string };
  alerts: AlertmanagerAlert[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringRecord = (v: unknown): Record<string, string> =>
  isRecord(v) ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};

function parseJson(description: string, what: string, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    const start = body.trimStart().slice(0, 1);
    throw new CockpitFailure('Unavailable', `${description} answered ${what} with ${start === '<' ? 'an HTML page' : 'something that is not JSON'} (is this a Prometheus / Alertmanager?)`);
  }
}

/** The Prometheus HTTP API v1 over a transport. */
export class PrometheusClient {
  constructor(private readonly transport: AlertHttpTransport) {}

  get description(): string {
    return this.transport.description;
  }

  private async api(path: string): Promise<unknown> {
    const answer = await this.transport.request('GET', path);
    const doc = answer.body ? parseJson(this.description, path.split('?')[0] as string, answer.body) : undefined;
    if (isRecord(doc) && doc.status === 'error') {
      throw new CockpitFailure(answer.status >= 500 ? 'Unavailable' : 'Invalid', `${this.description}: Prometheus answered ${answer.status}: ${String(doc.errorType ?? '')} ${String(doc.error ?? '')}`.trim());
    }
    if (answer.status >= 400 || !isRecord(doc)) {
      // The API server's service proxy answers with a Kubernetes Status saying why (no endpoints, connection refused).
      const why = isRecord(doc) && doc.kind === 'Status' && typeof doc.message === 'string' ? `: ${doc.message.slice(0, 300)}` : '';
      throw new CockpitFailure(answer.status === 404 ? 'NotFound' : 'Unavailable', `${this.description}: ${path.split('?')[0]} answered HTTP ${answer.status}${why}${answer.status === 404 ? ' (no Prometheus API there: check the URL, the service and its sub-path)' : ''}`);
    }
    return doc.data;
  }

  async alerts(): Promise<PrometheusAlert[]> {
    const data = await this.api('api/v1/alerts');
    const alerts = isRecord(data) && Array.isArray(data.alerts) ? data.alerts : undefined;
    if (!alerts) throw new CockpitFailure('Unavailable', `${this.description}: api/v1/alerts answered without an alerts list`);
    return alerts.filter(isRecord).map((a) => ({
      labels: stringRecord(a.labels),
      annotations: stringRecord(a.annotations),
      state: a.state === 'firing' || a.state === 'pending' ? a.state : 'inactive',
      ...(typeof a.activeAt === 'string' ? { activeAt: a.activeAt } : {}),
      ...(typeof a.value === 'string' ? { value: a.value } : {}),
    }));
  }

  async query(promql: string, at?: number): Promise<InstantSample[]> {
    const data = await this.api(`api/v1/query?query=${encodeURIComponent(promql)}${at === undefined ? '' : `&time=${at}`}`);
    if (!isRecord(data) || !Array.isArray(data.result)) return [];
    if (data.resultType === 'scalar' && Array.isArray(data.result)) return [{ metric: {}, value: Number(data.result[1]) }];
    return data.result.filter(isRecord).map((r) => ({ metric: stringRecord(r.metric), value: Number((r.value as unknown[] | undefined)?.[1]) }));
  }

  async queryRange(promql: string, start: number, end: number, stepSeconds: number): Promise<RangeSeries[]> {
    const data = await this.api(`api/v1/query_range?query=${encodeURIComponent(promql)}&start=${start}&end=${end}&step=${stepSeconds}`);
    if (!isRecord(data) || !Array.isArray(data.result)) return [];
    return data.result.filter(isRecord).map((r) => ({
      metric: stringRecord(r.metric),
      values: (Array.isArray(r.values) ? r.values : []).filter(Array.isArray).map((v) => [Number(v[0]), Number(v[1])] as [number, number]),
    }));
  }

  dispose(): void {
    this.transport.dispose();
  }
}

function silenceOf(s: Record<string, unknown>): Silence {
  const status = isRecord(s.status) ? s.status : {};
  return {
    id: String(s.id ?? ''),
    state: status.state === 'active' || status.state === 'pending' ? status.state : 'expired',
    matchers: (Array.isArray(s.matchers) ? s.matchers : []).filter(isRecord).map((m) => ({
      name: String(m.name ?? ''),
      value: String(m.value ?? ''),
      isRegex: m.isRegex === true,
      isEqual: m.isEqual !== false,
    })),
    startsAt: String(s.startsAt ?? ''),
    endsAt: String(s.endsAt ?? ''),
    createdBy: String(s.createdBy ?? ''),
    comment: String(s.comment ?? ''),
  };
}

/** Alertmanager's API v2 over a transport. */
export class AlertmanagerClient {
  constructor(private readonly transport: AlertHttpTransport) {}

  get description(): string {
    return this.transport.description;
  }

  private async call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    const answer = await this.transport.request(method, path, body);
    if (answer.status >= 400) {
      const detail = answer.body.trim().startsWith('<') ? '' : `: ${answer.body.trim().slice(0, 300)}`;
      throw new CockpitFailure(answer.status === 404 ? 'NotFound' : answer.status === 400 ? 'Invalid' : 'Unavailable', `${this.description}: Alertmanager answered ${method} ${path} with HTTP ${answer.status}${detail}`);
    }
    return answer.body ? parseJson(this.description, path, answer.body) : undefined;
  }

  async groups(): Promise<AlertmanagerGroupAnswer[]> {
    const doc = await this.call('GET', 'api/v2/alerts/groups');
    if (!Array.isArray(doc)) throw new CockpitFailure('Unavailable', `${this.description}: api/v2/alerts/groups answered without a list`);
    return doc.filter(isRecord).map((g) => ({
      labels: stringRecord(g.labels),
      receiver: { name: isRecord(g.receiver) ? String(g.receiver.name ?? '') : '' },
      alerts: (Array.isArray(g.alerts) ? g.alerts : []).filter(isRecord).map((a) => {
        const status = isRecord(a.status) ? a.status : {};
        return {
          labels: stringRecord(a.labels),
          annotations: stringRecord(a.annotations),
          startsAt: String(a.startsAt ?? ''),
          status: {
            state: status.state === 'suppressed' || status.state === 'unprocessed' ? status.state : 'active',
            silencedBy: Array.isArray(status.silencedBy) ? status.silencedBy.map(String) : [],
            inhibitedBy: Array.isArray(status.inhibitedBy) ? status.inhibitedBy.map(String) : [],
          },
        } satisfies AlertmanagerAlert;
      }),
    }));
  }

  async silences(): Promise<Silence[]> {
    const doc = await this.call('GET', 'api/v2/silences');
    if (!Array.isArray(doc)) throw new CockpitFailure('Unavailable', `${this.description}: api/v2/silences answered without a list`);
    return doc.filter(isRecord).map(silenceOf);
  }

  async createSilence(silence: Omit<Silence, 'id' | 'state'>): Promise<string> {
    const doc = await this.call('POST', 'api/v2/silences', silence);
    const id = isRecord(doc) ? doc.silenceID : undefined;
    if (typeof id !== 'string') throw new CockpitFailure('Unavailable', `${this.description}: Alertmanager created the silence but named no id`);
    return id;
  }

  async expireSilence(id: string): Promise<void> {
    await this.call('DELETE', `api/v2/silence/${encodeURIComponent(id)}`);
  }

  dispose(): void {
    this.transport.dispose();
  }
}
