import type { CockpitError } from '../../shared/result';
import type { Runbook } from '../../shared/runbook/schema';
import { asError, type CockpitSlice } from '../state/slice';

export interface RunbookSlice {
  runbook?: Runbook;
  runbookError?: CockpitError;
  /** Whether the runbook search (Ctrl+K or `/`) is open. */
  runbookSearchOpen: boolean;
  loadRunbook(): Promise<void>;
  setRunbookSearchOpen(open: boolean): void;
  /** Shows a runbook step: its section, scrolled to the step. */
  openRunbookStep(sectionId: string, stepId?: string): void;
}

export const createRunbookSlice: CockpitSlice<RunbookSlice> = (bridge) => (set, get) => ({
  runbookSearchOpen: false,
  async loadRunbook() {
    try {
      set({ runbook: await bridge.call('runbook:get', {}), runbookError: undefined });
    } catch (error) {
      set({ runbookError: asError(error) });
    }
  },
  setRunbookSearchOpen: (open) => set({ runbookSearchOpen: open }),
  openRunbookStep(sectionId, stepId) {
    set({ runbookSearchOpen: false });
    get().navigate(stepId ? { panel: 'runbook', id: sectionId, step: stepId } : { panel: 'runbook', id: sectionId });
  },
});
