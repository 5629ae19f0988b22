import { create } from 'zustand';
import type { ContextList, DrillStatus, ScenarioName } from '../../shared/contexts';
import type { AppInfo } from '../../shared/contract';
import type { Incident, IncidentStatus, IncidentSummary, UnreadableIncident } from '../../shared/incidents/model';
import { summarise } from '../../shared/incidents/model';
import type { CockpitError } from '../../shared/result';
import type { Runbook, SeverityId } from '../../shared/runbook/schema';
import { call, RequestError } from '../cockpit';
import { parseRoute, routeHash, type Route } from './route';

interface AppSlice {
  info?: AppInfo;
  bootError?: CockpitError;
  runbook?: Runbook;
  runbookError?: CockpitError;
  route: Route;
  /** The last failed action, shown until dismissed. */
  notice?: CockpitError;
  boot(): Promise<void>;
  navigate(route: Route): void;
  dismissNotice(): void;
}

interface IncidentsSlice {
  incidents: IncidentSummary[];
  unreadable: UnreadableIncident[];
  /** Full state of incidents opened this session, by id. */
  opened: Record<string, Incident>;
  loadIncidents(): Promise<void>;
  openIncident(id: string): Promise<void>;
  declare(input: { title: string; severity: SeverityId; summary?: string }): Promise<Incident | undefined>;
  setSeverity(id: string, severity: SeverityId): Promise<void>;
  setStatus(id: string, status: IncidentStatus): Promise<void>;
  checkItem(id: string, itemId: string, done: boolean): Promise<void>;
  saveNote(id: string, text: string, noteId?: string): Promise<boolean>;
  applyIncident(incident: Incident): void;
}

interface ContextsSlice {
  contexts?: ContextList;
  drill?: DrillStatus;
  loadContexts(): Promise<void>;
  selectContext(name: string): Promise<void>;
  loadDrill(): Promise<void>;
  setScenario(name: ScenarioName, active: boolean): Promise<void>;
}

export type CockpitState = AppSlice & IncidentsSlice & ContextsSlice;

const asError = (error: unknown): CockpitError =>
  error instanceof RequestError ? error.error : { code: 'Internal', message: error instanceof Error ? error.message : String(error) };

export const useCockpit = create<CockpitState>()((set, get) => {
  /** Runs an action; a failure becomes the visible notice instead of an unhandled rejection. */
  const attempt = async <T>(action: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await action();
    } catch (error) {
      set({ notice: asError(error) });
      return undefined;
    }
  };

  return {
    route: parseRoute(location.hash),
    incidents: [],
    unreadable: [],
    opened: {},

    async boot() {
      try {
        set({ info: await call('app:info', {}) });
      } catch (error) {
        set({ bootError: asError(error) });
        return;
      }
      try {
        set({ runbook: await call('runbook:get', {}) });
      } catch (error) {
        set({ runbookError: asError(error) });
      }
      window.cockpit.subscribe('incidents:changed', {}, (incident) => get().applyIncident(incident));
      window.addEventListener('hashchange', () => set({ route: parseRoute(location.hash) }));
      void get().loadContexts();
      await get().loadIncidents();
      const { route } = get();
      if (route.panel === 'incident' && route.id) await get().openIncident(route.id);
    },

    navigate(route) {
      if (location.hash !== routeHash(route)) location.hash = routeHash(route);
      set({ route });
    },

    dismissNotice: () => set({ notice: undefined }),

    async loadIncidents() {
      if (!get().runbook) return;
      await attempt(async () => {
        const list = await call('incidents:list', {});
        set({ incidents: list.incidents, unreadable: list.unreadable });
      });
    },

    async openIncident(id) {
      await attempt(async () => get().applyIncident(await call('incidents:get', { id })));
    },

    async declare(input) {
      const incident = await attempt(() => call('incidents:declare', input));
      if (incident) {
        get().applyIncident(incident);
        get().navigate({ panel: 'incident', id: incident.id });
      }
      return incident;
    },

    async setSeverity(id, severity) {
      await attempt(async () => get().applyIncident(await call('incidents:setSeverity', { id, severity })));
    },
    async setStatus(id, status) {
      await attempt(async () => get().applyIncident(await call('incidents:setStatus', { id, status })));
    },
    async checkItem(id, itemId, done) {
      await attempt(async () => get().applyIncident(await call('incidents:checkItem', { id, itemId, done })));
    },
    async saveNote(id, text, noteId) {
      const incident = await attempt(() => call('incidents:saveNote', noteId ? { id, text, noteId } : { id, text }));
      if (incident) get().applyIncident(incident);
      return incident !== undefined;
    },

    async loadContexts() {
      await attempt(async () => set({ contexts: await call('contexts:list', {}) }));
    },
    async selectContext(name) {
      await attempt(async () => set({ contexts: await call('contexts:select', { name }) }));
    },
    async loadDrill() {
      await attempt(async () => set({ drill: await call('drill:status', {}) }));
    },
    async setScenario(name, active) {
      await attempt(async () => set({ drill: await call('drill:setScenario', { name, active }) }));
    },

    applyIncident(incident) {
      set((state) => {
        const summary = summarise(incident);
        const others = state.incidents.filter((i) => i.id !== incident.id);
        const incidents = [summary, ...others].sort((a, b) => b.declaredAt.localeCompare(a.declaredAt));
        return { opened: { ...state.opened, [incident.id]: incident }, incidents };
      });
    },
  };
});

/** The incident the top bar follows: the one open on screen, else the newest unresolved. */
export function useActiveIncidentId(): string | undefined {
  return useCockpit((s) => {
    if (s.route.panel === 'incident' && s.route.id) return s.route.id;
    return s.incidents.find((i) => i.status !== 'resolved')?.id;
  });
}
