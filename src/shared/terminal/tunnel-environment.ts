/**
 * Open tunnels' ports as a tab's environment (`PGHOST`, `PGPORT`, `REDIS_HOST`, `REDIS_PORT`),
 * so `psql` and `redis-cli` in the tab reach the forwarded pod. Only host and port variables
 * pass: they are shown in the tab, so nothing secret (a `PGPASSWORD`) may ever be one of them.
 */

/** `PGHOST`, `PGPORT`, or any `<NAME>_HOST` / `<NAME>_PORT`. */
const TUNNEL_VARIABLE = /^(PGHOST|PGPORT|[A-Z][A-Z0-9_]{0,40}_(HOST|PORT))$/;
/** A host name, an IP address or a port: nothing a shell would expand or split. */
const TUNNEL_VALUE = /^[A-Za-z0-9.:_-]{1,253}$/;

/**
 * The variables of `source` a tab may export, sorted by name; the rest are dropped and named in
 * `refused` (for the log), so a tunnel provider that answers something odd is noticed.
 */
export function tunnelVariables(source: Record<string, string>): { variables: Record<string, string>; refused: string[] } {
  const variables: Record<string, string> = {};
  const refused: string[] = [];
  for (const name of Object.keys(source).sort()) {
    const value = source[name];
    if (TUNNEL_VARIABLE.test(name) && typeof value === 'string' && TUNNEL_VALUE.test(value)) variables[name] = value;
    else refused.push(name);
  }
  return { variables, refused };
}

/** What changed since the shell started: variables it lacks or holds a stale value of, and ones whose tunnel closed. */
export interface TunnelEnvironmentChange {
  /** Opened (or moved to another local port) since the shell started: a new shell gets these. */
  added: Record<string, string>;
  /** Exported when the shell started, and their tunnel is closed now. */
  gone: string[];
}

/** The difference between what a shell was started with and what a new one would get; undefined when none. */
export function tunnelEnvironmentChange(exported: Record<string, string>, current: Record<string, string>): TunnelEnvironmentChange | undefined {
  const added: Record<string, string> = {};
  for (const [name, value] of Object.entries(current)) if (exported[name] !== value) added[name] = value;
  const gone = Object.keys(exported).filter((name) => !(name in current));
  return Object.keys(added).length === 0 && gone.length === 0 ? undefined : { added, gone };
}

/**
 * One line the user may paste into an older tab to pick up new tunnels (`export PGHOST=... PGPORT=...`)
 * and drop closed ones (`unset ...`). Values are plain (see `TUNNEL_VALUE`), so no quoting is needed.
 */
export function exportLine(change: TunnelEnvironmentChange): string {
  const parts: string[] = [];
  const added = Object.entries(change.added);
  if (added.length) parts.push(`export ${added.map(([name, value]) => `${name}=${value}`).join(' ')}`);
  if (change.gone.length) parts.push(`unset ${change.gone.join(' ')}`);
  return parts.join('; ');
}

/** `PGHOST=127.0.0.1 PGPORT=54321`, for the tab's status line. */
export const describeVariables = (variables: Record<string, string>): string =>
  Object.entries(variables)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
