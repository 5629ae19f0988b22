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
export type UndoChoice = {
    ok: true;
    revision: RevisionEntry;
    current: number;
} | {
    ok: false;
    reason: string;
};
export declare function chooseUndoRevision(entries: readonly RevisionEntry[], currentRevision: number, toRevision?: number): UndoChoice;
/** The revision a ReplicaSet's annotations name, or undefined. */
export declare function revisionOf(annotations: Record<string, string> | undefined): number | undefined;
