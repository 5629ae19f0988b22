import { create } from 'zustand';
import type { DrillStatus, ScenarioName } from '../../shared/contexts';
import type { CockpitError } from '../../shared/result';
import { call, RequestError } from '../cockpit';

/**
 * The drill cluster's state in the renderer: followed live over `drill:changed` (process state,
 * scenarios switched on, cleared or ended by a fix), changed only through these actions.
 */
export interface DrillSlice {
  status?: DrillStatus;
  /** The last action or stream that failed, with its code. */
  error?: CockpitError;
  /** An action is in flight (restart, reset). */
  busy?: 'restart' | 'reset';
  /** Subscribes to `drill:changed`; returns the unsubscribe. */
  follow(): () => void;
  setScenario(name: ScenarioName, active: boolean): Promise<void>;
  restart(): Promise<void>;
  reset(): Promise<void>;
}

const asError = (error: unknown): CockpitError =>
  error instanceof RequestError ? error.error : { code: 'Internal', message: error instanceof Error ? error.message : String(error) };

export const useDrill = create<DrillSlice>((set) => {
  const act = async (busy: DrillSlice['busy'], action: () => Promise<DrillStatus>): Promise<void> => {
    set({ busy, error: undefined });
    try {
      set({ status: await action() });
    } catch (error) {
      set({ error: asError(error) });
    } finally {
      set({ busy: undefined });
    }
  };
  return {
    follow() {
      return window.cockpit.subscribe(
        'drill:changed',
        {},
        {
          events: (statuses) => {
            const last = statuses[statuses.length - 1];
            if (last) set({ status: last });
          },
          error: (error) => {
            set({ error });
            void call('drill:status', {}).then((status) => set({ status }), (e: unknown) => set({ error: asError(e) }));
          },
        },
      );
    },
    setScenario: (name, active) => act(undefined, () => call('drill:setScenario', { name, active })),
    restart: () => act('restart', () => call('drill:restart', {})),
    reset: () => act('reset', () => call('drill:reset', {})),
  };
});
