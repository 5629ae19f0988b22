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

const IGNORED = [/^metadata\.(resourceVersion|managedFields|generation|uid|creationTimestamp|selfLink)(\.|$|\[)/, /^status(\.|$)/];

/** Leaves of an object as `path → JSON text`. */
export function flatten(value: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, '[]');
    value.forEach((item, index) => {
      const key = item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string' ? (item as { name: string }).name : String(index);
      flatten(item, `${path}[${key}]`, out);
    });
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && path) out.set(path, '{}');
    for (const [key, child] of entries) flatten(child, path ? `${path}.${key}` : key, out);
  } else if (value !== undefined) {
    out.set(path, JSON.stringify(value));
  }
  return out;
}

/** What changes from `before` to `after` (either may be absent: a create or a delete). */
export function diffObjects(before: unknown, after: unknown): DiffLine[] {
  const a = flatten(before ?? {});
  const b = flatten(after ?? {});
  const lines: DiffLine[] = [];
  const paths = [...new Set([...a.keys(), ...b.keys()])].filter((p) => !IGNORED.some((re) => re.test(p))).sort();
  for (const path of paths) {
    const old = a.get(path);
    const next = b.get(path);
    if (old === next) continue;
    if (old !== undefined) lines.push({ kind: 'removed', path, value: old });
    if (next !== undefined) lines.push({ kind: 'added', path, value: next });
  }
  return lines;
}

/** The diff as text, one `- path: value` / `+ path: value` line each (the CLI prints this). */
export function renderDiff(lines: readonly DiffLine[]): string {
  if (lines.length === 0) return '  (no change)';
  return lines.map((l) => `${l.kind === 'removed' ? '-' : '+'} ${l.path}: ${l.value}`).join('\n');
}
