import type { AppInfo } from '../../shared/contract';
import { DisposableStore } from '../../shared/lifetimes';
import type { CockpitError } from '../../shared/result';
import { parseRoute, routeHash, type PanelRoute, type Route } from '../state/route';
import { asError, type CockpitSlice } from '../state/slice';

export interface ShellSlice {
  info?: AppInfo;
  bootError?: CockpitError;
  /** Where the URL says the user is (the panel registry resolves `route.panel`). */
  route: Route;
  /** The last failed action, shown until dismissed. */
  notice?: CockpitError;
  /**
   * Loads what every panel needs and starts the store's subscriptions. Safe to call twice
   * (React StrictMode runs effects twice): the second call answers the first call's promise.
   */
  boot(): Promise<void>;
  /** Releases every subscription and listener `boot` started (tests, hot reload). */
  dispose(): void;
  navigate(route: PanelRoute): void;
  dismissNotice(): void;
}

export const createShellSlice: CockpitSlice<ShellSlice> = (bridge) => (set, get) => {
  const lifetime = new DisposableStore();
  let booting: Promise<void> | undefined;

  const boot = async (): Promise<void> => {
    // Followed from the first moment: the shell paints before the host answers, and a panel
    // chosen meanwhile must not be lost.
    lifetime.addFn(bridge.location.onHashChange(() => set({ route: parseRoute(bridge.location.hash()) })));
    set({ route: parseRoute(bridge.location.hash()) });
    try {
      set({ info: await bridge.call('app:info', {}) });
    } catch (error) {
      set({ bootError: asError(error) });
      return;
    }
    await get().loadRunbook();
    get().startIncidentStream(lifetime);
    get().startProcedureStream(lifetime);
    void get().loadContexts();
    get().startContextSync();
    await get().loadVault();
  };

  return {
    route: parseRoute(bridge.location.hash()),
    boot: () => (booting ??= boot()),
    dispose: () => lifetime.dispose(),
    navigate(route) {
      bridge.location.setHash(routeHash(route));
      set({ route });
    },
    dismissNotice: () => set({ notice: undefined }),
  };
};
