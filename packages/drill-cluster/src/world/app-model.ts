/**
 * The simulated application: how traffic, latency, errors, CPU, memory and database connections
 * follow from the pods that run and the fault scenarios that are active. Everything the metrics,
 * the Prometheus exposition and the log profiles show is computed here, so they always agree.
 */
import type { DrillClock, LogProfile, ScenarioName } from '../types';
import { stableNoise } from './object-names';
import { mainContainer, podReady, type ContainerSim, type PodSim } from './pod-sim';
import { MIB, parseQuantity } from './quantities';
import { plainEnv } from './workloads';

export const API_NAMESPACE = 'codesign-production';
export const API_APP = 'codesign-api';

/** Requests per second codesign-api serves on a normal day, and the CPU each costs. */
const BASE_RPS = 120;
const CPU_SECONDS_PER_REQUEST = 0.00625;
/**
 * high-latency: the traffic surge builds from 3.88× (3 pods at a 1-core limit at 97% CPU, above
 * the 90% critical line even with the ±5% jitter; P95 ≈ 3.3 s) to 4.16× over its first two
 * minutes, past what the capped pods can serve (104%): from then on requests queue and the wait
 * grows with every second of overload, so P95 crosses 5 s about two minutes in and keeps
 * climbing until the queue is full. More pods drain the queue in seconds.
 */
const SURGE_START = 3.88;
const SURGE_PEAK = 4.16;
const SURGE_RAMP_MS = 2 * 60_000;
/** The longest wait a request queues for (the worker queue's bound): P95 tops out near 8 s, under the 10 s bucket. */
const MAX_QUEUE_WAIT_SECONDS = 3.5;
/** The queue is integrated in steps of at most this much simulated time. */
const QUEUE_STEP_MS = 1000;
/** memory-leak: MiB per simulated minute a leaking instance grows by. */
export const LEAK_MIB_PER_MINUTE = 50;
/** memory-leak: where the running instances stand right after injection (MiB). */
const LEAK_START_MIB = 1450;
/** db-connection-exhaustion: the pg_stat_activity total the leak drives the server to. */
const EXHAUSTED_CONNECTIONS = 197;
export const PG_MAX_CONNECTIONS = 200;
/** `superuser_reserved_connections`: ordinary clients are refused this close to the maximum. */
const SUPERUSER_RESERVED = 3;
/** error-spike: the readiness flap cycle of a struck pod, and how long of it the pod is not Ready. */
const FLAP_PERIOD_MS = 30_000;
const FLAP_DOWN_MS = 12_000;

/** Baseline CPU (cores) and memory (MiB) per app for the pods that are not codesign-api. */
const APP_BASELINE: Record<string, { cpu: number; memMiB: number }> = {
  'celery-worker': { cpu: 0.18, memMiB: 310 },
  postgres: { cpu: 0.08, memMiB: 620 },
  redis: { cpu: 0.012, memMiB: 92 },
  coredns: { cpu: 0.004, memMiB: 21 },
  'metrics-server': { cpu: 0.006, memMiB: 31 },
  prometheus: { cpu: 0.09, memMiB: 710 },
  'cert-manager': { cpu: 0.003, memMiB: 46 },
  backup: { cpu: 0.25, memMiB: 120 },
};

export interface TrafficState {
  rps: number;
  /** CPU demand over the serving pods' CPU limits (0..∞). */
  utilization: number;
  servingPods: number;
  latencySeconds: { p50: number; p95: number };
  errorRatio: number;
  authFailureRatio: number;
}

export interface DbConnectionState {
  byState: Record<'active' | 'idle' | 'idle in transaction', number>;
  total: number;
  maxConnections: number;
}

export class AppModel {
  /** Active scenarios and when each was injected. */
  readonly active = new Map<ScenarioName, number>();
  /** bad-deploy: images that ran before the bad deploy; anything else crash-loops while it is active. */
  knownGoodImages = new Set<string>();

  /** high-latency's request queue: the wait a request spends in it (s), as of `at`. */
  private queue = { waitSeconds: 0, at: 0 };

  constructor(
    private readonly clock: DrillClock,
    private readonly pods: () => Iterable<PodSim>,
  ) {
    this.queue.at = clock.now();
  }

  isActive(name: ScenarioName): boolean {
    return this.active.has(name);
  }

  /** True when a container running `image` in `pod` crashes during start-up. */
  crashesOnStart(pod: PodSim, image: string): boolean {
    return pod.app === API_APP && this.isActive('bad-deploy') && !this.knownGoodImages.has(image);
  }

  apiPods(): PodSim[] {
    return [...this.pods()].filter((p) => p.app === API_APP && p.namespace === API_NAMESPACE);
  }

  servingApiPods(): PodSim[] {
    return this.apiPods().filter(podReady);
  }

  /** error-spike: a struck pod fails its readiness probe for part of every cycle. */
  flapsNotReady(pod: PodSim, now: number): boolean {
    if (!pod.affected.has('error-spike') || !this.isActive('error-spike')) return false;
    return (now + this.flapOffset(pod)) % FLAP_PERIOD_MS < FLAP_DOWN_MS;
  }

  /** When the readiness flap of a struck pod next changes (Infinity when it does not flap). */
  nextFlapChange(pod: PodSim, now: number): number {
    if (!pod.affected.has('error-spike') || !this.isActive('error-spike')) return Infinity;
    const phase = (now + this.flapOffset(pod)) % FLAP_PERIOD_MS;
    return now + (phase < FLAP_DOWN_MS ? FLAP_DOWN_MS - phase : FLAP_PERIOD_MS - phase);
  }

  /** Requests per second codesign-api is asked to serve at `at` (the high-latency surge builds over its first minutes). */
  private requestRate(at: number): number {
    const since = this.active.get('high-latency');
    if (since === undefined) return BASE_RPS;
    const ramp = Math.min(1, Math.max(0, at - since) / SURGE_RAMP_MS);
    return BASE_RPS * (SURGE_START + (SURGE_PEAK - SURGE_START) * ramp);
  }

  /**
   * The queue wait now: while demand exceeds the serving pods' CPU it grows by the overload
   * (at 104% of capacity, 0.04 s more every second), and it drains as fast as spare capacity
   * allows. Integrated lazily, in one-second steps, up to now.
   */
  queueWaitSeconds(): number {
    const now = this.clock.now();
    if (now <= this.queue.at) return this.queue.waitSeconds;
    const capacity = this.servingApiPods().reduce((sum, pod) => sum + this.cpuLimitCores(pod), 0);
    let { waitSeconds, at } = this.queue;
    // Nobody serves: nothing drains and nothing new is accepted; the queue stays as it was.
    if (capacity > 0) {
      while (at < now && (waitSeconds > 0 || this.requestRate(at) * CPU_SECONDS_PER_REQUEST > capacity)) {
        const step = Math.min(QUEUE_STEP_MS, now - at);
        const utilization = (this.requestRate(at) * CPU_SECONDS_PER_REQUEST) / capacity;
        waitSeconds = Math.min(MAX_QUEUE_WAIT_SECONDS, Math.max(0, waitSeconds + (utilization - 1) * (step / 1000)));
        at += step;
      }
    }
    this.queue = { waitSeconds, at: now };
    return waitSeconds;
  }

  traffic(): TrafficState {
    const serving = this.servingApiPods();
    const rps = this.requestRate(this.clock.now());
    const demand = rps * CPU_SECONDS_PER_REQUEST;
    const authFailureRatio = this.isActive('auth-failure-burst') ? 0.35 : 0.004;
    if (serving.length === 0) {
      return { rps, utilization: Infinity, servingPods: 0, latencySeconds: { p50: 0.002, p95: 0.004 }, errorRatio: 1, authFailureRatio };
    }
    const capacity = serving.reduce((sum, pod) => sum + this.cpuLimitCores(pod), 0);
    const utilization = demand / capacity;
    const wait = this.queueWaitSeconds();
    let serviceP95Sum = 0;
    let errorSum = 0;
    for (const pod of serving) {
      serviceP95Sum += this.podLatencyP95(pod, utilization) - wait;
      errorSum += this.podErrorRatio(pod, utilization);
    }
    const serviceP95 = serviceP95Sum / serving.length;
    return {
      rps,
      utilization,
      servingPods: serving.length,
      // Every request waits the queue, so the wait adds to the median as much as to P95.
      latencySeconds: { p50: serviceP95 * 0.35 + wait, p95: serviceP95 + wait },
      errorRatio: Math.min(1, errorSum / serving.length),
      authFailureRatio,
    };
  }

  /** CPU cores a container uses now. */
  cpuCores(pod: PodSim, container: ContainerSim): number {
    if (container.state !== 'running') return 0;
    const now = this.clock.now();
    const jitter = 1 + (stableNoise(`${pod.name}/${container.name}`, Math.floor(now / 15_000)) - 0.5) * 0.1;
    if (pod.app === API_APP && pod.namespace === API_NAMESPACE) {
      if (this.crashesOnStart(pod, container.image)) return 0.005;
      if (!podReady(pod)) return 0.03 * jitter;
      const t = this.traffic();
      const share = (t.rps * CPU_SECONDS_PER_REQUEST) / Math.max(1, t.servingPods);
      const gc = this.memoryFraction(pod, container) > 0.8 ? 1.1 : 1;
      return Math.min(this.cpuLimitCores(pod), share * gc * jitter);
    }
    const base = APP_BASELINE[pod.app]?.cpu ?? 0.01;
    if (pod.app === 'postgres') {
      const db = this.dbConnections();
      return (base + db.byState.active * 0.004 + (this.isActive('db-connection-exhaustion') ? 0.35 : 0)) * jitter;
    }
    return base * jitter;
  }

  /** Memory a container's working set holds now, in bytes. */
  memoryBytes(pod: PodSim, container: ContainerSim): number {
    return this.memoryMiB(pod, container) * MIB;
  }

  memoryMiB(pod: PodSim, container: ContainerSim): number {
    if (container.state !== 'running' || container.startedAt === undefined) return 0;
    const now = this.clock.now();
    const minutesUp = Math.max(0, now - container.startedAt) / 60_000;
    if (pod.app === API_APP && pod.namespace === API_NAMESPACE) {
      const warm = 405 + stableNoise(pod.name, 2) * 30 + Math.min(90, minutesUp * 3);
      const leak =
        container.leakSince !== undefined && this.isActive('memory-leak')
          ? container.leakOffsetMiB + (Math.max(0, now - container.leakSince) / 60_000) * LEAK_MIB_PER_MINUTE
          : 0;
      return warm + leak;
    }
    const base = APP_BASELINE[pod.app]?.memMiB ?? 40;
    const drift = 1 + (stableNoise(`${pod.name}/mem`, Math.floor(now / 60_000)) - 0.5) * 0.04;
    if (pod.app === 'postgres') return (base + this.dbConnections().total * 2.5) * drift;
    return base * drift;
  }

  memoryLimitBytes(container: ContainerSim): number | undefined {
    return parseQuantity(container.spec.resources?.limits?.memory);
  }

  memoryFraction(pod: PodSim, container: ContainerSim): number {
    const limit = this.memoryLimitBytes(container);
    return limit ? this.memoryBytes(pod, container) / limit : 0;
  }

  /** Simulated ms until a leaking container reaches its memory limit (Infinity when it never does). */
  msUntilOom(pod: PodSim, container: ContainerSim): number {
    if (container.leakSince === undefined || !this.isActive('memory-leak')) return Infinity;
    const limit = this.memoryLimitBytes(container);
    if (!limit) return Infinity;
    const headroomMiB = limit / MIB - this.memoryMiB(pod, container);
    return Math.max(0, (headroomMiB / LEAK_MIB_PER_MINUTE) * 60_000);
  }

  /** Starts the leak in every running codesign-api instance, well on its way to the limit. */
  startLeak(): void {
    const now = this.clock.now();
    for (const pod of this.apiPods()) {
      for (const c of pod.containers) {
        if (c.name !== API_APP || c.state !== 'running') continue;
        c.leakSince = now;
        const spread = (stableNoise(pod.name, 1) - 0.5) * 200;
        c.leakOffsetMiB = Math.max(0, LEAK_START_MIB + spread - this.memoryMiB(pod, c));
      }
    }
  }

  /** db-connection-exhaustion: the running pods leak enough connections to exhaust the server. */
  leakConnections(): void {
    const struck = this.apiPods().filter((p) => p.phase === 'Running');
    for (const pod of struck) pod.leakedConnections = 0;
    const normal = this.dbConnections().total;
    const total = this.heldConnections ?? Math.ceil(Math.max(0, EXHAUSTED_CONNECTIONS - normal) / Math.max(1, struck.length)) * struck.length;
    struck.forEach((pod, i) => {
      // Exactly `total` between them (the real sessions held are one per leaked connection).
      pod.leakedConnections = Math.floor(total / struck.length) + (i < total % struck.length ? 1 : 0);
      pod.affected.add('db-connection-exhaustion');
    });
  }

  /**
   * With a real PostgreSQL the leak is real sessions: this many in all (set by the cluster), so
   * the server's pg_stat_activity and the model count the same connections.
   */
  heldConnections: number | undefined;

  /** The server ended one of `pod`'s leaked sessions (pg_terminate_backend). */
  releaseLeakedConnection(pod: PodSim): void {
    if (pod.leakedConnections > 0) pod.leakedConnections--;
  }

  /**
   * The runbook's `pg_terminate_backend` of idle connections: the leaked ones go (the pools
   * reconnect their own). Answers how many backends were terminated.
   */
  terminateIdleConnections(): number {
    let terminated = 0;
    for (const pod of this.pods()) {
      terminated += pod.leakedConnections;
      pod.leakedConnections = 0;
    }
    return terminated;
  }

  dbConnections(): DbConnectionState {
    const byState = { active: 1, idle: 2, 'idle in transaction': 1 };
    const utilization = Math.min(1, this.traffic().utilization);
    for (const pod of this.pods()) {
      if (pod.phase !== 'Running' || pod.namespace !== API_NAMESPACE) continue;
      if (pod.app === API_APP) {
        const size = this.poolSize(pod);
        const inUse = this.poolInUse(pod, size, utilization);
        byState.active += inUse;
        byState.idle += size - inUse;
        byState.idle += this.isActive('db-connection-exhaustion') ? pod.leakedConnections : 0;
      } else if (pod.app === 'celery-worker') {
        byState.active += 1;
        byState.idle += 3;
      }
    }
    let total = byState.active + byState.idle + byState['idle in transaction'];
    if (total > PG_MAX_CONNECTIONS) {
      byState.idle = Math.max(0, byState.idle - (total - PG_MAX_CONNECTIONS));
      total = byState.active + byState.idle + byState['idle in transaction'];
    }
    return { byState, total, maxConnections: PG_MAX_CONNECTIONS };
  }

  /** What a pod's application is doing now, for its log lines and exec answers. */
  profile(pod: PodSim, linesPerSecond: number): LogProfile {
    const main = mainContainer(pod);
    const t = this.traffic();
    const utilization = Number.isFinite(t.utilization) ? t.utilization : 1.5;
    const isApi = pod.app === API_APP && pod.namespace === API_NAMESPACE;
    const p95 = isApi ? this.podLatencyP95(pod, utilization) : 0.02;
    const size = isApi ? this.poolSize(pod) : 0;
    const exhausted = isApi && this.isActive('db-connection-exhaustion') && pod.leakedConnections > 0;
    const db = pod.app === 'postgres' ? this.dbConnections() : undefined;
    const dbPool = db
      ? { inUse: db.total, size: db.maxConnections, exhausted: db.total >= db.maxConnections - SUPERUSER_RESERVED }
      : { inUse: exhausted ? size : this.poolInUse(pod, size, Math.min(1, utilization)), size, exhausted };
    return {
      linesPerSecond,
      errorRatio: isApi ? this.podErrorRatio(pod, utilization) : 0,
      latencyMs: { p50: Math.round(((p95 - this.queueWaitSeconds()) * 0.35 + this.queueWaitSeconds()) * 1000), p95: Math.round(p95 * 1000) },
      authFailureRatio: isApi ? t.authFailureRatio : 0,
      memoryMiB: main ? Math.round(this.memoryMiB(pod, main)) : 0,
      memoryLimitMiB: main ? Math.round((this.memoryLimitBytes(main) ?? 0) / MIB) : 0,
      dbPool,
      crashLooping: main ? this.crashesOnStart(pod, main.image) : false,
    };
  }

  private podLatencyP95(pod: PodSim, utilization: number): number {
    const u = Math.min(1.5, utilization);
    let p95 = 0.15 + 0.4 * u + 20 * Math.max(0, u - 0.6) ** 2;
    const cacheMb = Number(plainEnv(mainContainer(pod)?.spec, 'CACHE_SIZE_MB') ?? 256);
    if (cacheMb >= 512) p95 *= 0.85;
    if (this.isActive('db-connection-exhaustion') && pod.leakedConnections > 0) p95 += 2.5;
    if (pod.affected.has('error-spike') && this.isActive('error-spike')) p95 += 0.3;
    const main = mainContainer(pod);
    if (main && this.memoryFraction(pod, main) > 0.9) p95 *= 1.3;
    return p95 + this.queueWaitSeconds();
  }

  private podErrorRatio(pod: PodSim, utilization: number): number {
    let ratio = 0.004;
    if (pod.affected.has('error-spike') && this.isActive('error-spike')) ratio = 0.22;
    if (this.isActive('db-connection-exhaustion') && pod.leakedConnections > 0) ratio = Math.max(ratio, 0.12);
    if (utilization > 1) ratio += Math.min(0.5, (utilization - 1) * 0.3);
    return Math.min(1, ratio);
  }

  private poolSize(pod: PodSim): number {
    const size = Number(plainEnv(mainContainer(pod)?.spec, 'DB_POOL_SIZE') ?? 10);
    return Number.isFinite(size) && size > 0 ? size : 10;
  }

  private poolInUse(pod: PodSim, size: number, utilization: number): number {
    if (!podReady(pod)) return 0;
    return Math.min(size, Math.max(1, Math.round(size * (0.25 + 0.5 * utilization))));
  }

  private cpuLimitCores(pod: PodSim): number {
    const main = mainContainer(pod);
    return parseQuantity(main?.spec.resources?.limits?.cpu) ?? 1;
  }

  private flapOffset(pod: PodSim): number {
    return Math.floor(stableNoise(pod.name, 0) * FLAP_PERIOD_MS);
  }
}
