/**
 * The Deployment controller, after Kubernetes' own: a template change makes (or revives) a
 * ReplicaSet with the next `deployment.kubernetes.io/revision`, pods roll over within
 * maxSurge / maxUnavailable, old ReplicaSets beyond `revisionHistoryLimit` go, and the status
 * and conditions are the ones `kubectl rollout status` reads.
 */
import { RESOURCE_KEYS } from '../resources';
import { StoreError, type KubeObject } from '../types';
import { readObjects, writeStatus, type ControllerContext } from './controller-context';
import { podTemplateHash, POD_TEMPLATE_HASH_LABEL, rfc3339, parseTime, templateIdentity } from './object-names';
import { controllerOf, controllerRef, resolveIntOrPercent, type PodTemplate } from './workloads';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
/** Deployment annotations that are not copied onto its ReplicaSets. */
const NOT_COPIED = new Set([
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'kubectl.kubernetes.io/last-applied-configuration',
]);

const SOURCE = { component: 'deployment-controller' };

interface DeploymentSpec {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string> };
  template: PodTemplate;
  strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  paused?: boolean;
}

interface RsSpec {
  replicas?: number;
  template: PodTemplate;
}

interface RsStatus {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

export function revisionOf(object: KubeObject): number {
  return Number(object.metadata.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;
}

function specReplicas(rs: KubeObject): number {
  return (rs.spec as RsSpec).replicas ?? 0;
}

function rsStatus(rs: KubeObject): RsStatus {
  return (rs.status ?? {}) as RsStatus;
}

export class DeploymentController {
  /** Per deployment uid: the last observed rollout position and when it last moved. */
  private readonly progress = new Map<string, { signature: string; at: number }>();
  /** `namespace/name` of deployments whose rollout is not complete: they need the clock's ticks. */
  readonly rollingOut = new Set<string>();
  /** Template identities by object uid and resourceVersion: reconciles run every tick during a rollout. */
  private readonly identities = new Map<string, { resourceVersion: string; identity: string }>();

  constructor(private readonly ctx: ControllerContext) {}

  reconcile(namespace: string, name: string): void {
    const { store } = this.ctx;
    const deployment = store.get(RESOURCE_KEYS.deployments, namespace, name);
    if (!deployment || deployment.metadata.deletionTimestamp) {
      this.rollingOut.delete(`${namespace}/${name}`);
      return;
    }
    const spec = deployment.spec as DeploymentSpec;
    const replicas = spec.replicas ?? 1;
    const owned = readObjects(store, RESOURCE_KEYS.replicasets, namespace).filter(
      (rs) => controllerOf(rs)?.uid === deployment.metadata.uid,
    );

    const wanted = this.identityOf(deployment, spec.template);
    let newRs = owned.find((rs) => this.identityOf(rs, (rs.spec as RsSpec).template) === wanted);
    const olds = owned.filter((rs) => rs !== newRs);
    const maxOldRevision = olds.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);
    let created = false;
    if (!newRs && !spec.paused) {
      newRs = this.createReplicaSet(deployment, spec, owned, maxOldRevision + 1);
      created = true;
    } else if (newRs && revisionOf(newRs) <= maxOldRevision) {
      newRs = this.reviveReplicaSet(deployment, newRs, maxOldRevision + 1);
    }
    if (newRs) this.syncDeploymentRevision(deployment, revisionOf(newRs));

    const { maxSurge, maxUnavailable } = this.limits(spec, replicas);
    if (newRs && !spec.paused) {
      if (spec.strategy?.type === 'Recreate') {
        this.recreate(deployment, newRs, olds, replicas);
      } else {
        newRs = this.scaleUpNew(deployment, newRs, olds, replicas, maxSurge);
        this.scaleDownOld(deployment, newRs, olds, replicas, maxUnavailable);
      }
    }
    this.cleanup(olds, spec.revisionHistoryLimit ?? 10);
    this.writeDeploymentStatus(deployment, newRs, olds, replicas, maxUnavailable, created);
  }

  private identityOf(owner: KubeObject, template: PodTemplate): string {
    const uid = owner.metadata.uid ?? owner.metadata.name;
    const resourceVersion = owner.metadata.resourceVersion ?? '';
    const cached = this.identities.get(uid);
    if (cached && cached.resourceVersion === resourceVersion) return cached.identity;
    const identity = templateIdentity(template);
    if (this.identities.size > 5_000) this.identities.clear();
    this.identities.set(uid, { resourceVersion, identity });
    return identity;
  }

  private limits(spec: DeploymentSpec, replicas: number): { maxSurge: number; maxUnavailable: number } {
    if (spec.strategy?.type === 'Recreate') return { maxSurge: 0, maxUnavailable: replicas };
    const ru = spec.strategy?.rollingUpdate ?? {};
    const maxSurge = resolveIntOrPercent(ru.maxSurge ?? '25%', replicas, true, 1);
    let maxUnavailable = resolveIntOrPercent(ru.maxUnavailable ?? '25%', replicas, false, 0);
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    return { maxSurge, maxUnavailable: Math.min(maxUnavailable, replicas) };
  }

  private createReplicaSet(deployment: KubeObject, spec: DeploymentSpec, owned: KubeObject[], revision: number): KubeObject {
    const namespace = deployment.metadata.namespace ?? 'default';
    let collisions = ((deployment.status as Record<string, unknown> | undefined)?.collisionCount as number | undefined) ?? 0;
    for (;;) {
      const hash = podTemplateHash(spec.template, collisions);
      const name = `${deployment.metadata.name}-${hash}`;
      if (this.ctx.store.get(RESOURCE_KEYS.replicasets, namespace, name) || owned.some((rs) => rs.metadata.name === name)) {
        collisions++;
        continue;
      }
      const template = structuredClone(spec.template);
      template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
      const rs: KubeObject = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name,
          namespace,
          labels: { ...(spec.template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash },
          annotations: { ...this.copiedAnnotations(deployment), [REVISION_ANNOTATION]: String(revision) },
          ownerReferences: [controllerRef(deployment)],
        },
        spec: {
          replicas: 0,
          minReadySeconds: 0,
          selector: { matchLabels: { ...(spec.selector?.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } },
          template,
        },
        status: { replicas: 0, observedGeneration: 1 },
      };
      return this.ctx.store.create(RESOURCE_KEYS.replicasets, rs);
    }
  }

  /** An old ReplicaSet whose template came back (rollout undo) gets the next revision number. */
  private reviveReplicaSet(deployment: KubeObject, rs: KubeObject, revision: number): KubeObject {
    return this.ctx.store.mutate(RESOURCE_KEYS.replicasets, rs.metadata.namespace, rs.metadata.name, (draft) => {
      const annotations = { ...(draft.metadata.annotations ?? {}) };
      const previous = annotations[REVISION_ANNOTATION];
      const history = annotations[REVISION_HISTORY_ANNOTATION];
      if (previous) annotations[REVISION_HISTORY_ANNOTATION] = history ? `${history},${previous}` : previous;
      Object.assign(annotations, this.copiedAnnotations(deployment));
      annotations[REVISION_ANNOTATION] = String(revision);
      draft.metadata.annotations = annotations;
    });
  }

  private copiedAnnotations(deployment: KubeObject): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(deployment.metadata.annotations ?? {})) if (!NOT_COPIED.has(k)) out[k] = v;
    return out;
  }

  private syncDeploymentRevision(deployment: KubeObject, revision: number): void {
    if (deployment.metadata.annotations?.[REVISION_ANNOTATION] === String(revision)) return;
    this.ctx.store.mutate(RESOURCE_KEYS.deployments, deployment.metadata.namespace, deployment.metadata.name, (draft) => {
      draft.metadata.annotations = { ...(draft.metadata.annotations ?? {}), [REVISION_ANNOTATION]: String(revision) };
    });
  }

  private scale(deployment: KubeObject, rs: KubeObject, replicas: number, maxSurge: number): KubeObject {
    const from = specReplicas(rs);
    if (from === replicas) return rs;
    const desired = (deployment.spec as DeploymentSpec).replicas ?? 1;
    try {
      const updated = this.ctx.store.mutate(RESOURCE_KEYS.replicasets, rs.metadata.namespace, rs.metadata.name, (draft) => {
        (draft.spec as RsSpec).replicas = replicas;
        draft.metadata.annotations = {
          ...(draft.metadata.annotations ?? {}),
          [DESIRED_REPLICAS_ANNOTATION]: String(desired),
          [MAX_REPLICAS_ANNOTATION]: String(desired + maxSurge),
        };
      });
      const verb = replicas > from ? 'up' : 'down';
      this.ctx.events.record(
        deployment,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${verb} replica set ${rs.metadata.name} from ${from} to ${replicas}`,
        SOURCE,
      );
      return updated;
    } catch (error) {
      if (error instanceof StoreError && error.reason === 'NotFound') return rs;
      throw error;
    }
  }

  private recreate(deployment: KubeObject, newRs: KubeObject, olds: KubeObject[], replicas: number): void {
    for (const rs of olds) if (specReplicas(rs) > 0) this.scale(deployment, rs, 0, 0);
    const oldRunning = olds.some((rs) => (rsStatus(rs).replicas ?? 0) > 0 || specReplicas(rs) > 0);
    if (!oldRunning) this.scale(deployment, newRs, replicas, 0);
  }

  private scaleUpNew(deployment: KubeObject, newRs: KubeObject, olds: KubeObject[], replicas: number, maxSurge: number): KubeObject {
    const current = specReplicas(newRs);
    if (current > replicas) return this.scale(deployment, newRs, replicas, maxSurge);
    if (current === replicas) return newRs;
    const allPods = current + olds.reduce((sum, rs) => sum + specReplicas(rs), 0);
    const room = replicas + maxSurge - allPods;
    if (room <= 0) return newRs;
    return this.scale(deployment, newRs, Math.min(replicas, current + room), maxSurge);
  }

  /** Kubernetes' reconcileOldReplicaSets: first the unhealthy old pods, then as availability allows. */
  private scaleDownOld(deployment: KubeObject, newRs: KubeObject, olds: KubeObject[], replicas: number, maxUnavailable: number): void {
    const active = olds.filter((rs) => specReplicas(rs) > 0);
    if (active.length === 0) return;
    const all = [newRs, ...olds];
    const allPods = all.reduce((sum, rs) => sum + specReplicas(rs), 0);
    const minAvailable = replicas - maxUnavailable;
    const newUnavailable = specReplicas(newRs) - (rsStatus(newRs).availableReplicas ?? 0);
    let maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return;
    const oldestFirst = [...active].sort(
      (a, b) => (parseTime(a.metadata.creationTimestamp) ?? 0) - (parseTime(b.metadata.creationTimestamp) ?? 0) || revisionOf(a) - revisionOf(b),
    );
    const remaining = new Map(oldestFirst.map((rs) => [rs.metadata.name, specReplicas(rs)]));
    for (const rs of oldestFirst) {
      if (maxScaledDown <= 0) break;
      const unhealthy = specReplicas(rs) - (rsStatus(rs).availableReplicas ?? 0);
      const cut = Math.min(maxScaledDown, Math.max(0, unhealthy));
      if (cut > 0) {
        const to = specReplicas(rs) - cut;
        this.scale(deployment, rs, to, 0);
        remaining.set(rs.metadata.name, to);
        maxScaledDown -= cut;
      }
    }
    const available = all.reduce((sum, rs) => sum + (rsStatus(rs).availableReplicas ?? 0), 0);
    let toScaleDown = available - minAvailable;
    for (const rs of oldestFirst) {
      if (toScaleDown <= 0) break;
      const have = remaining.get(rs.metadata.name) ?? 0;
      const cut = Math.min(have, toScaleDown);
      if (cut > 0) {
        this.scale(deployment, rs, have - cut, 0);
        toScaleDown -= cut;
      }
    }
  }

  private cleanup(olds: KubeObject[], limit: number): void {
    const idle = olds
      .filter((rs) => specReplicas(rs) === 0 && (rsStatus(rs).replicas ?? 0) === 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    const excess = idle.length - limit;
    for (let i = 0; i < excess; i++) {
      const rs = idle[i] as KubeObject;
      this.ctx.store.delete(RESOURCE_KEYS.replicasets, rs.metadata.namespace, rs.metadata.name);
    }
  }

  private writeDeploymentStatus(
    deployment: KubeObject,
    newRs: KubeObject | undefined,
    olds: KubeObject[],
    replicas: number,
    maxUnavailable: number,
    created: boolean,
  ): void {
    const { store, clock } = this.ctx;
    const now = clock.now();
    const fresh = readObjects(store, RESOURCE_KEYS.replicasets, deployment.metadata.namespace).filter(
      (rs) => controllerOf(rs)?.uid === deployment.metadata.uid,
    );
    const newNow = newRs ? fresh.find((rs) => rs.metadata.name === newRs.metadata.name) : undefined;
    const sum = (pick: (rs: KubeObject) => number): number => fresh.reduce((s, rs) => s + pick(rs), 0);
    const statusReplicas = sum((rs) => rsStatus(rs).replicas ?? 0);
    const updated = newNow ? (rsStatus(newNow).replicas ?? 0) : 0;
    const ready = sum((rs) => rsStatus(rs).readyReplicas ?? 0);
    const available = sum((rs) => rsStatus(rs).availableReplicas ?? 0);
    const totalSpec = sum(specReplicas);
    const previous = (deployment.status ?? {}) as Record<string, unknown>;
    const oldConditions = (previous.conditions ?? []) as Condition[];
    const spec = deployment.spec as DeploymentSpec;
    const rsName = newNow?.metadata.name ?? '';

    const complete =
      newNow !== undefined && updated === replicas && statusReplicas === replicas && available === replicas && specReplicas(newNow) === replicas;
    const key = `${deployment.metadata.namespace}/${deployment.metadata.name}`;
    if (complete || spec.paused) this.rollingOut.delete(key);
    else this.rollingOut.add(key);
    const signature = JSON.stringify([rsName, newNow ? specReplicas(newNow) : 0, updated, available, totalSpec]);
    const uid = deployment.metadata.uid ?? '';
    const last = this.progress.get(uid);
    const progressed = created || !last || last.signature !== signature;
    if (progressed) this.progress.set(uid, { signature, at: now });

    const progressing = oldConditions.find((c) => c.type === 'Progressing');
    let progressingNext: Omit<Condition, 'lastUpdateTime' | 'lastTransitionTime'>;
    if (spec.paused) {
      progressingNext = { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' };
    } else if (complete) {
      progressingNext = { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` };
    } else if (created) {
      progressingNext = { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${rsName}"` };
    } else if (progressed || !progressing) {
      progressingNext = { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` };
    } else {
      const deadlineMs = (spec.progressDeadlineSeconds ?? 600) * 1000;
      const since = this.progress.get(uid)?.at ?? parseTime(progressing.lastUpdateTime) ?? now;
      progressingNext =
        progressing.reason === 'ProgressDeadlineExceeded' || now - since > deadlineMs
          ? { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` }
          : { type: 'Progressing', status: progressing.status, reason: progressing.reason, message: progressing.message };
    }
    const minAvailable = replicas - maxUnavailable;
    const availableNext =
      available >= minAvailable
        ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
        : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' };

    const conditions = [availableNext, progressingNext].map((next): Condition => {
      const prior = oldConditions.find((c) => c.type === next.type);
      const same = prior && prior.status === next.status && prior.reason === next.reason && prior.message === next.message;
      const stamp = rfc3339(now);
      return {
        ...next,
        lastUpdateTime: same ? prior.lastUpdateTime : stamp,
        lastTransitionTime: prior && prior.status === next.status ? prior.lastTransitionTime : stamp,
      };
    });
    const status: Record<string, unknown> = {
      observedGeneration: deployment.metadata.generation ?? 1,
      replicas: statusReplicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, totalSpec - available),
      conditions,
    };
    for (const key of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) {
      if (status[key] === 0) delete status[key];
    }
    if (previous.collisionCount !== undefined) status.collisionCount = previous.collisionCount;
    writeStatus(store, RESOURCE_KEYS.deployments, store.get(RESOURCE_KEYS.deployments, deployment.metadata.namespace, deployment.metadata.name) ?? deployment, status);
  }
}
