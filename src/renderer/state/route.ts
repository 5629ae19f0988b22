/** Where the user is, kept in the URL hash so a reload lands on the same view. */
export type PanelId = 'incident' | 'runbook' | 'cluster' | 'workloads' | 'logs' | 'top' | 'alerts' | 'databases' | 'terminal' | 'evidence';

export interface Route {
  panel: PanelId;
  /** Incident id for `incident`, section id for `runbook`. */
  id?: string;
}

const PANELS: readonly PanelId[] = ['incident', 'runbook', 'cluster', 'workloads', 'logs', 'top', 'alerts', 'databases', 'terminal', 'evidence'];

export function parseRoute(hash: string): Route {
  const [panel, id] = hash.replace(/^#\/?/, '').split('/');
  const known = PANELS.find((p) => p === panel);
  if (!known) return { panel: 'incident' };
  return id ? { panel: known, id: decodeURIComponent(id) } : { panel: known };
}

export function routeHash(route: Route): string {
  return `#/${route.panel}${route.id ? `/${encodeURIComponent(route.id)}` : ''}`;
}
