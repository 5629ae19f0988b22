import type { PanelId } from '../shell/panels';

/**
 * Where the user is, kept in the URL hash so a reload lands on the same view. `panel` is what
 * the hash says; the panel registry (`panelFor`) decides which panel that is, so the list of
 * panels exists once.
 */
export interface Route {
  panel: string;
  /** Incident id for `incident` and `evidence`, section id for `runbook`. */
  id?: string;
  /** A runbook step inside the section, opened from search. */
  step?: string;
}

/** A route to a panel the registry has (what code navigates to). */
export type PanelRoute = Route & { panel: PanelId };

export function parseRoute(hash: string): Route {
  const [panel, id, step] = hash.replace(/^#\/?/, '').split('/');
  const route: Route = { panel: panel || 'incident' };
  if (id) route.id = decodeURIComponent(id);
  if (id && step) route.step = decodeURIComponent(step);
  return route;
}

export function routeHash(route: PanelRoute): string {
  const parts = [route.panel, ...(route.id ? [route.id, ...(route.step ? [route.step] : [])] : [])];
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}
