/**
 * `kubectl rollout undo`'s choice of revision, as a pure function: the ReplicaSets a deployment
 * owns carry `deployment.kubernetes.io/revision`; with no `--to-revision` the target is the
 * highest revision below the current one; a named revision must exist; the current revision
 * is refused (kubectl: "skipped rollback").
 */
export interface RevisionEntry {
  revision: number;
  name: string;
}

export type UndoChoice = { ok: true; revision: RevisionEntry; current: number } | { ok: false; reason: string };

export function chooseUndoRevision(entries: readonly RevisionEntry[], currentRevision: number, toRevision?: number): UndoChoice {
  const sorted = [...entries].sort((a, b) => a.revision - b.revision);
  if (toRevision !== undefined && toRevision > 0) {
    if (toRevision === currentRevision) return { ok: false, reason: `skipped rollback: the deployment already runs revision ${toRevision}` };
    const found = sorted.find((e) => e.revision === toRevision);
    if (!found) {
      return { ok: false, reason: `unable to find revision ${toRevision} in history (revisions: ${sorted.map((e) => e.revision).join(', ') || 'none'})` };
    }
    return { ok: true, revision: found, current: currentRevision };
  }
  const previous = sorted.filter((e) => e.revision < currentRevision).at(-1);
  if (!previous) return { ok: false, reason: 'no rollout history found: there is no previous revision to roll back to' };
  return { ok: true, revision: previous, current: currentRevision };
}

/** The revision a ReplicaSet's annotations name, or undefined. */
export function revisionOf(annotations: Record<string, string> | undefined): number | undefined {
  const value = annotations?.['deployment.kubernetes.io/revision'];
  if (value === undefined || !/^[0-9]+$/.test(value)) return undefined;
  return Number(value);
}
