/**
 * The columns `kubectl get` prints, computed as the API server's printers compute them
 * (k8s.io/kubernetes/pkg/printers/internalversion/printers.go). Pure: the cockpit's views use
 * them, and the drill cluster's Tables (packages/drill-cluster/src/tables.ts) can switch to them.
 */
import { asList, asObj, num, specOf, statusOf, str, type KubeObject, type Obj } from './objects';

/** Go's `duration.HumanDuration`, which the server uses for AGE cells. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(seconds / 3600);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    const years = Math.floor(hours / 24 / 365);
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** `5m`, or `<unknown>` when the timestamp is missing (the server's translateTimestampSince). */
export function ageOf(timestamp: string | undefined, now: number): string {
  if (!timestamp) return '<unknown>';
  const at = Date.parse(timestamp);
  return Number.isNaN(at) ? '<unknown>' : humanDuration(now - at);
}

export const objectAge = (object: KubeObject, now: number): string => ageOf(object.metadata.creationTimestamp, now);

/** Pod READY: ready containers / containers, `2/3`. */
export function podReady(pod: KubeObject): { ready: number; total: number; text: string } {
  const total = asList(specOf(pod).containers).length;
  const ready = asList(statusOf(pod).containerStatuses).filter((c) => c.ready === true).length;
  return { ready, total, text: `${ready}/${total}` };
}

/**
 * Pod STATUS as kubectl prints it: the phase, overridden by the pod's reason, an init
 * container's state (`Init:1/2`, `Init:CrashLoopBackOff`), a container's waiting or terminated
 * reason (`CrashLoopBackOff`, `ImagePullBackOff`, `OOMKilled`, `ExitCode:1`), `NotReady`, and
 * `Terminating` once a deletion is requested.
 */
export function podStatusReason(pod: KubeObject): string {
  const podStatus = statusOf(pod);
  let reason = str(podStatus.phase, 'Unknown');
  if (podStatus.reason) reason = str(podStatus.reason);
  let initializing = false;
  const initStatuses = asList(podStatus.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const state = asObj(initStatuses[i]!.state);
    const terminated = asObj(state.terminated);
    const waiting = asObj(state.waiting);
    if (state.terminated && num(terminated.exitCode) === 0) continue;
    if (state.terminated) {
      reason = terminated.reason ? `Init:${str(terminated.reason)}` : terminated.signal ? `Init:Signal:${str(terminated.signal)}` : `Init:ExitCode:${num(terminated.exitCode)}`;
    } else if (state.waiting && waiting.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${asList(specOf(pod).initContainers).length || initStatuses.length}`;
    }
    initializing = true;
    break;
  }
  if (!initializing) {
    let hasRunning = false;
    const containers = asList(podStatus.containerStatuses);
    for (let i = containers.length - 1; i >= 0; i--) {
      const container = containers[i]!;
      const state = asObj(container.state);
      const waiting = asObj(state.waiting);
      const terminated = asObj(state.terminated);
      if (state.waiting && waiting.reason) reason = str(waiting.reason);
      else if (state.terminated && terminated.reason) reason = str(terminated.reason);
      else if (state.terminated) reason = terminated.signal ? `Signal:${str(terminated.signal)}` : `ExitCode:${num(terminated.exitCode)}`;
      else if (container.ready === true && state.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) {
      reason = asList(podStatus.conditions).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp) reason = podStatus.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

export interface PodRestarts {
  count: number;
  /** When the most recent restart's previous instance ended (ms since epoch). */
  lastRestartAt?: number;
  /** Why the last instance ended: `OOMKilled`, `Error`. */
  lastReason?: string;
  lastExitCode?: number;
}

/** Restarts summed over containers, with the most recent previous termination. */
export function podRestarts(pod: KubeObject): PodRestarts {
  const result: PodRestarts = { count: 0 };
  for (const container of asList(statusOf(pod).containerStatuses)) {
    result.count += num(container.restartCount);
    const terminated = asObj(asObj(container.lastState).terminated);
    const finishedAt = Date.parse(str(terminated.finishedAt));
    if (!Number.isNaN(finishedAt) && finishedAt > (result.lastRestartAt ?? 0)) {
      result.lastRestartAt = finishedAt;
      result.lastReason = str(terminated.reason) || undefined;
      result.lastExitCode = num(terminated.exitCode);
    }
  }
  if (result.lastReason === undefined) delete result.lastReason;
  if (result.lastRestartAt === undefined) delete result.lastExitCode;
  return result;
}

/** RESTARTS as kubectl prints it: `3 (2m ago)`, or `0`. */
export function podRestartsText(pod: KubeObject, now: number): string {
  const { count, lastRestartAt } = podRestarts(pod);
  return count > 0 && lastRestartAt ? `${count} (${humanDuration(now - lastRestartAt)} ago)` : String(count);
}

/** What a container is doing, for the drawer: `running since …`, `waiting: CrashLoopBackOff`. */
export interface ContainerState {
  name: string;
  image: string;
  ready: boolean;
  restarts: number;
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  reason?: string;
  message?: string;
  exitCode?: number;
  since?: string;
  lastTermination?: { reason?: string; exitCode?: number; finishedAt?: string };
}

export function containerStates(pod: KubeObject): ContainerState[] {
  const statuses = new Map(asList(statusOf(pod).containerStatuses).map((c) => [str(c.name), c]));
  return asList(specOf(pod).containers).map((spec) => {
    const status = statuses.get(str(spec.name)) ?? {};
    const state = asObj(status.state);
    const [kind, detail]: [ContainerState['state'], Obj] = state.running
      ? ['running', asObj(state.running)]
      : state.waiting
        ? ['waiting', asObj(state.waiting)]
        : state.terminated
          ? ['terminated', asObj(state.terminated)]
          : ['unknown', {}];
    const last = asObj(asObj(status.lastState).terminated);
    const result: ContainerState = {
      name: str(spec.name),
      image: str(status.image ?? spec.image),
      ready: status.ready === true,
      restarts: num(status.restartCount),
      state: kind,
    };
    if (detail.reason) result.reason = str(detail.reason);
    if (detail.message) result.message = str(detail.message);
    if (typeof detail.exitCode === 'number') result.exitCode = detail.exitCode;
    const since = detail.startedAt ?? detail.finishedAt;
    if (since) result.since = str(since);
    if (Object.keys(last).length) {
      result.lastTermination = {
        ...(last.reason ? { reason: str(last.reason) } : {}),
        ...(typeof last.exitCode === 'number' ? { exitCode: last.exitCode } : {}),
        ...(last.finishedAt ? { finishedAt: str(last.finishedAt) } : {}),
      };
    }
    return result;
  });
}

/** Running and Ready, or Succeeded: what the summary strip counts as healthy. */
export function podIsHealthy(pod: KubeObject): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  const phase = str(statusOf(pod).phase);
  if (phase === 'Succeeded') return true;
  if (phase !== 'Running') return false;
  const { ready, total } = podReady(pod);
  return ready === total && podStatusReason(pod) === 'Running';
}

export function conditionOf(object: KubeObject, type: string): Obj | undefined {
  return asList(statusOf(object).conditions).find((c) => c.type === type);
}

export interface DeploymentColumns {
  desired: number;
  updated: number;
  ready: number;
  available: number;
  /** READY as kubectl prints it: `2/3`. */
  readyText: string;
  /** `deployment.kubernetes.io/revision`. */
  revision?: string;
  /** A condition worth showing: `ProgressDeadlineExceeded`, `MinimumReplicasUnavailable`. */
  problem?: string;
}

export function deploymentColumns(deployment: KubeObject): DeploymentColumns {
  const spec = specOf(deployment);
  const status = statusOf(deployment);
  const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const ready = num(status.readyReplicas);
  const result: DeploymentColumns = {
    desired,
    updated: num(status.updatedReplicas),
    ready,
    available: num(status.availableReplicas),
    readyText: `${ready}/${desired}`,
  };
  const revision = deployment.metadata.annotations?.['deployment.kubernetes.io/revision'];
  if (revision) result.revision = revision;
  const progressing = conditionOf(deployment, 'Progressing');
  const available = conditionOf(deployment, 'Available');
  if (progressing?.status === 'False' || progressing?.reason === 'ProgressDeadlineExceeded') result.problem = str(progressing.reason, 'NotProgressing');
  else if (available && available.status !== 'True') result.problem = str(available.reason, 'Unavailable');
  return result;
}

/** A deployment whose available replicas fall short of the desired count. */
export function deploymentIsDegraded(deployment: KubeObject): boolean {
  const c = deploymentColumns(deployment);
  return c.available < c.desired || c.problem !== undefined;
}

/** Node STATUS: `Ready`, `NotReady`, `Ready,SchedulingDisabled`. */
export function nodeStatus(node: KubeObject): string {
  const ready = conditionOf(node, 'Ready');
  const states = [ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown'];
  if (specOf(node).unschedulable) states.push('SchedulingDisabled');
  return states.join(',');
}

/** Job STATUS: `Complete`, `Failed`, `Suspended`, `Running`. */
export function jobStatus(job: KubeObject): string {
  const conditions = asList(statusOf(job).conditions).filter((c) => c.status === 'True');
  if (conditions.some((c) => c.type === 'Complete')) return 'Complete';
  if (conditions.some((c) => c.type === 'Failed')) return 'Failed';
  if (specOf(job).suspend) return 'Suspended';
  return 'Running';
}

/** Job COMPLETIONS: `1/1`. */
export function jobCompletions(job: KubeObject): string {
  const completions = specOf(job).completions;
  const succeeded = num(statusOf(job).succeeded);
  return typeof completions === 'number' ? `${succeeded}/${completions}` : `${succeeded}/1`;
}

/** The controlling owner (ReplicaSet of a pod, Deployment of a ReplicaSet). */
export function controllerOf(object: KubeObject): { kind: string; name: string } | undefined {
  const owner = object.metadata.ownerReferences?.find((o) => o.controller) ?? object.metadata.ownerReferences?.[0];
  return owner ? { kind: owner.kind, name: owner.name } : undefined;
}

/** Images of a workload's pod template (or a pod's containers), comma-separated. */
export function imagesOf(object: KubeObject): string {
  const spec = specOf(object);
  const containers = spec.template ? asList(asObj(asObj(spec.template).spec).containers) : asList(spec.containers);
  return containers.map((c) => str(c.image)).join(',');
}
