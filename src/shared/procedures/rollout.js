export function chooseUndoRevision(entries, currentRevision, toRevision) {
    const sorted = [...entries].sort((a, b) => a.revision - b.revision);
    if (toRevision !== undefined && toRevision > 0) {
        if (toRevision === currentRevision)
            return { ok: false, reason: `skipped rollback: the deployment already runs revision ${toRevision}` };
        const found = sorted.find((e) => e.revision === toRevision);
        if (!found) {
            return { ok: false, reason: `unable to find revision ${toRevision} in history (revisions: ${sorted.map((e) => e.revision).join(', ') || 'none'})` };
        }
        return { ok: true, revision: found, current: currentRevision };
    }
    const previous = sorted.filter((e) => e.revision < currentRevision).at(-1);
    if (!previous)
        return { ok: false, reason: 'no rollout history found: there is no previous revision to roll back to' };
    return { ok: true, revision: previous, current: currentRevision };
}
/** The revision a ReplicaSet's annotations name, or undefined. */
export function revisionOf(annotations) {
    const value = annotations?.['deployment.kubernetes.io/revision'];
    if (value === undefined || !/^[0-9]+$/.test(value))
        return undefined;
    return Number(value);
}
