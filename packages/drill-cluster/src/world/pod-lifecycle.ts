/**
 * The scheduler and the kubelets: places new pods on nodes, pulls, creates and starts their
 * containers, runs readiness, crashes bad images into CrashLoopBackOff, OOM-kills leaking
 * containers, runs Job pods to completion, and writes each pod's status back to the store.
 */
import { createHash, randomBytes } from 'node:crypto';
import { RESOURCE_KEYS } from '../resources';
import { StoreError, type DrillClock, type KubeObject, type ObjectStore } from '../types';
import { API_APP, type AppModel } from './app-model';
import type { EventRecorder } from './event-recorder';
import { canonicalJson, parseTime, rfc3339 } from './object-names';
import { podReady, type ContainerSim, type ContainerTermination, type PodSim } from './pod-sim';
import { qosClassOf, type ContainerSpec, type PodSpec } from './workloads';

/** Simulated ms from scheduling to the container running (image already on the node). */
const CONTAINER_START_MS = 2_000;
/** A bad image's process dies this long after it starts. */
const CRASH_AFTER_MS = 3_000;
/** How long an OOM-killed container shows as terminated before the kubelet restarts it. */
const OOM_RESTART_MS = 5_000;
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
/** How soon the kubelet retries a container whose Secret or ConfigMap was missing. */
const CONFIG_RETRY_MS = 10_000;

export interface NodeSlot {
  name: string;
  internalIP: string;
  podCidrPrefix: string;
}

function newContainerId(): string {
  return `containerd://${randomBytes(32).toString('hex')}`;
}

function imageId(image: string): string {
  const repo = image.split(':')[0] ?? image;
  const digest = createHash('sha256').update(image).digest('hex');
  return `docker.io/library/${repo}@sha256:${digest}`;
}

export class PodLifecycle {
  readonly pods = new Map<string, PodSim>();
  private readonly ipCounters = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: DrillClock,
    private readonly app: AppModel,
    private readonly events: EventRecorder,
    private readonly nodes: () => NodeSlot[],
  ) {}

  /** Starts following a pod; a pod that already reports running containers is adopted as it is. */
  track(pod: KubeObject): PodSim {
    const uid = pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
    const existing = this.pods.get(uid);
    if (existing) return existing;
    const now = this.clock.now();
    const spec = (pod.spec ?? { containers: [] }) as PodSpec;
    const status = (pod.status ?? {}) as Record<string, unknown>;
    const statuses = (status.containerStatuses ?? []) as Array<Record<string, unknown>>;
    const labels = pod.metadata.labels ?? {};
    const createdAt = parseTime(pod.metadata.creationTimestamp) ?? now;
    const phase = (status.phase as PodSim['phase'] | undefined) ?? 'Pending';
    const sim: PodSim = {
      uid,
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name,
      app: labels.app ?? labels['app.kubernetes.io/name'] ?? labels['k8s-app'] ?? pod.metadata.name,
      labels: { ...labels },
      createdAt,
      restartPolicy: (spec.restartPolicy as string | undefined) ?? 'Always',
      qosClass: (status.qosClass as string | undefined) ?? qosClassOf(spec),
      phase,
      containers: spec.containers.map((c) => this.adoptContainer(c, statuses.find((s) => s.name === c.name), now)),
      conditions: new Map(),
      affected: new Set(),
      leakedConnections: 0,
      nextCheckAt: now,
    };
    const completes = pod.metadata.annotations?.['drill.incident-cockpit/completes-after-seconds'];
    if (completes) sim.completesAfterMs = Number(completes) * 1000;
    if (spec.nodeName) {
      sim.nodeName = spec.nodeName;
      sim.hostIP = status.hostIP as string | undefined;
      sim.podIP = status.podIP as string | undefined;
      sim.scheduledAt = parseTime(status.startTime) ?? createdAt;
    }
    for (const cond of (status.conditions ?? []) as Array<Record<string, string>>) {
      if (cond.type && cond.status) {
        sim.conditions.set(cond.type, { status: cond.status, since: parseTime(cond.lastTransitionTime) ?? createdAt });
      }
    }
    sim.writtenStatus = canonicalJson(status);
    this.pods.set(uid, sim);
    return sim;
  }

  untrack(pod: KubeObject): void {
    const uid = pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
    const sim = this.pods.get(uid);
    if (!sim) return;
    this.pods.delete(uid);
    for (const c of sim.containers) {
      if (c.state === 'running') {
        this.events.record(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, this.kubelet(sim), `spec.containers{${c.name}}`);
      }
    }
  }

  /** The sim of the pod `namespace/name`, if tracked. */
  find(namespace: string, name: string): PodSim | undefined {
    for (const sim of this.pods.values()) if (sim.namespace === namespace && sim.name === name) return sim;
    return undefined;
  }

  /** Asks for every pod to be looked at on the next step (a scenario changed the rules). */
  wakeAll(): void {
    for (const sim of this.pods.values()) sim.nextCheckAt = 0;
  }

  /** Advances every pod whose next transition is due, and writes changed statuses. */
  step(): void {
    const now = this.clock.now();
    for (const sim of [...this.pods.values()]) {
      if (sim.nextCheckAt > now) continue;
      this.advance(sim, now);
      this.writeStatus(sim, now);
    }
  }

  private adoptContainer(spec: ContainerSpec, status: Record<string, unknown> | undefined, now: number): ContainerSim {
    const state = (status?.state ?? {}) as Record<string, Record<string, unknown> | undefined>;
    const last = (status?.lastState as Record<string, Record<string, unknown> | undefined> | undefined)?.terminated;
    const c: ContainerSim = {
      name: spec.name,
      image: spec.image ?? '',
      spec,
      state: 'waiting',
      nextAt: now,
      restartCount: (status?.restartCount as number | undefined) ?? 0,
      containerId: (status?.containerID as string | undefined) ?? newContainerId(),
      readyFrom: Infinity,
      ready: false,
      leakOffsetMiB: 0,
    };
    if (state.running) {
      c.state = 'running';
      c.startedAt = parseTime(state.running.startedAt) ?? now;
      c.ready = status?.ready === true;
      c.readyFrom = c.ready ? c.startedAt : c.startedAt + this.readinessDelayMs(spec);
      c.nextAt = Infinity;
    } else if (state.terminated) {
      c.state = 'terminated';
      c.terminated = {
        reason: (state.terminated.reason as string | undefined) ?? 'Completed',
        exitCode: (state.terminated.exitCode as number | undefined) ?? 0,
        startedAt: parseTime(state.terminated.startedAt) ?? now,
        finishedAt: parseTime(state.terminated.finishedAt) ?? now,
      };
      c.nextAt = Infinity;
    }
    if (last) {
      c.last = {
        reason: (last.reason as string | undefined) ?? 'Error',
        exitCode: (last.exitCode as number | undefined) ?? 1,
        startedAt: parseTime(last.startedAt) ?? now,
        finishedAt: parseTime(last.finishedAt) ?? now,
      };
    }
    return c;
  }

  private advance(sim: PodSim, now: number): void {
    if (!sim.nodeName) this.schedule(sim, now);
    let next = Infinity;
    for (const c of sim.containers) {
      this.advanceContainer(sim, c, now);
      next = Math.min(next, c.nextAt, this.nextReadinessChange(sim, c, now));
    }
    if (sim.phase === 'Pending' && sim.containers.some((c) => c.state !== 'waiting' || c.restartCount > 0)) {
      sim.phase = 'Running';
    }
    if (sim.completesAfterMs !== undefined && sim.containers.every((c) => c.state === 'terminated')) {
      sim.phase = sim.containers.every((c) => c.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
    }
    sim.nextCheckAt = next;
  }

  private schedule(sim: PodSim, now: number): void {
    // A cordoned node (`kubectl cordon` / `drain`: spec.unschedulable) takes no new pods.
    const slots = this.nodes().filter((n) => (this.store.get(RESOURCE_KEYS.nodes, undefined, n.name)?.spec as { unschedulable?: boolean } | undefined)?.unschedulable !== true);
    if (slots.length === 0) return;
    const load = new Map<string, number>(slots.map((n) => [n.name, 0]));
    const sameApp = new Map<string, number>(slots.map((n) => [n.name, 0]));
    for (const other of this.pods.values()) {
      if (!other.nodeName) continue;
      load.set(other.nodeName, (load.get(other.nodeName) ?? 0) + 1);
      if (other.app === sim.app) sameApp.set(other.nodeName, (sameApp.get(other.nodeName) ?? 0) + 1);
    }
    const node = [...slots].sort(
      (a, b) => (sameApp.get(a.name) ?? 0) - (sameApp.get(b.name) ?? 0) || (load.get(a.name) ?? 0) - (load.get(b.name) ?? 0),
    )[0] as NodeSlot;
    // One address per live pod: the node's next free one in its /24 (seeded pods hold theirs).
    const used = new Set<string>();
    for (const other of this.pods.values()) {
      if (other !== sim && other.podIP && other.phase !== 'Succeeded' && other.phase !== 'Failed') used.add(other.podIP);
    }
    let counter = this.ipCounters.get(node.name) ?? 20;
    for (let tries = 0; tries < 230; tries++) {
      counter = counter >= 250 ? 21 : counter + 1;
      if (!used.has(`${node.podCidrPrefix}.${counter}`)) break;
    }
    this.ipCounters.set(node.name, counter);
    sim.nodeName = node.name;
    sim.hostIP = node.internalIP;
    sim.podIP = `${node.podCidrPrefix}.${counter}`;
    sim.scheduledAt = now;
    for (const c of sim.containers) {
      c.state = 'waiting';
      c.waitingReason = 'ContainerCreating';
      c.nextAt = now + CONTAINER_START_MS;
    }
    try {
      this.store.mutate(RESOURCE_KEYS.pods, sim.namespace, sim.name, (pod) => {
        (pod.spec as PodSpec).nodeName = node.name;
      });
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
    }
    const pod = this.podObject(sim);
    if (pod) {
      this.events.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${sim.namespace}/${sim.name} to ${node.name}`, {
        component: 'default-scheduler',
      });
    }
  }

  private advanceContainer(sim: PodSim, c: ContainerSim, now: number): void {
    const field = `spec.containers{${c.name}}`;
    if (c.state === 'running' && sim.completesAfterMs !== undefined && c.startedAt !== undefined) {
      if (now >= c.startedAt + sim.completesAfterMs) {
        c.state = 'terminated';
        c.ready = false;
        c.terminated = { reason: 'Completed', exitCode: 0, startedAt: c.startedAt, finishedAt: c.startedAt + sim.completesAfterMs };
        c.nextAt = Infinity;
      } else {
        c.nextAt = c.startedAt + sim.completesAfterMs;
      }
      return;
    }
    if (c.state === 'running' && c.startedAt !== undefined) {
      if (this.app.crashesOnStart(sim, c.image)) {
        const crashAt = c.startedAt + CRASH_AFTER_MS;
        if (now >= crashAt) {
          this.exitContainer(c, { reason: 'Error', exitCode: 1, startedAt: c.startedAt, finishedAt: crashAt });
          c.state = 'waiting';
          c.waitingReason = 'CrashLoopBackOff';
          const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, c.restartCount - 1));
          c.waitingMessage = `back-off ${Math.round(backoff / 1000)}s restarting failed container=${c.name} pod=${sim.name}_${sim.namespace}(${sim.uid})`;
          c.nextAt = now + backoff;
          this.record(sim, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${sim.name}_${sim.namespace}(${sim.uid})`, field);
        } else {
          c.nextAt = crashAt;
        }
        return;
      }
      const untilOom = this.app.msUntilOom(sim, c);
      if (untilOom <= 0) {
        const limit = c.spec.resources?.limits?.memory ?? '';
        this.exitContainer(c, { reason: 'OOMKilled', exitCode: 137, startedAt: c.startedAt, finishedAt: now });
        c.state = 'terminated';
        c.terminated = c.last;
        c.nextAt = now + OOM_RESTART_MS;
        this.record(sim, 'Warning', 'OOMKilled', `Container ${c.name} exceeded its memory limit (${limit}) and was OOM-killed`, field);
        const node = this.nodeObject(sim.nodeName);
        if (node) {
          this.events.record(node, 'Warning', 'SystemOOM', `System OOM encountered, victim process: gunicorn, pid: ${4000 + c.restartCount * 17}`, {
            component: 'kubelet',
            host: sim.nodeName,
          });
        }
        return;
      }
      c.nextAt = Number.isFinite(untilOom) ? now + Math.max(1_000, untilOom) : Infinity;
      return;
    }
    if (c.state === 'terminated' && sim.completesAfterMs === undefined && now >= c.nextAt) {
      this.startContainer(sim, c, now, false);
      return;
    }
    if (c.state === 'waiting' && now >= c.nextAt && sim.nodeName) {
      const missing = this.missingReference(sim, c);
      if (missing) {
        if (c.waitingReason !== 'CreateContainerConfigError') {
          this.record(sim, 'Warning', 'Failed', `Error: ${missing}`, field);
        }
        c.waitingReason = 'CreateContainerConfigError';
        c.waitingMessage = missing;
        c.nextAt = now + CONFIG_RETRY_MS;
        return;
      }
      this.startContainer(sim, c, now, c.waitingReason === 'ContainerCreating' || c.waitingReason === 'CreateContainerConfigError');
    }
  }

  /** The kubelet's check before it starts a container: every Secret / ConfigMap its env names exists. */
  private missingReference(sim: PodSim, c: ContainerSim): string | undefined {
    for (const entry of c.spec.env ?? []) {
      const from = entry.valueFrom ?? {};
      for (const [key, kind, resource] of [
        ['secretKeyRef', 'secret', RESOURCE_KEYS.secrets],
        ['configMapKeyRef', 'configmap', RESOURCE_KEYS.configmaps],
      ] as const) {
        const ref = from[key] as { name: string; key: string; optional?: boolean } | undefined;
        if (!ref || ref.optional) continue;
        const object = this.store.get(resource, sim.namespace, ref.name);
        if (!object) return `${kind} "${ref.name}" not found`;
        const data = { ...((object.data ?? {}) as Record<string, string>), ...((object.stringData ?? {}) as Record<string, string>) };
        if (!(ref.key in data)) return `couldn't find key ${ref.key} in ${kind === 'secret' ? 'Secret' : 'ConfigMap'} ${sim.namespace}/${ref.name}`;
      }
    }
    return undefined;
  }

  /** Records how an instance ended, counting the restart the kubelet will make. */
  private exitContainer(c: ContainerSim, end: ContainerTermination): void {
    c.last = end;
    c.ready = false;
    c.readyFrom = Infinity;
    c.restartCount += 1;
    c.startedAt = undefined;
    c.terminated = undefined;
  }

  private startContainer(sim: PodSim, c: ContainerSim, now: number, firstStart: boolean): void {
    const field = `spec.containers{${c.name}}`;
    if (firstStart || c.restartCount > 0) {
      this.record(sim, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, field);
    }
    this.record(sim, 'Normal', 'Created', `Created container: ${c.name}`, field);
    this.record(sim, 'Normal', 'Started', `Started container ${c.name}`, field);
    c.state = 'running';
    c.waitingReason = undefined;
    c.waitingMessage = undefined;
    c.terminated = undefined;
    c.startedAt = now;
    c.containerId = newContainerId();
    c.readyFrom = now + this.readinessDelayMs(c.spec);
    c.ready = false;
    c.leakOffsetMiB = 0;
    c.leakSince = sim.app === API_APP && this.app.isActive('memory-leak') ? now : undefined;
    c.nextAt = now;
  }

  private nextReadinessChange(sim: PodSim, c: ContainerSim, now: number): number {
    if (c.state !== 'running' || sim.completesAfterMs !== undefined) {
      c.ready = false;
      return Infinity;
    }
    const flapping = this.app.flapsNotReady(sim, now);
    const wasReady = c.ready;
    c.ready = now >= c.readyFrom && !flapping && !this.app.crashesOnStart(sim, c.image);
    if (wasReady && !c.ready && flapping) {
      this.record(sim, 'Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', `spec.containers{${c.name}}`);
    }
    if (now < c.readyFrom) return c.readyFrom;
    return this.app.nextFlapChange(sim, now);
  }

  private readinessDelayMs(spec: ContainerSpec): number {
    if (!spec.readinessProbe) return 0;
    return ((spec.readinessProbe.initialDelaySeconds ?? 0) + (spec.readinessProbe.periodSeconds ?? 10) / 2) * 1000;
  }

  private writeStatus(sim: PodSim, now: number): void {
    const status = this.statusOf(sim, now);
    const json = canonicalJson(status);
    if (json === sim.writtenStatus) return;
    try {
      this.store.mutate(RESOURCE_KEYS.pods, sim.namespace, sim.name, (pod) => {
        if (pod.metadata.uid !== sim.uid) return false;
        pod.status = status;
      });
      sim.writtenStatus = json;
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
    }
  }

  private condition(sim: PodSim, type: string, value: boolean, now: number, reason?: string): Record<string, unknown> {
    const status = value ? 'True' : 'False';
    const known = sim.conditions.get(type);
    if (!known || known.status !== status) sim.conditions.set(type, { status, since: now });
    const since = sim.conditions.get(type)?.since ?? now;
    return { type, status, lastProbeTime: null, lastTransitionTime: rfc3339(since), ...(reason ? { reason } : {}) };
  }

  /** The pod status the kubelet would report for this sim. */
  statusOf(sim: PodSim, now: number): Record<string, unknown> {
    const qosClass = this.qosOf(sim);
    if (!sim.nodeName) {
      return { phase: 'Pending', conditions: [this.condition(sim, 'PodScheduled', false, now, 'Unschedulable')], qosClass };
    }
    const completed = sim.phase === 'Succeeded' || sim.phase === 'Failed';
    const ready = podReady(sim);
    const notReadyReason = completed ? 'PodCompleted' : 'ContainersNotReady';
    const started = sim.containers.some((c) => c.state !== 'waiting' || c.restartCount > 0);
    return {
      phase: sim.phase,
      conditions: [
        this.condition(sim, 'PodReadyToStartContainers', true, now),
        this.condition(sim, 'Initialized', true, now, completed ? 'PodCompleted' : undefined),
        this.condition(sim, 'Ready', ready, now, ready ? undefined : notReadyReason),
        this.condition(sim, 'ContainersReady', ready, now, ready ? undefined : notReadyReason),
        this.condition(sim, 'PodScheduled', true, now),
      ],
      ...(sim.hostIP ? { hostIP: sim.hostIP, hostIPs: [{ ip: sim.hostIP }] } : {}),
      ...((started || sim.phase === 'Running') && sim.podIP ? { podIP: sim.podIP, podIPs: [{ ip: sim.podIP }] } : {}),
      startTime: rfc3339(sim.scheduledAt ?? sim.createdAt),
      containerStatuses: sim.containers.map((c) => this.containerStatus(c)),
      qosClass,
    };
  }

  private containerStatus(c: ContainerSim): Record<string, unknown> {
    const terminated = (t: ContainerTermination, id: string): Record<string, unknown> => ({
      terminated: {
        exitCode: t.exitCode,
        reason: t.reason,
        startedAt: rfc3339(t.startedAt),
        finishedAt: rfc3339(t.finishedAt),
        containerID: id,
      },
    });
    let state: Record<string, unknown>;
    if (c.state === 'running') state = { running: { startedAt: rfc3339(c.startedAt ?? 0) } };
    else if (c.state === 'terminated' && c.terminated) state = terminated(c.terminated, c.containerId);
    else state = { waiting: { reason: c.waitingReason ?? 'ContainerCreating', ...(c.waitingMessage ? { message: c.waitingMessage } : {}) } };
    const hasRun = c.state !== 'waiting' || c.restartCount > 0;
    return {
      name: c.name,
      state,
      lastState: c.last ? terminated(c.last, c.containerId) : {},
      ready: c.ready,
      restartCount: c.restartCount,
      image: c.image,
      imageID: hasRun ? imageId(c.image) : '',
      ...(hasRun ? { containerID: c.containerId } : {}),
      started: c.state === 'running',
    };
  }

  private qosOf(sim: PodSim): string {
    return sim.qosClass;
  }

  private record(sim: PodSim, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    const pod = this.podObject(sim);
    if (pod) this.events.record(pod, type, reason, message, this.kubelet(sim), fieldPath);
  }

  private kubelet(sim: PodSim): { component: string; host?: string } {
    return { component: 'kubelet', ...(sim.nodeName ? { host: sim.nodeName } : {}) };
  }

  private podObject(sim: PodSim): KubeObject | undefined {
    return this.store.get(RESOURCE_KEYS.pods, sim.namespace, sim.name);
  }

  private nodeObject(name: string | undefined): KubeObject | undefined {
    return name ? this.store.get(RESOURCE_KEYS.nodes, undefined, name) : undefined;
  }
}
