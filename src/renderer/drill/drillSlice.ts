import type { DrillStatus, ScenarioName } from '../../shared/contexts';
import type { CockpitError } from '../../shared/result';
import { asError, type CockpitSlice } from '../state/slice';

/**
 * The drill cluster's state in the renderer: followed live over `drill:changed` (its process
 * starting, running or crashed; scenarios switched on, cleared or ended by a fix), changed only
 * through these actions.
 */
export interface DrillSlice {
  drill?: DrillStatus;
  /** The last drill action or stream that failed, with its code (shown in the drill section). */
  drillError?: CockpitError;
  /** A drill action in flight. */
  drillBusy?: 'restart' | 'reset';
  loadDrill(): Promise<void>;
  /** Subscribes to `drill:changed`; answers the unsubscribe. */
  followDrill(): () => void;
  setScenario(name: ScenarioName, active: boolean): Promise<void>;
  restartDrill(): Promise<void>;
  resetDrill(): Promise<void>;
}

export const createDrillSlice: CockpitSlice<DrillSlice> = (bridge) => (set) => {
  const act = async (busy: DrillSlice['drillBusy'], action: () => Promise<DrillStatus>): Promise<void> => {
    set({ drillBusy: busy, drillError: undefined });
    try {
      set({ drill: await action() });
    } catch (error) {
      set({ drillError: asError(error) });
    } finally {
      set({ drillBusy: undefined });
    }
  };
  return {
    loadDrill: () => act(undefined, () => bridge.call('drill:status', {})),
    followDrill() {
      return bridge.subscribe(
        'drill:changed',
        {},
        {
          events: (statuses) => {
            const last = statuses[statuses.length - 1];
            if (last) set({ drill: last });
          },
          error: (error) => {
            set({ drillError: error });
            void act(undefined, () => bridge.call('drill:status', {}));
          },
        },
      );
    },
    setScenario: (name, active) => act(undefined, () => bridge.call('drill:setScenario', { name, active })),
    restartDrill: () => act('restart', () => bridge.call('drill:restart', {})),
    resetDrill: () => act('reset', () => bridge.call('drill:reset', {})),
  };
};
