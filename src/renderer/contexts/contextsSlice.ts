import type { ContextList } from '../../shared/contexts';
import { attempt, type CockpitSlice } from '../state/slice';

export interface ContextsSlice {
  contexts?: ContextList;
  loadContexts(): Promise<void>;
  selectContext(name: string): Promise<void>;
}

export const createContextsSlice: CockpitSlice<ContextsSlice> = (bridge) => (set) => ({
  async loadContexts() {
    await attempt(set, async () => set({ contexts: await bridge.call('contexts:list', {}) }));
  },
  async selectContext(name) {
    await attempt(set, async () => set({ contexts: await bridge.call('contexts:select', { name }) }));
  },
});
