import { lazy, type ComponentType } from 'react';
import { ClusterPanel } from '../cluster/ClusterPanel';
import { EvidencePanel } from '../evidence/EvidencePanel';
import { VaultGate } from '../evidence/VaultGate';
import { IncidentPanel } from '../incidents/IncidentPanel';
import { RunbookPanel } from '../runbook/RunbookPanel';
import { activeIncidentId } from '../incidents/incidentsSlice';
import type { CockpitState } from '../state/cockpitStore';
import type { PanelRoute } from '../state/route';
import { useCockpit } from '../state/store';

// The big panels load when first opened, so the shell paints before their code has arrived.
const WorkloadsPanel = lazy(() => import('../cluster/WorkloadsPanel').then((m) => ({ default: m.WorkloadsPanel })));
const TopPanel = lazy(() => import('../cluster/TopPanel').then((m) => ({ default: m.TopPanel })));
const LogsPanel = lazy(() => import('../logs/LogsPanel').then((m) => ({ default: m.LogsPanel })));
const AlertsPanel = lazy(() => import('../alerts/AlertsPanel').then((m) => ({ default: m.AlertsPanel })));
const DatabasesPanel = lazy(() => import('../databases/DatabasesPanel').then((m) => ({ default: m.DatabasesPanel })));
const TerminalPanel = lazy(() => import('../terminal/TerminalPanel').then((m) => ({ default: m.TerminalPanel })));
const TunnelsPanel = lazy(() => import('../tunnels/TunnelsPanel').then((m) => ({ default: m.TunnelsPanel })));

/** One panel of the cockpit: what the nav lists, the router shows and Alt+shortcut opens. */
export interface PanelEntry<Id extends string = string> {
  id: Id;
  label: string;
  /** Alt+shortcut jumps here. */
  shortcut: string;
  /** `planned` panels are listed as not yet available rather than filled with fake data. */
  availability: 'available' | 'planned';
  /** What the panel will do (or, for a partly built one, what is still to come), said plainly. */
  planned?: string;
  component: ComponentType<{ panel: PanelEntry }>;
  /** Where the nav link and the shortcut go, when not simply to the panel (Incident: the active incident). */
  link?: (state: CockpitState) => PanelRoute;
}

function EvidenceScreen() {
  return (
    <VaultGate>
      <EvidencePanel />
    </VaultGate>
  );
}

const ENTRIES = [
  {
    id: 'incident',
    label: 'Incident',
    shortcut: '1',
    availability: 'available',
    component: IncidentPanel,
    link: (state: CockpitState): PanelRoute => {
      const id = activeIncidentId(state);
      return id ? { panel: 'incident', id } : { panel: 'incident' };
    },
  },
  { id: 'runbook', label: 'Runbook', shortcut: '2', availability: 'available', component: RunbookPanel },
  {
    id: 'cluster',
    label: 'Cluster',
    shortcut: '3',
    availability: 'available',
    planned: 'Pods, deployments, rollouts and events, live through watches.',
    component: ClusterPanel,
  },
  { id: 'workloads', label: 'Workloads', shortcut: '0', availability: 'available', component: WorkloadsPanel },
  { id: 'logs', label: 'Logs', shortcut: '4', availability: 'available', component: LogsPanel },
  {
    id: 'top',
    label: 'Top',
    shortcut: '5',
    availability: 'available',
    component: TopPanel,
  },
  { id: 'alerts', label: 'Alerts', shortcut: '6', availability: 'available', component: AlertsPanel },
  { id: 'databases', label: 'Databases', shortcut: '7', availability: 'available', component: DatabasesPanel },
  { id: 'terminal', label: 'Terminal', shortcut: '8', availability: 'available', component: TerminalPanel },
  { id: 'evidence', label: 'Evidence', shortcut: '9', availability: 'available', component: EvidenceScreen },
  { id: 'tunnels', label: 'Tunnels', shortcut: 't', availability: 'available', component: TunnelsPanel },
] as const satisfies readonly PanelEntry[];

/** The ids a route can name. */
export type PanelId = (typeof ENTRIES)[number]['id'];

/**
 * The one panel registry: the nav lists it, the router (`panelFor`) resolves routes with it, and
 * `App` renders its components and binds its shortcuts. A new panel is one entry here.
 */
export const PANELS: readonly PanelEntry<PanelId>[] = ENTRIES;

/** The panel a route names; an unknown one falls back to the first (Incident). */
export function panelFor(id: string): PanelEntry<PanelId> {
  return PANELS.find((p) => p.id === id) ?? PANELS[0]!;
}

/** The panel on screen. */
export function useCurrentPanel(): PanelEntry<PanelId> {
  return panelFor(useCockpit((s) => s.route.panel));
}

/** Where the nav link (and the shortcut) of `panel` goes now. */
export const panelLink = (panel: PanelEntry<PanelId>, state: CockpitState): PanelRoute => panel.link?.(state) ?? { panel: panel.id };
