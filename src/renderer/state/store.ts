import { activeIncidentId } from '../incidents/incidentsSlice';
import { windowBridge } from './bridge';
import { createCockpitStore, type CockpitStore } from './cockpitStore';

export type { CockpitState, CockpitStore } from './cockpitStore';
export type { EvidenceFilter, IncidentEvidence } from '../evidence/evidenceSlice';

/** The page's store. Components select single values: `useCockpit((s) => s.x)`. */
export const useCockpit: CockpitStore = createCockpitStore(windowBridge());

/** The incident the top bar follows: the one open on screen, else the newest unresolved. */
export function useActiveIncidentId(): string | undefined {
  return useCockpit(activeIncidentId);
}
