import { create } from 'zustand';
import type { ContextList, DrillStatus, ScenarioName } from '../../shared/contexts';
import type { AppInfo } from '../../shared/contract';
import type { EvidenceAttachment, EvidenceExport, EvidenceRecord, EvidenceVerification, VaultStatus } from '../../shared/evidence';
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
  /** What needs the evidence store open: incidents and the route's incident. */
  afterUnlock(): Promise<void>;
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

export interface EvidenceFilter {
  types?: string[];
  actor?: string;
  text?: string;
}

export interface IncidentEvidence {
  records?: EvidenceRecord[];
  attachments?: EvidenceAttachment[];
  verification?: EvidenceVerification;
  lastExport?: EvidenceExport;
}

interface EvidenceSlice {
  vault?: VaultStatus;
  /** Initialises or unlocks the vault; answers the error message, or undefined on success. */
  openVault(passphrase?: string): Promise<string | undefined>;
  evidence: Record<string, IncidentEvidence>;
  loadEvidence(incidentId: string, filter?: EvidenceFilter): Promise<void>;
  addEvidenceText(incidentId: string, title: string, text: string): Promise<boolean>;
  addEvidenceFile(incidentId: string, file: File): Promise<boolean>;
  verifyEvidence(incidentId: string): Promise<void>;
  exportEvidence(incidentId: string, passphrase: string): Promise<void>;
}

export type CockpitState = AppSlice & IncidentsSlice & ContextsSlice & EvidenceSlice;

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

  const patchEvidence = (incidentId: string, patch: IncidentEvidence) =>
    set((state) => ({ evidence: { ...state.evidence, [incidentId]: { ...state.evidence[incidentId], ...patch } } }));

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
      window.cockpit.subscribe('incidents:changed', {}, { events: (incidents) => incidents.forEach((incident) => get().applyIncident(incident)) });
      window.addEventListener('hashchange', () => set({ route: parseRoute(location.hash) }));
      void get().loadContexts();
      const vault = await attempt(() => call('evidence:status', {}));
      set({ vault });
      if (vault?.state === 'unlocked') await get().afterUnlock();
    },

    async afterUnlock() {
      await get().loadIncidents();
      const { route } = get();
      if (route.panel === 'incident' && route.id) await get().openIncident(route.id);
    },

    async openVault(passphrase) {
      const state = get().vault?.state;
      const input = passphrase === undefined ? {} : { passphrase };
      try {
        const vault = await call(state === 'uninitialised' ? 'evidence:initialise' : 'evidence:unlock', input);
        set({ vault });
        await get().afterUnlock();
        return undefined;
      } catch (error) {
        return asError(error).message;
      }
    },

    evidence: {},
    async loadEvidence(incidentId, filter = {}) {
      await attempt(async () => {
        const [records, attachments] = await Promise.all([
          call('evidence:timeline', { incidentId, ...filter }),
          call('evidence:attachments', { incidentId }),
        ]);
        patchEvidence(incidentId, { records, attachments });
      });
    },
    async addEvidenceText(incidentId, title, text) {
      const added = await attempt(() => call('evidence:addText', { incidentId, title, text }));
      if (added) await get().loadEvidence(incidentId);
      return added !== undefined;
    },
    async addEvidenceFile(incidentId, file) {
      const added = await attempt(async () => {
        const contentBase64 = await fileToBase64(file);
        return call('evidence:addFile', { incidentId, name: file.name, contentBase64 });
      });
      if (added) await get().loadEvidence(incidentId);
      return added !== undefined;
    },
    async verifyEvidence(incidentId) {
      const verification = await attempt(() => call('evidence:verify', { incidentId }));
      if (verification) patchEvidence(incidentId, { verification });
    },
    async exportEvidence(incidentId, passphrase) {
      const lastExport = await attempt(() => call('evidence:export', { incidentId, passphrase }));
      if (lastExport) {
        patchEvidence(incidentId, { lastExport });
        await get().loadEvidence(incidentId);
      }
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

async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
