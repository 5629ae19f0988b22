/**
 * A before/after diff of two Kubernetes objects as path lines (`spec.replicas: 3` → `5`), for the
 * preview of a change. Lists are keyed by `name` where their items have one (containers, env),
 * as strategic merge does, so a changed env value reads as one line, not a shifted list.
 * Bookkeeping the server changes on every write (resourceVersion, managedFields, status) is left out.
 */
export interface DiffLine {
    kind: 'removed' | 'added';
    path: string;
    value: string;
}
/** Leaves of an object as `path → JSON text`. */
export declare function flatten(value: unknown, path?: string, out?: Map<string, string>): Map<string, string>;
/** What changes from `before` to `after` (either may be absent: a create or a delete). */
export declare function diffObjects(before: unknown, after: unknown): DiffLine[];
/** The diff as text, one `- path: value` / `+ path: value` line each (the CLI prints this). */
export declare function renderDiff(lines: readonly DiffLine[]): string;
