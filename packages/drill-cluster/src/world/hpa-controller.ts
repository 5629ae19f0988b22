/**
 * The HorizontalPodAutoscaler, acting as the real controller does on its 15 s sync: CPU
 * utilization (of requests) against the target gives a recommendation (10% tolerance), clamped
 * to min/max; scale-ups follow the behavior's policies (by default double or +4 pods per 15 s),
 * scale-downs wait out the stabilization window (the highest recommendation of the last 300 s),
 * and a replica count outside min/max is brought back at once. So a manual `kubectl scale` above
 * what CPU needs is undone, as on a real cluster; to hold more pods, raise minReplicas or maxReplicas.
 */
import { RESOURCE_KEYS } from '../resources';
import type { AppModel } from './app-model';
import { writeStatus, type ControllerContext } from './controller-context';
import { podReady, type PodSim } from './pod-sim';
import { parseQuantity } from './quantities';
import { rfc3339 } from './object-names';
import { selectorMatches } from './workloads';

interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: Array<{ type: 'Pods' | 'Percent'; value: number; periodSeconds: number }>;
}

interface HpaSpec {
  scaleTargetRef: { kind: string; name: string; apiVersion?: string };
  minReplicas?: number;
  maxReplicas: number;
  metrics?: Array<{ type: string; resource?: { name: string; target?: { type: string; averageUtilization?: number } } }>;
  behavior?: { scaleUp?: ScalingRules; scaleDown?: ScalingRules };
}

const DEFAULT_SCALE_DOWN_WINDOW_S = 300;
const DEFAULT_POLICY_PERIOD_S = 15;

/** HPA's tolerance: no recommendation change within 10% of the target. */
const TOLERANCE = 0.1;

export class HpaController {
  /** Recommendations per HPA (`namespace/name`), for the scale-down stabilization window. */
  private readonly recommendations = new Map<string, Array<{ at: number; replicas: number }>>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly app: AppModel,
    private readonly pods: () => Iterable<PodSim>,
  ) {}

  reconcile(namespace: string, name: string): void {
    const { store, clock } = this.ctx;
    const hpa = store.get(RESOURCE_KEYS.horizontalpodautoscalers, namespace, name);
    if (!hpa) return;
    const spec = hpa.spec as HpaSpec;
    const target = store.get(RESOURCE_KEYS.deployments, namespace, spec.scaleTargetRef.name);
    const now = rfc3339(clock.now());
    const previous = (hpa.status ?? {}) as Record<string, unknown>;
    if (!target) {
      writeStatus(store, RESOURCE_KEYS.horizontalpodautoscalers, hpa, {
        ...previous,
        conditions: [this.condition(previous, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: deployments/scale.apps "${spec.scaleTargetRef.name}" not found`, now)],
      });
      return;
    }
    const currentReplicas = (target.spec as { replicas?: number }).replicas ?? 1;
    const selector = (target.spec as { selector?: unknown }).selector;
    const pods = [...this.pods()].filter(
      (p) => p.namespace === namespace && podReady(p) && selectorMatches(selector, this.labelsOf(p)),
    );
    const cpuMetric = spec.metrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    const targetUtilization = cpuMetric?.resource?.target?.averageUtilization ?? 80;
    let usage = 0;
    let requests = 0;
    for (const pod of pods) {
      for (const c of pod.containers) {
        usage += this.app.cpuCores(pod, c);
        requests += parseQuantity(c.spec.resources?.requests?.cpu) ?? 0;
      }
    }
    const min = spec.minReplicas ?? 1;
    const conditionsBase = [
      this.condition(previous, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size', now),
    ];
    if (pods.length === 0 || requests === 0) {
      writeStatus(store, RESOURCE_KEYS.horizontalpodautoscalers, hpa, {
        currentReplicas,
        desiredReplicas: currentReplicas,
        currentMetrics: null,
        conditions: [
          ...conditionsBase,
          this.condition(previous, 'ScalingActive', 'False', 'FailedGetResourceMetric', 'the HPA was unable to compute the replica count: unable to get metrics for resource cpu: no metrics returned from resource metrics API', now),
        ],
      });
      return;
    }
    const utilization = Math.round((usage / requests) * 100);
    const averageMillis = Math.round((usage / pods.length) * 1000);
    const ratio = utilization / targetUtilization;
    let recommended = Math.abs(ratio - 1) <= TOLERANCE ? currentReplicas : Math.ceil(ratio * pods.length);
    const limited = recommended > spec.maxReplicas || recommended < min;
    recommended = Math.max(min, Math.min(spec.maxReplicas, recommended));
    const desired = this.decide(`${namespace}/${name}`, spec, currentReplicas, recommended, min, previous);
    let lastScaleTime = previous.lastScaleTime as string | undefined;
    if (desired !== currentReplicas) {
      store.mutate(RESOURCE_KEYS.deployments, namespace, spec.scaleTargetRef.name, (draft) => {
        (draft.spec as { replicas?: number }).replicas = desired;
      });
      lastScaleTime = now;
      const why =
        currentReplicas > spec.maxReplicas
          ? 'Current number of replicas above Spec.MaxReplicas'
          : currentReplicas < min
            ? 'Current number of replicas below Spec.MinReplicas'
            : desired > currentReplicas
              ? 'cpu resource utilization (percentage of request) above target'
              : 'All metrics below target';
      this.ctx.events.record(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${why}`, { component: 'horizontal-pod-autoscaler' });
    }
    const status: Record<string, unknown> = {
      currentReplicas,
      desiredReplicas: desired,
      currentMetrics: [
        { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: utilization, averageValue: `${averageMillis}m` } } },
      ],
      conditions: [
        this.condition(
          previous,
          'AbleToScale',
          'True',
          recommended === currentReplicas ? 'ReadyForNewScale' : 'SucceededGetScale',
          recommended === currentReplicas ? 'recommended size matches current size' : 'the HPA controller was able to get the target\'s current scale',
          now,
        ),
        this.condition(previous, 'ScalingActive', 'True', 'ValidMetricFound', 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)', now),
        limited
          ? this.condition(previous, 'ScalingLimited', 'True', recommended >= spec.maxReplicas ? 'TooManyReplicas' : 'TooFewReplicas', `the desired replica count is ${recommended >= spec.maxReplicas ? 'more than the maximum' : 'less than the minimum'} replica count`, now)
          : this.condition(previous, 'ScalingLimited', 'False', 'DesiredWithinRange', 'the desired count is within the acceptable range', now),
      ],
    };
    if (lastScaleTime) status.lastScaleTime = lastScaleTime;
    writeStatus(store, RESOURCE_KEYS.horizontalpodautoscalers, hpa, status);
  }

  /** The replica count to set now: out-of-range counts come back at once, ups by the policies, downs after the window. */
  private decide(key: string, spec: HpaSpec, current: number, recommended: number, min: number, previous: Record<string, unknown>): number {
    const now = this.ctx.clock.now();
    const down = spec.behavior?.scaleDown;
    const windowMs = (down?.stabilizationWindowSeconds ?? DEFAULT_SCALE_DOWN_WINDOW_S) * 1000;
    const history = (this.recommendations.get(key) ?? []).filter((r) => now - r.at <= windowMs);
    history.push({ at: now, replicas: recommended });
    this.recommendations.set(key, history);
    if (current > spec.maxReplicas) return spec.maxReplicas;
    if (current < min) return min;
    if (recommended > current) {
      const up = spec.behavior?.scaleUp;
      if (up?.selectPolicy === 'Disabled') return current;
      const period = (up?.policies?.[0]?.periodSeconds ?? DEFAULT_POLICY_PERIOD_S) * 1000;
      const last = typeof previous.lastScaleTime === 'string' ? Date.parse(previous.lastScaleTime) : undefined;
      if (last !== undefined && now - last < period) return current;
      const steps = (up?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }]).map((p) =>
        p.type === 'Percent' ? Math.ceil(current * (1 + p.value / 100)) : current + p.value,
      );
      const limit = up?.selectPolicy === 'Min' ? Math.min(...steps) : Math.max(...steps);
      return Math.min(recommended, limit);
    }
    if (recommended < current) {
      if (down?.selectPolicy === 'Disabled') return current;
      return Math.min(current, Math.max(...history.map((r) => r.replicas)));
    }
    return current;
  }

  private labelsOf(pod: PodSim): Record<string, string> {
    return pod.labels;
  }

  private condition(previous: Record<string, unknown>, type: string, status: string, reason: string, message: string, now: string): Record<string, unknown> {
    const prior = ((previous.conditions ?? []) as Array<Record<string, unknown>>).find((c) => c.type === type);
    return { type, status, lastTransitionTime: prior && prior.status === status ? prior.lastTransitionTime : now, reason, message };
  }
}

