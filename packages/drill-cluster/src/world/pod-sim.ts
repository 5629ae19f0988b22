/**
 * The world's private view of each pod: container instances with their start times, restarts
 * and how they ended, from which the pod status, metrics and log profiles are all derived.
 */
import type { ScenarioName } from '../types';
import type { ContainerSpec } from './workloads';

export interface ContainerTermination {
  reason: string;
  exitCode: number;
  startedAt: number;
  finishedAt: number;
}

export interface ContainerSim {
  name: string;
  image: string;
  spec: ContainerSpec;
  state: 'waiting' | 'running' | 'terminated';
  waitingReason?: string;
  waitingMessage?: string;
  /** When the current state ends (start, crash, restart, completion); Infinity when stable. */
  nextAt: number;
  startedAt?: number;
  terminated?: ContainerTermination;
  last?: ContainerTermination;
  restartCount: number;
  containerId: string;
  /** Readiness probe passes from this time on (current instance). */
  readyFrom: number;
  ready: boolean;
  /** Memory leak: extra MiB this instance carries from the moment of injection. */
  leakOffsetMiB: number;
  /** Memory leak: the instance leaks from this time on (undefined: it does not leak). */
  leakSince?: number;
}

export interface PodSim {
  uid: string;
  namespace: string;
  name: string;
  /** The `app` label. */
  app: string;
  labels: Record<string, string>;
  createdAt: number;
  /** Run-to-completion pods (Jobs): how long the container works before it exits 0. */
  completesAfterMs?: number;
  restartPolicy: string;
  qosClass: string;
  nodeName?: string;
  hostIP?: string;
  podIP?: string;
  scheduledAt?: number;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  containers: ContainerSim[];
  /** Per condition type: its status and when it last changed. */
  conditions: Map<string, { status: string; since: number }>;
  /** Scenarios that struck this pod's processes (cleared by replacing the pod). */
  affected: Set<ScenarioName>;
  /** db-connection-exhaustion: connections this pod leaked and never returned. */
  leakedConnections: number;
  /** Next time the lifecycle must look at this pod (Infinity: stable until something changes). */
  nextCheckAt: number;
  /** JSON of the last status written to the store. */
  writtenStatus?: string;
}

/** True while the pod's containers are all running and ready. */
export function podReady(pod: PodSim): boolean {
  return pod.phase === 'Running' && pod.containers.every((c) => c.state === 'running' && c.ready);
}

/** The pod's main container: the one named after its app, else the first. */
export function mainContainer(pod: PodSim): ContainerSim | undefined {
  return pod.containers.find((c) => c.name === pod.app) ?? pod.containers[0];
}
