import { create } from 'zustand';
import { createAlertsSlice, type AlertsSlice } from '../alerts/alertsSlice';
import { createClusterSlice, type ClusterSlice } from '../cluster/clusterSlice';
import { createContextsSlice, type ContextsSlice } from '../contexts/contextsSlice';
import { createDrillSlice, type DrillSlice } from '../drill/drillSlice';
import { createEvidenceSlice, type EvidenceSlice } from '../evidence/evidenceSlice';
import { createIncidentsSlice, type IncidentsSlice } from '../incidents/incidentsSlice';
import { createProceduresSlice, type ProceduresSlice } from '../procedures/proceduresSlice';
import { createLogsSlice, type LogsSlice } from '../logs/logsSlice';
import { createRunbookSlice, type RunbookSlice } from '../runbook/runbookSlice';
import { createShellSlice, type ShellSlice } from '../shell/shellSlice';
import { createTerminalSlice, type TerminalSlice } from '../terminal/terminalSlice';
import type { Bridge } from './bridge';
import { createDatabasesSlice, type DatabasesSlice } from './databasesSlice';
import { createTunnelsSlice, type TunnelsSlice } from './tunnelsSlice';

/**
 * The renderer's one store, made of one slice per domain (`src/renderer/<domain>/<domain>Slice.ts`).
 * A new domain adds its slice type here and its creator to `createCockpitStore`, nothing else.
 */
export type CockpitState = ShellSlice & RunbookSlice & IncidentsSlice & ContextsSlice & DrillSlice & EvidenceSlice & ClusterSlice & ProceduresSlice & AlertsSlice & LogsSlice & TerminalSlice & DatabasesSlice & TunnelsSlice;

/** Builds a store whose actions talk to `bridge` (the page's `window.cockpit`, or a test fake). */
export function createCockpitStore(bridge: Bridge) {
  return create<CockpitState>()((...store) => ({
    ...createShellSlice(bridge)(...store),
    ...createRunbookSlice(bridge)(...store),
    ...createIncidentsSlice(bridge)(...store),
    ...createContextsSlice(bridge)(...store),
    ...createDrillSlice(bridge)(...store),
    ...createEvidenceSlice(bridge)(...store),
    ...createClusterSlice(bridge)(...store),
    ...createProceduresSlice(bridge)(...store),
    ...createAlertsSlice()(bridge)(...store),
    ...createLogsSlice(bridge)(...store),
    ...createTerminalSlice(bridge)(...store),
    ...createDatabasesSlice(bridge)(...store),
    ...createTunnelsSlice(bridge)(...store),
  }));
}

export type CockpitStore = ReturnType<typeof createCockpitStore>;

