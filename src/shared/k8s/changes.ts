/**
 * "What changed" in a namespace: rollouts (revision, image, change-cause), scale changes, HPA
 * decisions and restart bursts, newest first; the checklist's "Check recent deployments".
 */
import { eventLastSeen, eventMessage, eventObject, eventReason } from './kube-events';
import { asList, num, statusOf, str, type KubeObject } from './objects';
import { controllerOf, imagesOf } from './printers';

export type ChangeKind = 'rollout' | 'scale' | 'hpa' | 'restarts';

export interface ChangeEntry {
  id: string;
  kind: ChangeKind;
  at: number;
  /** `Deployment/codesign-api`. */
  object: string;
  summary: string;
  revision?: string;
  image?: string;
  changeCause?: string;
}

export interface ChangeInput {
  replicasets?: Iterable<KubeObject>;
  events?: Iterable<KubeObject>;
  pods?: Iterable<KubeObject>;
  now: number;
  /** How far back (default 6 hours). */
  windowMs?: number;
}

/** A pod counts as a restart burst at this many restarts within the window. */
export const RESTART_BURST = 3;

export function recentChanges(input: ChangeInput): ChangeEntry[] {
  const since = input.now - (input.windowMs ?? 6 * 3600_000);
  const entries: ChangeEntry[] = [];
  for (const rs of input.replicasets ?? []) {
    const owner = controllerOf(rs);
    const revision = rs.metadata.annotations?.['deployment.kubernetes.io/revision'];
    const created = Date.parse(str(rs.metadata.creationTimestamp));
    if (owner?.kind !== 'Deployment' || !revision || Number.isNaN(created) || created < since) continue;
    const changeCause = rs.metadata.annotations?.['kubernetes.io/change-cause'];
    const image = imagesOf(rs);
    entries.push({
      id: `rollout/${rs.metadata.namespace ?? ''}/${rs.metadata.name}/${revision}`,
      kind: 'rollout',
      at: created,
      object: `Deployment/${owner.name}`,
      summary: `revision ${revision}: ${image}${changeCause ? ` (${changeCause})` : ''}`,
      revision,
      image,
      ...(changeCause ? { changeCause } : {}),
    });
  }
  for (const event of input.events ?? []) {
    const reason = eventReason(event);
    const kind: ChangeKind | undefined = reason === 'ScalingReplicaSet' ? 'scale' : reason === 'SuccessfulRescale' ? 'hpa' : undefined;
    const at = eventLastSeen(event);
    if (!kind || at < since) continue;
    const object = eventObject(event);
    entries.push({ id: `${kind}/${event.metadata.namespace ?? ''}/${event.metadata.name}`, kind, at, object: `${object.kind}/${object.name}`, summary: eventMessage(event) });
  }
  for (const pod of input.pods ?? []) {
    let restarts = 0;
    let last = 0;
    let reason = '';
    for (const c of asList(statusOf(pod).containerStatuses)) {
      const terminated = (c.lastState as { terminated?: { finishedAt?: string; reason?: string } } | undefined)?.terminated;
      const finished = Date.parse(str(terminated?.finishedAt));
      if (Number.isNaN(finished) || finished < since) continue;
      restarts += num(c.restartCount);
      if (finished > last) {
        last = finished;
        reason = str(terminated?.reason);
      }
    }
    if (restarts < RESTART_BURST) continue;
    entries.push({
      id: `restarts/${pod.metadata.namespace ?? ''}/${pod.metadata.name}`,
      kind: 'restarts',
      at: last,
      object: `Pod/${pod.metadata.name}`,
      summary: `${restarts} restarts${reason ? `, last: ${reason}` : ''}`,
    });
  }
  return entries.sort((a, b) => b.at - a.at);
}
