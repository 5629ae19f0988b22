/**
 * Evaluates the runbook thresholds (`THRESHOLD_PROMQL`) by hand over two scrapes of the drill
 * exposition, with PromQL's semantics for exactly those six expressions (rate over the window,
 * sum / max, histogram_quantile's linear interpolation). For tests and offline checks where no
 * Prometheus runs.
 */
import { API_APP, API_NAMESPACE } from './app-model';
import type { THRESHOLD_PROMQL } from './prometheus-exposition';

export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export type ThresholdValues = Record<keyof typeof THRESHOLD_PROMQL, number>;

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/y;

/** Parses text format 0.0.4; throws on a line that is neither a comment nor a valid sample. */
export function parseExposition(text: string): ExpositionSample[] {
  const samples: ExpositionSample[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`exposition line ${index + 1} is malformed: ${line}`);
    const labels: Record<string, string> = {};
    const body = match[3] ?? '';
    LABEL_PAIR.lastIndex = 0;
    while (LABEL_PAIR.lastIndex < body.length) {
      const start = LABEL_PAIR.lastIndex;
      const pair = LABEL_PAIR.exec(body);
      if (!pair || pair.index !== start) throw new Error(`exposition line ${index + 1} has malformed labels: ${line}`);
      labels[pair[1] as string] = (pair[2] as string).replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const valueText = match[4] as string;
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`exposition line ${index + 1} has a bad value: ${line}`);
    samples.push({ name: match[1] as string, labels, value });
  }
  return samples;
}

function seriesKey(sample: ExpositionSample): string {
  return `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
}

function select(samples: ExpositionSample[], name: string, match: Record<string, string | RegExp>): ExpositionSample[] {
  return samples.filter(
    (s) =>
      s.name === name &&
      Object.entries(match).every(([k, v]) => (typeof v === 'string' ? s.labels[k] === v : v.test(s.labels[k] ?? ''))),
  );
}

/** `rate(x[window])` per series present in both scrapes (counters never reset here). */
function rates(before: ExpositionSample[], after: ExpositionSample[], windowSeconds: number): ExpositionSample[] {
  const old = new Map(before.map((s) => [seriesKey(s), s.value]));
  const out: ExpositionSample[] = [];
  for (const s of after) {
    const previous = old.get(seriesKey(s));
    if (previous !== undefined) out.push({ ...s, value: (s.value - previous) / windowSeconds });
  }
  return out;
}

const sum = (samples: ExpositionSample[]): number => samples.reduce((total, s) => total + s.value, 0);

/** PromQL's histogram_quantile over (le → cumulative rate) pairs. */
export function histogramQuantile(q: number, buckets: Array<{ le: number; value: number }>): number {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted[sorted.length - 1]?.value ?? 0;
  if (total === 0 || sorted.length < 2) return NaN;
  const rank = q * total;
  let index = sorted.findIndex((b) => b.value >= rank);
  if (index === -1) index = sorted.length - 1;
  const bucket = sorted[index] as { le: number; value: number };
  if (bucket.le === Infinity) return (sorted[sorted.length - 2] as { le: number }).le;
  const lowerBound = index === 0 ? 0 : (sorted[index - 1] as { le: number }).le;
  const lowerCount = index === 0 ? 0 : (sorted[index - 1] as { value: number }).value;
  return lowerBound + (bucket.le - lowerBound) * ((rank - lowerCount) / (bucket.value - lowerCount));
}

/** The six runbook figures, from a scrape `windowSeconds` before another (5m in the PromQL). */
export function evaluateThresholds(before: ExpositionSample[], after: ExpositionSample[], windowSeconds: number): ThresholdValues {
  const app = { namespace: API_NAMESPACE, app: API_APP };
  const container = { namespace: API_NAMESPACE, container: API_APP };
  const bucketRates = rates(select(before, 'http_request_duration_seconds_bucket', app), select(after, 'http_request_duration_seconds_bucket', app), windowSeconds);
  const byLe = new Map<number, number>();
  for (const s of bucketRates) {
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  const apiLatencyP95 = histogramQuantile(0.95, [...byLe.entries()].map(([le, value]) => ({ le, value })));

  const requestRates = rates(select(before, 'http_requests_total', app), select(after, 'http_requests_total', app), windowSeconds);
  const errorRate = (100 * sum(requestRates.filter((s) => /^5..$/.test(s.labels.status ?? '')))) / sum(requestRates);

  const cpuRates = rates(select(before, 'container_cpu_usage_seconds_total', container), select(after, 'container_cpu_usage_seconds_total', container), windowSeconds);
  const cpuUsage = (100 * sum(cpuRates)) / sum(select(after, 'kube_pod_container_resource_limits', { ...container, resource: 'cpu' }));

  const limits = new Map(
    select(after, 'container_spec_memory_limit_bytes', container).map((s) => [`${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`, s.value]),
  );
  let memoryUsage = -Infinity;
  for (const s of select(after, 'container_memory_working_set_bytes', container)) {
    const limit = limits.get(`${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`);
    if (limit) memoryUsage = Math.max(memoryUsage, (100 * s.value) / limit);
  }

  const avail = new Map(select(after, 'node_filesystem_avail_bytes', { mountpoint: '/' }).map((s) => [s.labels.instance, s.value]));
  let diskUsage = -Infinity;
  for (const s of select(after, 'node_filesystem_size_bytes', { mountpoint: '/' })) {
    const free = avail.get(s.labels.instance);
    if (free !== undefined) diskUsage = Math.max(diskUsage, (100 * (s.value - free)) / s.value);
  }

  const postgresConnections = sum(select(after, 'pg_stat_activity_count', { datname: 'codesign_db' }));
  return { apiLatencyP95, errorRate, cpuUsage, memoryUsage, diskUsage, postgresConnections };
}
