import { afterEach, describe, expect, it } from 'vitest';
import { RESOURCE_KEYS } from '../resources';
import { patchAutoscaler } from './kubectl-actions';
import { LATENCY_BUCKETS, latencyCdf, THRESHOLD_PROMQL } from './prometheus-exposition';
import { startManualWorld, type ManualWorld } from './testing/manual-world';
import { evaluateThresholds, histogramQuantile, parseExposition, type ExpositionSample } from './threshold-evaluation';

let env: ManualWorld | undefined;

afterEach(async () => {
  await env?.world.stop();
  env = undefined;
});

function seriesKey(s: ExpositionSample): string {
  return `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
}

describe('latency histogram', () => {
  it.each([0.21, 0.25, 0.4, 1.2, 1.99, 2.01, 2.57, 3.4, 6.2])('histogram_quantile(0.95) interpolates back to a P95 of %s s', (p95) => {
    const cdf = latencyCdf(p95 * 0.35, p95);
    const buckets = [...LATENCY_BUCKETS.map((le, i) => ({ le, value: (cdf[i] as number) * 1000 })), { le: Infinity, value: 1000 }];
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(p95, 9);
  });
});

describe('high-latency as Prometheus sees it', () => {
  it("the runbook's P95 over the trailing 5 m crosses 2 s, then 5 s as the scenario goes on, and falls once the HPA may scale up", async () => {
    env = await startManualWorld();
    const { world, clock, store } = env;
    const STEP_S = 15;
    const scrapes: ExpositionSample[][] = [parseExposition(world.prometheusText())];
    /** One scrape every 15 s; the P95 `histogram_quantile(0.95, rate(...[5m]))` answers at the newest. */
    const scrapeAndP95 = async (): Promise<number> => {
      await clock.advance(STEP_S * 1000);
      scrapes.push(parseExposition(world.prometheusText()));
      const windowStart = scrapes[Math.max(0, scrapes.length - 1 - 300 / STEP_S)]!;
      return evaluateThresholds(windowStart, scrapes[scrapes.length - 1]!, 300).apiLatencyP95;
    };
    for (let i = 0; i < 300 / STEP_S; i++) expect(await scrapeAndP95()).toBeLessThan(2);
    world.scenarios.inject('high-latency');
    const p95s: number[] = [];
    for (let i = 0; i < (8 * 60) / STEP_S; i++) p95s.push(await scrapeAndP95());
    const over2 = p95s.findIndex((p) => p > 2);
    const over5 = p95s.findIndex((p) => p > 5);
    expect(over2).toBeGreaterThanOrEqual(0);
    expect(over5).toBeGreaterThan(over2);
    // Above 5 s from there on, under the 10 s bucket (a real interpolation, not the +Inf fallback).
    expect(Math.min(...p95s.slice(over5))).toBeGreaterThan(5);
    expect(Math.max(...p95s)).toBeLessThan(10);
    const apiPod = (): string => store.list(RESOURCE_KEYS.pods, 'codesign-production').find((p) => p.metadata.labels?.app === 'codesign-api' && !p.metadata.deletionTimestamp)!.metadata.name;
    expect(world.podRef('codesign-production', apiPod())!.logProfile().latencyMs.p95).toBeGreaterThan(5000);

    // The runbook's fix: let the HPA scale up; the queue drains and the window forgets the slow minutes.
    patchAutoscaler(store, 'codesign-production', 'codesign-api-hpa', { maxReplicas: 10 });
    const after: number[] = [];
    for (let i = 0; i < (7 * 60) / STEP_S; i++) after.push(await scrapeAndP95());
    expect(after[after.length - 1]).toBeLessThan(2);
    expect(world.podRef('codesign-production', apiPod())!.logProfile().latencyMs.p95).toBeLessThan(2000);
  });
});

describe('prometheus exposition', () => {
  it('is well-formed text format with a TYPE for every family', async () => {
    env = await startManualWorld();
    await env.clock.advance(60_000);
    const text = env.world.prometheusText();
    const samples = parseExposition(text);
    const typed = new Map<string, string>();
    for (const line of text.split('\n')) {
      const match = /^# TYPE (\S+) (counter|gauge|histogram)$/.exec(line);
      if (match) typed.set(match[1] as string, match[2] as string);
    }
    for (const s of samples) {
      const family = typed.has(s.name) ? s.name : s.name.replace(/_(bucket|sum|count)$/, '');
      expect(typed.has(family), `${s.name} has a TYPE`).toBe(true);
      expect(Number.isFinite(s.value)).toBe(true);
    }
    for (const name of ['http_request_duration_seconds', 'http_requests_total', 'container_cpu_usage_seconds_total', 'container_memory_working_set_bytes', 'container_spec_memory_limit_bytes', 'kube_pod_container_resource_limits', 'node_filesystem_size_bytes', 'node_filesystem_avail_bytes', 'pg_stat_activity_count', 'pg_settings_max_connections', 'redis_connected_clients']) {
      expect(typed.has(name), name).toBe(true);
    }
  });

  it('keeps every counter monotonic while scenarios come and go', async () => {
    env = await startManualWorld();
    const { world, clock } = env;
    const counters = (text: string): Map<string, number> => {
      const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
      const out = new Map<string, number>();
      for (const s of parseExposition(text)) {
        const family = s.name.replace(/_(bucket|sum|count)$/, '');
        if (types.get(s.name) === 'counter' || types.get(family) === 'histogram') out.set(seriesKey(s), s.value);
      }
      return out;
    };
    let previous = counters(world.prometheusText());
    const steps: Array<() => void> = [
      () => world.scenarios.inject('high-latency'),
      () => world.scenarios.inject('error-spike'),
      () => world.scenarios.clear('high-latency'),
      () => world.scenarios.inject('auth-failure-burst'),
      () => world.scenarios.clear('error-spike'),
      () => world.scenarios.clear('auth-failure-burst'),
    ];
    for (const step of steps) {
      step();
      await clock.advance(45_000);
      const current = counters(world.prometheusText());
      for (const [key, value] of previous) {
        const now = current.get(key);
        if (now !== undefined) expect(now, key).toBeGreaterThanOrEqual(value);
      }
      previous = current;
    }
  });

  it('names six runbook thresholds whose PromQL only uses series the exposition has', async () => {
    env = await startManualWorld();
    const names = new Set(parseExposition(env.world.prometheusText()).map((s) => s.name));
    expect(Object.values(THRESHOLD_PROMQL).map((t) => t.metric)).toEqual([
      'API Response Time (P95)',
      'Error Rate',
      'CPU Usage',
      'Memory Usage',
      'Disk Usage',
      'PostgreSQL Connections',
    ]);
    for (const threshold of Object.values(THRESHOLD_PROMQL)) {
      const metrics = [...threshold.promql.matchAll(/([a-z_]+)\{/g)].map((m) => m[1] as string).filter((m) => m !== 'by');
      expect(metrics.length).toBeGreaterThan(0);
      for (const metric of metrics) expect(names.has(metric), `${threshold.metric}: ${metric}`).toBe(true);
      expect(threshold.critical).toBeGreaterThan(threshold.warning);
    }
  });
});
