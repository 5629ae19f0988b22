import type { DrillStatus, ScenarioName } from '../../shared/contexts';
import { attempt, type CockpitSlice } from '../state/slice';

export interface DrillSlice {
  drill?: DrillStatus;
  loadDrill(): Promise<void>;
  setScenario(name: ScenarioName, active: boolean): Promise<void>;
}

export const createDrillSlice: CockpitSlice<DrillSlice> = (bridge) => (set) => ({
  async loadDrill() {
    await attempt(set, async () => set({ drill: await bridge.call('drill:status', {}) }));
  },
  async setScenario(name, active) {
    await attempt(set, async () => set({ drill: await bridge.call('drill:setScenario', { name, active }) }));
  },
});
