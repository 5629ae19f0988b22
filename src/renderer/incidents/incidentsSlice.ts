import {
  NEW_NOTE_DRAFT,
  openChecklistItems,
  summarise,
  type ChecklistItem,
  type DraftKey,
  type Incident,
  type IncidentStatus,
  type IncidentSummary,
  type UnreadableIncident,
} from '../../shared/incidents/model';
import type { IDisposable } from '../../shared/lifetimes';
import type { SeverityId } from '../../shared/runbook/schema';
import { attempt, type CockpitSlice } from '../state/slice';
import type { CockpitState } from '../state/cockpitStore';

/** What the declare form holds while the responder types: kept in the store so it survives panel switches. */
export interface DeclareDraft {
  title: string;
  severity: SeverityId;
  summary: string;
}

/** Resolving with open checklist items waits for the responder to confirm this list. */
export interface PendingResolution {
  incidentId: string;
  openItems: ChecklistItem[];
}

export interface IncidentsSlice {
  incidents: IncidentSummary[];
  unreadable: UnreadableIncident[];
  /** Full state of incidents opened this session, by id. */
  opened: Record<string, Incident>;
  declareDraft: DeclareDraft;
  /** Note text being typed, by `draftSlot(incidentId, key)`: survives panel switches before it is sealed. */
  noteDrafts: Record<string, string>;
  pendingResolution?: PendingResolution;
  /** What needs the evidence store open: the incident list, and the incident to show. */
  afterUnlock(): Promise<void>;
  /** Follows `incidents:changed` for the store's life (registered in `lifetime`). */
  startIncidentStream(lifetime: { add(item: IDisposable): IDisposable }): void;
  loadIncidents(): Promise<void>;
  openIncident(id: string): Promise<void>;
  setDeclareDraft(patch: Partial<DeclareDraft>): void;
  declare(input: { title: string; severity: SeverityId; summary?: string }): Promise<Incident | undefined>;
  setSeverity(id: string, severity: SeverityId): Promise<void>;
  /** Resolving with open checklist items asks first (`pendingResolution`) instead of resolving. */
  setStatus(id: string, status: IncidentStatus): Promise<void>;
  /** Resolves with the open items the responder was shown, which go into the timeline. */
  confirmResolution(): Promise<void>;
  cancelResolution(): void;
  checkItem(id: string, itemId: string, done: boolean): Promise<void>;
  saveNote(id: string, text: string, noteId?: string): Promise<boolean>;
  /** Keeps what is typed (even an emptied field) until the note is added or the draft dropped. */
  setNoteDraft(incidentId: string, key: DraftKey, text: string): void;
  dropNoteDraft(incidentId: string, key: DraftKey): void;
  /** Seals the draft in the incident's log (not a note); answers whether it was sealed. */
  sealDraft(incidentId: string, key: DraftKey, text: string): Promise<boolean>;
  applyIncident(incident: Incident): void;
}

/** Where a note draft lives in `noteDrafts`. */
export const draftSlot = (incidentId: string, key: DraftKey): string => `${incidentId}/${key}`;

/** The incident the top bar follows: the one open on screen, else the newest unresolved. */
export function activeIncidentId(state: Pick<CockpitState, 'route' | 'incidents'>): string | undefined {
  if (state.route.panel === 'incident' && state.route.id) return state.route.id;
  return state.incidents.find((i) => i.status !== 'resolved')?.id;
}

const EMPTY_DECLARE: DeclareDraft = { title: '', severity: 'SEV2', summary: '' };

export const createIncidentsSlice: CockpitSlice<IncidentsSlice> = (bridge) => (set, get) => {
  const applying = (action: () => Promise<Incident>) => attempt(set, async () => get().applyIncident(await action()));

  return {
    incidents: [],
    unreadable: [],
    opened: {},
    declareDraft: EMPTY_DECLARE,
    noteDrafts: {},

    async afterUnlock() {
      await get().loadIncidents();
      const { route } = get();
      if (route.panel !== 'incident') return;
      const id = route.id ?? activeIncidentId(get());
      if (!id) return;
      await get().openIncident(id);
      if (!route.id && get().route === route) get().navigate({ panel: 'incident', id });
    },

    startIncidentStream(lifetime) {
      const unsubscribe = bridge.subscribe(
        'incidents:changed',
        {},
        {
          events: (incidents) => incidents.forEach((incident) => get().applyIncident(incident)),
          error: (error) => set({ notice: error }),
        },
      );
      lifetime.add({ dispose: unsubscribe });
    },

    async loadIncidents() {
      if (!get().runbook) return;
      await attempt(set, async () => {
        const list = await bridge.call('incidents:list', {});
        set({ incidents: list.incidents, unreadable: list.unreadable });
      });
    },

    async openIncident(id) {
      await applying(() => bridge.call('incidents:get', { id }));
    },

    setDeclareDraft: (patch) => set((state) => ({ declareDraft: { ...state.declareDraft, ...patch } })),

    async declare(input) {
      const incident = await attempt(set, () => bridge.call('incidents:declare', input));
      if (incident) {
        get().applyIncident(incident);
        set({ declareDraft: EMPTY_DECLARE });
        get().navigate({ panel: 'incident', id: incident.id });
      }
      return incident;
    },

    async setSeverity(id, severity) {
      await applying(() => bridge.call('incidents:setSeverity', { id, severity }));
    },

    async setStatus(id, status) {
      const incident = get().opened[id];
      const openItems = incident && status === 'resolved' && incident.status !== 'resolved' ? openChecklistItems(incident) : [];
      if (openItems.length > 0) {
        set({ pendingResolution: { incidentId: id, openItems } });
        return;
      }
      await applying(() => bridge.call('incidents:setStatus', { id, status }));
    },

    async confirmResolution() {
      const pending = get().pendingResolution;
      if (!pending) return;
      set({ pendingResolution: undefined });
      const confirmedOpenItems = pending.openItems.map((item) => item.id);
      await applying(() => bridge.call('incidents:setStatus', { id: pending.incidentId, status: 'resolved', confirmedOpenItems }));
    },

    cancelResolution: () => set({ pendingResolution: undefined }),

    async checkItem(id, itemId, done) {
      await applying(() => bridge.call('incidents:checkItem', { id, itemId, done }));
    },

    async saveNote(id, text, noteId) {
      const revising = noteId as `note-${string}` | undefined;
      const incident = await attempt(set, () => bridge.call('incidents:saveNote', revising ? { id, text, noteId: revising } : { id, text }));
      if (!incident) return false;
      get().applyIncident(incident);
      get().dropNoteDraft(id, revising ?? NEW_NOTE_DRAFT);
      return true;
    },

    setNoteDraft: (incidentId, key, text) => set((state) => ({ noteDrafts: { ...state.noteDrafts, [draftSlot(incidentId, key)]: text } })),

    dropNoteDraft(incidentId, key) {
      set((state) => {
        const { [draftSlot(incidentId, key)]: _dropped, ...others } = state.noteDrafts;
        return { noteDrafts: others };
      });
    },

    async sealDraft(incidentId, key, text) {
      const incident = await attempt(set, () => bridge.call('incidents:saveDraft', { id: incidentId, key, text }));
      if (incident) get().applyIncident(incident);
      return incident !== undefined;
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
};
