/**
 * HorizontalPodAutoscaler status from the simulated CPU: current utilization against the
 * target, the replica count it would recommend, and the usual conditions, so that
 * `kubectl describe hpa` prints something real. It recommends only: scaling stays with the
 * on-call engineer, as the runbook's procedures expect.
 */
import { RESOURCE_KEYS } from '../resources';
import type { AppModel } from './app-model';
import { writeStatus, type ControllerContext } from './controller-context';
import { podReady, type PodSim } from './pod-sim';
import { parseQuantity } from './quantities';
import { rfc3339 } from './object-names';
import { selectorMatches } from './workloads';

interface HpaSpec {
  scaleTargetRef: { kind: string; name: string; apiVersion?: string };
  minReplicas?: number;
  maxReplicas: number;
  metrics?: Array<{ type: string; resource?: { name: string; target?: { type: string; averageUtilization?: number } } }>;
}

/** HPA's tolerance: no recommendation change within 10% of the target. */
const TOLERANCE = 0.1;

export class HpaController {
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
    const status: Record<string, unknown> = {
      currentReplicas,
      desiredReplicas: recommended,
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
    if (previous.lastScaleTime) status.lastScaleTime = previous.lastScaleTime;
    writeStatus(store, RESOURCE_KEYS.horizontalpodautoscalers, hpa, status);
  }

  private labelsOf(pod: PodSim): Record<string, string> {
    return pod.labels;
  }

  private condition(previous: Record<string, unknown>, type: string, status: string, reason: string, message: string, now: string): Record<string, unknown> {
    const prior = ((previous.conditions ?? []) as Array<Record<string, unknown>>).find((c) => c.type === type);
    return { type, status, lastTransitionTime: prior && prior.status === status ? prior.lastTransitionTime : now, reason, message };
  }
}

