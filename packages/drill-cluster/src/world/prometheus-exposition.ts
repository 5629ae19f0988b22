/**
 * Prometheus text exposition (format 0.0.4) of the simulated application and its platform:
 * request histogram and counters (app), cAdvisor and kube-state-metrics style container
 * series, node filesystems, postgres_exporter and redis_exporter series, cert-manager expiry.
 * Counters integrate the app model over simulated time, so they only ever grow, and the
 * runbook thresholds' PromQL (`THRESHOLD_PROMQL`) computes what the scenarios intend.
 */
import { RESOURCE_KEYS } from '../resources';
import type { DrillClock, ObjectStore } from '../types';
import { API_APP, API_NAMESPACE, type AppModel } from './app-model';
import type { NodeSlot } from './pod-lifecycle';
import type { PodSim } from './pod-sim';
import { GIB, MIB, parseQuantity } from './quantities';
import { parseTime } from './object-names';

export interface ThresholdQuery {
  /** The runbook's row in "Alert Thresholds". */
  metric: string;
  promql: string;
  warning: number;
  critical: number;
  unit: string;
}

/**
 * The runbook's six alert thresholds as the PromQL that computes them from this exposition.
 * The scenarios are designed against these: high-latency drives the first over 2 s, error-spike
 * the second over 10 %, and so on.
 */
export const THRESHOLD_PROMQL = {
  apiLatencyP95: {
    metric: 'API Response Time (P95)',
    promql: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="${API_NAMESPACE}",app="${API_APP}"}[5m])))`,
    warning: 2,
    critical: 5,
    unit: 's',
  },
  errorRate: {
    metric: 'Error Rate',
    promql: `100 * sum(rate(http_requests_total{namespace="${API_NAMESPACE}",app="${API_APP}",status=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="${API_NAMESPACE}",app="${API_APP}"}[5m]))`,
    warning: 5,
    critical: 10,
    unit: '%',
  },
  cpuUsage: {
    metric: 'CPU Usage',
    promql: `100 * sum(rate(container_cpu_usage_seconds_total{namespace="${API_NAMESPACE}",container="${API_APP}"}[5m])) / sum(kube_pod_container_resource_limits{namespace="${API_NAMESPACE}",container="${API_APP}",resource="cpu"})`,
    warning: 70,
    critical: 90,
    unit: '%',
  },
  memoryUsage: {
    metric: 'Memory Usage',
    promql: `100 * max(container_memory_working_set_bytes{namespace="${API_NAMESPACE}",container="${API_APP}"} / container_spec_memory_limit_bytes{namespace="${API_NAMESPACE}",container="${API_APP}"})`,
    warning: 80,
    critical: 95,
    unit: '%',
  },
  diskUsage: {
    metric: 'Disk Usage',
    promql: `100 * max((node_filesystem_size_bytes{mountpoint="/"} - node_filesystem_avail_bytes{mountpoint="/"}) / node_filesystem_size_bytes{mountpoint="/"})`,
    warning: 80,
    critical: 90,
    unit: '%',
  },
  postgresConnections: {
    metric: 'PostgreSQL Connections',
    promql: `sum(pg_stat_activity_count{datname="codesign_db"})`,
    warning: 150,
    critical: 190,
    unit: 'connections',
  },
} as const satisfies Record<string, ThresholdQuery>;

/** Upper bounds of the request duration histogram (seconds), as prometheus_client's defaults. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * The cumulative fraction of requests at or under each bucket bound, shaped so that
 * `histogram_quantile(0.95, ...)` interpolates exactly to `p95` (the curve is linear through
 * p95's bucket) and the rest follows a log-logistic curve through `p50`.
 */
export function latencyCdf(p50: number, p95: number): number[] {
  const bounds = LATENCY_BUCKETS;
  const k = bounds.findIndex((b) => b >= p95);
  if (k === -1) return bounds.map((b, i) => 0.9 * ((i + 1) / bounds.length) * Math.min(1, b / p95));
  if (k === 0) return bounds.map(() => 1);
  const a = bounds[k - 1] as number;
  const b = bounds[k] as number;
  const t = (p95 - a) / (b - a);
  const w = 0.04;
  const fa = 0.95 - w * t;
  const fb = 0.95 + w * (1 - t);
  const median = Math.min(p50, p95 * 0.9);
  const shape = Math.log(19) / Math.log(p95 / median);
  const logistic = (x: number): number => 1 / (1 + (median / x) ** shape);
  const scale = fa / logistic(a);
  return bounds.map((bound, i) => {
    if (i < k - 1) return Math.min(fa, logistic(bound) * scale);
    if (i === k - 1) return fa;
    if (i === k) return fb;
    return 1 - (1 - fb) * 0.25 ** (i - k);
  });
}

const METHODS: Array<[string, number]> = [
  ['GET', 0.7],
  ['POST', 0.3],
];

interface HistogramState {
  buckets: number[];
  sum: number;
  count: number;
}

function labelText(labels: Record<string, string | number>): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

function num(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(15)).toString();
}

export class PrometheusExporter {
  private lastAt: number;
  private readonly requests = new Map<string, number>();
  private readonly histograms = new Map<string, HistogramState>();
  private readonly cpuSeconds = new Map<string, number>();
  private readonly restarts = new Map<string, number>();
  private redisHits = 0;
  private redisMisses = 0;
  private redisCommands = 0;

  constructor(
    private readonly clock: DrillClock,
    private readonly app: AppModel,
    private readonly pods: () => Iterable<PodSim>,
    private readonly nodes: () => NodeSlot[],
    private readonly store: ObjectStore,
  ) {
    this.lastAt = clock.now();
  }

  /** Integrates counters from the last call up to now with the current state. */
  accumulate(): void {
    const now = this.clock.now();
    const dt = (now - this.lastAt) / 1000;
    if (dt <= 0) return;
    this.lastAt = now;
    const t = this.app.traffic();
    const total = t.rps * dt;
    const errors = total * t.errorRatio;
    const auth = Math.min(total - errors, total * t.authFailureRatio);
    const notFound = Math.min(total - errors - auth, total * 0.01);
    const ok = Math.max(0, total - errors - auth - notFound);
    const byStatus: Array<[string, number]> = [
      ['200', ok * 0.86],
      ['201', ok * 0.14],
      ['401', auth],
      ['404', notFound],
      ['500', errors * 0.6],
      ['502', errors * 0.1],
      ['503', errors * 0.3],
    ];
    const cdf = latencyCdf(t.latencySeconds.p50, t.latencySeconds.p95);
    const mean = t.latencySeconds.p50 * 1.15;
    for (const [method, share] of METHODS) {
      for (const [status, n] of byStatus) {
        const key = `${method}|${status}`;
        this.requests.set(key, (this.requests.get(key) ?? 0) + n * share);
      }
      const hist = this.histograms.get(method) ?? { buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
      const observed = total * share;
      hist.buckets = hist.buckets.map((v, i) => v + observed * (cdf[i] as number));
      hist.sum += observed * mean;
      hist.count += observed;
      this.histograms.set(method, hist);
    }
    const live = new Set<string>();
    for (const pod of this.pods()) {
      for (const c of pod.containers) {
        const key = `${pod.namespace}/${pod.name}/${c.name}`;
        live.add(key);
        this.cpuSeconds.set(key, (this.cpuSeconds.get(key) ?? 0) + this.app.cpuCores(pod, c) * dt);
      }
    }
    for (const key of this.cpuSeconds.keys()) {
      if (!live.has(key)) {
        this.cpuSeconds.delete(key);
        this.restarts.delete(key);
      }
    }
    this.redisCommands += t.rps * 3.2 * dt;
    this.redisHits += t.rps * 1.9 * dt;
    this.redisMisses += t.rps * 0.3 * dt;
  }

  text(): string {
    this.accumulate();
    const out: string[] = [];
    const family = (name: string, type: string, help: string): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    const sample = (name: string, labels: Record<string, string | number>, value: number): void => {
      out.push(`${name}${labelText(labels)} ${num(value)}`);
    };
    const app = { namespace: API_NAMESPACE, app: API_APP };

    family('http_requests_total', 'counter', 'HTTP requests handled by the application, by method and status code.');
    for (const [key, value] of [...this.requests.entries()].sort()) {
      const [method, status] = key.split('|') as [string, string];
      sample('http_requests_total', { ...app, method, status }, value);
    }
    family('http_request_duration_seconds', 'histogram', 'HTTP request duration in seconds.');
    for (const [method, hist] of [...this.histograms.entries()].sort()) {
      LATENCY_BUCKETS.forEach((le, i) => sample('http_request_duration_seconds_bucket', { ...app, method, le }, hist.buckets[i] as number));
      sample('http_request_duration_seconds_bucket', { ...app, method, le: '+Inf' }, hist.count);
      sample('http_request_duration_seconds_sum', { ...app, method }, hist.sum);
      sample('http_request_duration_seconds_count', { ...app, method }, hist.count);
    }

    const pods = [...this.pods()].filter((p) => p.nodeName);
    family('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.');
    for (const pod of pods) {
      for (const c of pod.containers) {
        const value = this.cpuSeconds.get(`${pod.namespace}/${pod.name}/${c.name}`);
        if (value !== undefined) sample('container_cpu_usage_seconds_total', this.containerLabels(pod, c.name), value);
      }
    }
    family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.');
    for (const pod of pods) {
      for (const c of pod.containers) {
        if (c.state === 'running') sample('container_memory_working_set_bytes', this.containerLabels(pod, c.name), Math.round(this.app.memoryBytes(pod, c)));
      }
    }
    family('container_spec_memory_limit_bytes', 'gauge', 'Memory limit for the container.');
    for (const pod of pods) {
      for (const c of pod.containers) {
        const limit = this.app.memoryLimitBytes(c);
        if (limit && c.state === 'running') sample('container_spec_memory_limit_bytes', this.containerLabels(pod, c.name), limit);
      }
    }
    for (const kind of ['limits', 'requests'] as const) {
      family(`kube_pod_container_resource_${kind}`, 'gauge', `The number of requested ${kind} resource by a container.`);
      for (const pod of pods) {
        if (pod.phase === 'Succeeded' || pod.phase === 'Failed') continue;
        for (const c of pod.containers) {
          const res = c.spec.resources?.[kind] ?? {};
          const cpu = parseQuantity(res.cpu);
          const memory = parseQuantity(res.memory);
          const labels = { ...this.containerLabels(pod, c.name), node: pod.nodeName ?? '' };
          if (cpu !== undefined) sample(`kube_pod_container_resource_${kind}`, { ...labels, resource: 'cpu', unit: 'core' }, cpu);
          if (memory !== undefined) sample(`kube_pod_container_resource_${kind}`, { ...labels, resource: 'memory', unit: 'byte' }, memory);
        }
      }
    }
    family('kube_pod_container_status_restarts_total', 'counter', 'The number of container restarts per container.');
    for (const pod of pods) {
      for (const c of pod.containers) {
        const key = `${pod.namespace}/${pod.name}/${c.name}`;
        const value = Math.max(this.restarts.get(key) ?? 0, c.restartCount);
        this.restarts.set(key, value);
        sample('kube_pod_container_status_restarts_total', this.containerLabels(pod, c.name), value);
      }
    }
    family('kube_pod_container_status_ready', 'gauge', 'Describes whether the containers readiness check succeeded.');
    for (const pod of pods) {
      for (const c of pod.containers) sample('kube_pod_container_status_ready', this.containerLabels(pod, c.name), c.ready ? 1 : 0);
    }
    this.deploymentSeries(family, sample);

    const now = this.clock.now();
    family('node_filesystem_size_bytes', 'gauge', 'Filesystem size in bytes.');
    const nodes = this.nodes();
    for (const n of nodes) sample('node_filesystem_size_bytes', this.fsLabels(n), 100 * GIB);
    family('node_filesystem_avail_bytes', 'gauge', 'Filesystem space available to non-root users in bytes.');
    nodes.forEach((n, i) => {
      const used = (0.38 + 0.04 * i) * 100 * GIB + ((now / 3_600_000) % 24) * 40 * MIB;
      sample('node_filesystem_avail_bytes', this.fsLabels(n), Math.round(100 * GIB - used));
    });

    const db = this.app.dbConnections();
    family('pg_up', 'gauge', 'Whether the last scrape of metrics from PostgreSQL was able to connect to the server.');
    sample('pg_up', {}, 1);
    family('pg_settings_max_connections', 'gauge', 'Sets the maximum number of concurrent connections.');
    sample('pg_settings_max_connections', { server: 'postgres:5432' }, db.maxConnections);
    family('pg_stat_activity_count', 'gauge', 'number of connections in this state');
    for (const state of ['active', 'idle', 'idle in transaction'] as const) {
      sample('pg_stat_activity_count', { datname: 'codesign_db', server: 'postgres:5432', state }, db.byState[state]);
    }
    sample('pg_stat_activity_count', { datname: 'codesign_db', server: 'postgres:5432', state: 'idle in transaction (aborted)' }, 0);

    const redis = pods.find((p) => p.app === 'redis');
    const redisMemory = redis?.containers[0] ? this.app.memoryBytes(redis, redis.containers[0]) * 0.8 : 0;
    family('redis_up', 'gauge', 'Information about the Redis instance');
    sample('redis_up', {}, redis && redis.phase === 'Running' ? 1 : 0);
    family('redis_connected_clients', 'gauge', 'connected_clients metric');
    sample('redis_connected_clients', {}, 6 + this.app.servingApiPods().length * 4);
    family('redis_memory_used_bytes', 'gauge', 'memory_used_bytes metric');
    sample('redis_memory_used_bytes', {}, Math.round(redisMemory));
    family('redis_memory_max_bytes', 'gauge', 'memory_max_bytes metric');
    sample('redis_memory_max_bytes', {}, 512 * MIB);
    family('redis_keyspace_hits_total', 'counter', 'keyspace_hits_total metric');
    sample('redis_keyspace_hits_total', {}, Math.floor(this.redisHits));
    family('redis_keyspace_misses_total', 'counter', 'keyspace_misses_total metric');
    sample('redis_keyspace_misses_total', {}, Math.floor(this.redisMisses));
    family('redis_commands_processed_total', 'counter', 'commands_processed_total metric');
    sample('redis_commands_processed_total', {}, Math.floor(this.redisCommands));

    family('certmanager_certificate_expiration_timestamp_seconds', 'gauge', 'The date after which the certificate expires. Expressed as a Unix Epoch Time.');
    for (const cert of this.store.list(RESOURCE_KEYS.certificates)) {
      const notAfter = parseTime((cert.status as Record<string, unknown> | undefined)?.notAfter);
      if (notAfter === undefined) continue;
      sample(
        'certmanager_certificate_expiration_timestamp_seconds',
        { name: cert.metadata.name, namespace: cert.metadata.namespace ?? '', issuer_name: 'letsencrypt-prod', issuer_kind: 'ClusterIssuer', issuer_group: 'cert-manager.io' },
        Math.floor(notAfter / 1000),
      );
    }
    return `${out.join('\n')}\n`;
  }

  private deploymentSeries(
    family: (name: string, type: string, help: string) => void,
    sample: (name: string, labels: Record<string, string | number>, value: number) => void,
  ): void {
    const deployments = this.store.list(RESOURCE_KEYS.deployments);
    family('kube_deployment_spec_replicas', 'gauge', 'Number of desired pods for a deployment.');
    for (const d of deployments) {
      sample('kube_deployment_spec_replicas', { namespace: d.metadata.namespace ?? '', deployment: d.metadata.name }, (d.spec as { replicas?: number }).replicas ?? 1);
    }
    family('kube_deployment_status_replicas_available', 'gauge', 'The number of available replicas per deployment.');
    for (const d of deployments) {
      const available = ((d.status ?? {}) as { availableReplicas?: number }).availableReplicas ?? 0;
      sample('kube_deployment_status_replicas_available', { namespace: d.metadata.namespace ?? '', deployment: d.metadata.name }, available);
    }
  }

  private containerLabels(pod: PodSim, container: string): Record<string, string> {
    return { namespace: pod.namespace, pod: pod.name, container };
  }

  private fsLabels(node: NodeSlot): Record<string, string> {
    return { instance: `${node.internalIP}:9100`, node: node.name, device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' };
  }
}
