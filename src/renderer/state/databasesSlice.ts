import type { ConsoleResult, PostgresOverview, RedisOverview } from '../../shared/contract/databases';
import type { CockpitError } from '../../shared/result';
import type { PgNamedQuery } from '../../shared/runbook/actions';
import { activeIncidentId } from '../incidents/incidentsSlice';
import { asError, type CockpitSlice } from './slice';

/** One server's card: the last good reading (kept when a refresh fails) and the last failure. */
export interface DatabaseCard<T> {
  value?: T;
  error?: CockpitError;
  loading: boolean;
  /** The context the value was read from; another context starts empty. */
  context?: string;
}

export interface DatabasesState {
  postgres: DatabaseCard<PostgresOverview>;
  redis: DatabaseCard<RedisOverview>;
  console: { sql: string; running: boolean; result?: ConsoleResult; error?: CockpitError };
  /** What the last capture sealed, or why it could not. */
  captured?: { name: string; sha256: string } | { error: CockpitError };
}

export interface DatabasesSlice {
  databases: DatabasesState;
  /** Reads both overviews for the current context (a failure keeps what was shown). */
  refreshDatabases(): Promise<void>;
  setConsoleSql(sql: string): void;
  runConsoleQuery(named?: PgNamedQuery): Promise<void>;
  /** Sends a typed password to main (held in memory there); null forgets it. */
  setDatabasePassword(kind: 'postgres' | 'redis', password: string | null): Promise<void>;
  /** Seals a shown result into the active incident. */
  captureDatabaseResult(resultId: string): Promise<void>;
}

const empty = <T>(): DatabaseCard<T> => ({ loading: false });

export const createDatabasesSlice: CockpitSlice<DatabasesSlice> = (bridge) => (set, get) => {
  const patch = (update: Partial<DatabasesState>) => set((s) => ({ databases: { ...s.databases, ...update } }));
  const read = async <K extends 'postgres' | 'redis'>(kind: K, context: string) => {
    const current = get().databases[kind];
    const kept = current.context === context ? current : empty();
    patch({ [kind]: { ...kept, loading: true, context } } as Partial<DatabasesState>);
    try {
      const value = kind === 'postgres' ? await bridge.call('databases:postgres', { context }) : await bridge.call('databases:redis', { context });
      if (get().contexts?.current !== context) return;
      patch({ [kind]: { value, loading: false, context } } as Partial<DatabasesState>);
    } catch (error) {
      if (get().contexts?.current !== context) return;
      const now = get().databases[kind];
      patch({ [kind]: { ...now, error: asError(error), loading: false, context } } as Partial<DatabasesState>);
    }
  };

  return {
    databases: { postgres: empty(), redis: empty(), console: { sql: 'SELECT state, count(*) FROM pg_stat_activity GROUP BY state', running: false } },

    async refreshDatabases() {
      const context = get().contexts?.current;
      if (!context) return;
      await Promise.all([read('postgres', context), read('redis', context)]);
    },

    setConsoleSql(sql) {
      patch({ console: { ...get().databases.console, sql } });
    },

    async runConsoleQuery(named) {
      const context = get().contexts?.current;
      if (!context) return;
      const consoleState = get().databases.console;
      patch({ console: { ...consoleState, running: true, error: undefined } });
      try {
        const result = await bridge.call('databases:query', named ? { context, named } : { context, sql: consoleState.sql });
        patch({ console: { ...get().databases.console, running: false, result, error: undefined } });
      } catch (error) {
        // The last result stays on screen beside the error.
        patch({ console: { ...get().databases.console, running: false, error: asError(error) } });
      }
    },

    async setDatabasePassword(kind, password) {
      const context = get().contexts?.current;
      if (!context) return;
      try {
        await bridge.call('databases:setCredentials', { context, kind, password });
      } catch (error) {
        set({ notice: asError(error) });
        return;
      }
      await read(kind, context);
    },

    async captureDatabaseResult(resultId) {
      const incidentId = activeIncidentId(get());
      if (!incidentId) {
        patch({ captured: { error: { code: 'Invalid', message: 'declare or open an incident to capture into' } } });
        return;
      }
      try {
        const sealed = await bridge.call('databases:capture', { resultId, incidentId });
        patch({ captured: { name: sealed.name, sha256: sealed.sha256 } });
      } catch (error) {
        patch({ captured: { error: asError(error) } });
      }
    },
  };
};
