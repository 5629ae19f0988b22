import { describe, expect, it } from 'vitest';
import type { PostgresOverview, RedisOverview } from '../../shared/contract/databases';
import { createCockpitStore } from './cockpitStore';
import { FakeBridge } from '../test/fakeBridge';

const pgOverview = (total: number): PostgresOverview => ({
  resultId: `dbr-pg${total}xxxxx`,
  at: new Date().toISOString(),
  context: 'drill',
  namespace: 'codesign-production',
  target: 'postgres-0',
  address: '127.0.0.1:5432',
  credential: 'secret',
  readiness: { state: 'accepting', ready: true },
  server: { ok: true, value: { version: 'PostgreSQL 15.18', versionNum: 150018, backend: 'postgresql', database: 'codesign_db', user: 'codesign', inRecovery: false } },
  connections: { ok: true, value: { byState: [{ state: 'idle', count: total }], total, maxConnections: 200, reserved: 3, idleOlder: { minutes: 5, count: 0 }, thresholds: { warning: 150, critical: 190, source: 'runbook' }, level: 'ok' } },
  slowStatements: { ok: true, value: { available: false, reason: 'no extension', howToEnable: 'preload it' } },
  activity: { ok: true, value: [] },
  tables: { ok: true, value: { tables: [], indexes: [] } },
  replication: { ok: true, value: { role: 'primary', replicas: [] } },
});
const redisOverview: RedisOverview = {
  resultId: 'dbr-redisxxxxx',
  at: new Date().toISOString(),
  context: 'drill',
  namespace: 'codesign-production',
  target: 'redis-0',
  address: '127.0.0.1:6379',
  credential: 'secret',
  ping: { ok: true, latencyMs: 0.4 },
  server: { ok: true, value: { version: '7.0.15', mode: 'standalone', uptimeSeconds: 10 } },
  memory: { ok: true, value: { usedBytes: 1, peakBytes: 1, fragmentationRatio: 1, maxmemoryBytes: 0, policy: 'noeviction' } },
  stats: { ok: true, value: { hits: 3, misses: 1, hitRate: 0.75, evictions: 0, opsPerSec: 1, expired: 0 } },
  clients: { ok: true, value: { connected: 1, blocked: 0 } },
  slowlog: { ok: true, value: [] },
};

function store(bridge: FakeBridge) {
  const s = createCockpitStore(bridge);
  s.setState({ contexts: { contexts: [], current: 'drill', namespace: 'codesign-production', problems: [], health: {} } });
  return s;
}

describe('databases slice', () => {
  it('keeps the last reading when a refresh fails (a dropped tunnel), beside the error', async () => {
    const bridge = new FakeBridge().answer('databases:postgres', pgOverview(12)).answer('databases:redis', redisOverview);
    const s = store(bridge);
    await s.getState().refreshDatabases();
    expect(s.getState().databases.postgres.value?.connections).toMatchObject({ ok: true, value: { total: 12 } });
    bridge.answer('databases:postgres', { code: 'Unreachable', message: 'the tunnel to PostgreSQL on postgres-0 dropped mid-query' });
    await s.getState().refreshDatabases();
    expect(s.getState().databases.postgres.error?.message).toContain('dropped mid-query');
    expect(s.getState().databases.postgres.value?.connections).toMatchObject({ ok: true, value: { total: 12 } });
    expect(s.getState().databases.redis.value?.stats).toMatchObject({ ok: true, value: { hitRate: 0.75 } });
    expect(bridge.callsOf('databases:postgres')).toEqual([{ context: 'drill' }, { context: 'drill' }]);
  });

  it('keeps the console result when the next query fails, and sends only the SQL and context', async () => {
    const bridge = new FakeBridge().answer('databases:query', { resultId: 'dbr-q1xxxxxx', sql: 'SELECT 1', columns: ['?column?'], rows: [['1']], rowCount: 1, truncated: false, durationMs: 2 });
    const s = store(bridge);
    s.getState().setConsoleSql('SELECT 1');
    await s.getState().runConsoleQuery();
    bridge.answer('databases:query', { code: 'Timeout', message: 'statement timeout: the query ran longer than allowed' });
    await s.getState().runConsoleQuery('slow-statements');
    expect(s.getState().databases.console.result?.rows).toEqual([['1']]);
    expect(s.getState().databases.console.error?.code).toBe('Timeout');
    expect(bridge.callsOf('databases:query')).toEqual([{ context: 'drill', sql: 'SELECT 1' }, { context: 'drill', named: 'slow-statements' }]);
  });

  it('asks for an incident before capturing, then captures into the active one', async () => {
    const bridge = new FakeBridge().answer('databases:capture', { name: 'postgres.json', bytes: 10, sha256: 'ab'.repeat(32) });
    const s = store(bridge);
    await s.getState().captureDatabaseResult('dbr-pg12xxxxx');
    expect(s.getState().databases.captured).toMatchObject({ error: { code: 'Invalid' } });
    s.setState({ route: { panel: 'incident', id: 'inc-20261201-abcd12' } });
    await s.getState().captureDatabaseResult('dbr-pg12xxxxx');
    expect(bridge.callsOf('databases:capture')).toEqual([{ resultId: 'dbr-pg12xxxxx', incidentId: 'inc-20261201-abcd12' }]);
    expect(s.getState().databases.captured).toMatchObject({ name: 'postgres.json' });
  });
});
