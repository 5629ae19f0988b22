import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseActions } from '../../../src/main/databases/database-actions';
import { DatabaseService } from '../../../src/main/databases/database-service';
import { loadRunbookFile } from '../../../src/main/runbook/loader';
import type { Runbook } from '../../../src/shared/runbook/schema';
import type { CockpitFailure } from '../../../src/shared/result';
import { startDrillDatabases, NS, type DrillDatabases } from './drill-databases';
import { freePort } from './servers';

const quiet = { info() {}, warn() {}, error() {} };
const RUNBOOK = 'resources/runbooks/codesign-playground.yaml';

let drill: DrillDatabases;
let runbook: Runbook;
let service: DatabaseService;
const load: pg.Client[] = [];

async function loadClient(): Promise<pg.Client> {
  const client = new pg.Client({ host: drill.postgres.host, port: drill.postgres.port, user: 'codesign', password: drill.passwords.postgres, database: 'codesign_db', application_name: 'load' });
  client.on('error', () => undefined);
  await client.connect();
  load.push(client);
  return client;
}

/** What the server itself says, from a superuser session that leaves out itself and the cockpit's sessions. */
async function serverStates(): Promise<Record<string, number>> {
  const admin = await drill.postgres.admin('codesign_db');
  try {
    const { rows } = await admin.query<{ state: string; n: string }>(
      "SELECT coalesce(state, 'unknown') AS state, count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND application_name <> 'incident-cockpit' GROUP BY 1",
    );
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  } finally {
    await admin.end();
  }
}

beforeAll(async () => {
  drill = await startDrillDatabases();
  runbook = await loadRunbookFile(RUNBOOK);
  service = new DatabaseService({ endpoints: drill.endpoints, runbook, logger: quiet });
}, 120_000);

afterAll(async () => {
  await Promise.all(load.map((c) => c.end().catch(() => undefined)));
  await drill?.stop();
});

describe('PostgreSQL diagnostics through the drill port-forward', () => {
  it('counts connections by state as the server does, against max_connections and the runbook thresholds', async () => {
    for (let i = 0; i < 6; i++) await loadClient();
    const sleepers = await Promise.all([loadClient(), loadClient()]);
    const sleeping = sleepers.map((c) => c.query('SELECT pg_sleep(20)').catch(() => undefined));
    await expect.poll(async () => (await serverStates()).active ?? 0).toBe(2);
    const overview = await service.postgresOverview({ context: 'drill' });
    expect(overview.credential).toBe('secret');
    expect(overview.readiness).toMatchObject({ state: 'accepting', ready: true });
    expect(overview.server).toMatchObject({ ok: true, value: { backend: 'postgresql', database: 'codesign_db', user: 'codesign' } });
    if (!overview.connections.ok) throw new Error(overview.connections.error.message);
    const direct = await serverStates();
    expect(Object.fromEntries(overview.connections.value.byState.map((s) => [s.state, s.count]))).toEqual(direct);
    expect(overview.connections.value.byState.find((s) => s.state === 'idle')?.count).toBe(6);
    expect(overview.connections.value.maxConnections).toBe(100);
    expect(overview.connections.value.thresholds).toMatchObject({ warning: 150, critical: 190 });
    expect(overview.connections.value.level).toBe('ok');
    // The two sleepers are long-running queries.
    if (!overview.activity.ok) throw new Error(overview.activity.error.message);
    const sleepersSeen = overview.activity.value.filter((q) => q.query.includes('pg_sleep(20)'));
    expect(sleepersSeen.map((q) => q.pid).sort()).toEqual(sleepers.map((c) => (c as unknown as { processID: number }).processID).sort());
    await Promise.all(sleepers.map((c) => drill.postgres.admin().then(async (a) => (await a.query('SELECT pg_cancel_backend($1)', [(c as unknown as { processID: number }).processID]), a.end()))));
    await Promise.all(sleeping);
  });

  it('reads the slowest statements with the version 13+ column names, matching pg_stat_statements', async () => {
    const client = await loadClient();
    for (let i = 0; i < 3; i++) await client.query('SELECT pg_sleep(0.15)');
    const overview = await service.postgresOverview({ context: 'drill' });
    if (!overview.slowStatements.ok) throw new Error(overview.slowStatements.error.message);
    const slow = overview.slowStatements.value;
    if (!slow.available) throw new Error(slow.reason);
    expect(slow.columns).toBe('mean_exec_time');
    const sleep = slow.statements.find((s) => /pg_sleep\(\$1\)/.test(s.query));
    expect(sleep).toBeDefined();
    const admin = await drill.postgres.admin('codesign_db');
    const { rows } = await admin.query<{ calls: string; mean: number }>("SELECT calls, mean_exec_time AS mean FROM pg_stat_statements WHERE query = $1", [sleep!.query]);
    await admin.end();
    expect(sleep!.calls).toBe(Number(rows[0]!.calls));
    expect(sleep!.meanMs).toBeCloseTo(rows[0]!.mean, 3);
    expect(sleep!.meanMs).toBeGreaterThanOrEqual(150);
    // ALTER ROLE ... PASSWORD from the harness is in pg_stat_statements verbatim; the cockpit hides it.
    expect(JSON.stringify(overview)).not.toContain(drill.passwords.postgres);
  });

  it('says when pg_stat_statements is not installed in the database, and how to enable it', async () => {
    const overview = await service.postgresOverview({ context: 'drill', database: 'postgres' });
    expect(overview.slowStatements).toEqual({
      ok: true,
      value: { available: false, reason: 'pg_stat_statements is not installed in database "postgres"', howToEnable: expect.stringContaining('shared_preload_libraries') },
    });
    const named = await service.query({ context: 'drill', database: 'postgres', named: 'slow-statements' });
    expect(named.note).toMatch(/not installed in database "postgres"; to enable it: add pg_stat_statements to shared_preload_libraries/);
    expect(overview.connections.ok).toBe(true);
  });

  it('shows who blocks whom with pg_blocking_pids', async () => {
    const holder = await loadClient();
    const waiter = await loadClient();
    await holder.query('BEGIN; LOCK TABLE designs IN ACCESS EXCLUSIVE MODE');
    const waiting = waiter.query('SELECT count(*) FROM designs').catch(() => undefined);
    const holderPid = (holder as unknown as { processID: number }).processID;
    const waiterPid = (waiter as unknown as { processID: number }).processID;
    await expect.poll(async () => {
      const o = await service.postgresOverview({ context: 'drill' });
      return o.activity.ok ? o.activity.value.find((q) => q.pid === waiterPid)?.blockedBy : undefined;
    }, { timeout: 15_000 }).toEqual([holderPid]);
    // The locked table cannot be sized; that part says so and the rest of the overview is there.
    const locked = await service.postgresOverview({ context: 'drill' });
    expect(locked.tables).toMatchObject({ ok: false, error: { code: 'Timeout', message: expect.stringContaining('locked by another session') } });
    expect(locked.connections.ok).toBe(true);
    await holder.query('ROLLBACK');
    await waiting;
  });

  it('reports table dead rows and index scans as pg_stat_user_tables does', async () => {
    const overview = await service.postgresOverview({ context: 'drill' });
    if (!overview.tables.ok) throw new Error(overview.tables.error.message);
    const admin = await drill.postgres.admin('codesign_db');
    const { rows } = await admin.query<{ live: string; dead: string }>("SELECT n_live_tup AS live, n_dead_tup AS dead FROM pg_stat_user_tables WHERE relname = 'designs'");
    await admin.end();
    const designs = overview.tables.value.tables.find((t) => t.table === 'designs')!;
    expect(designs.liveRows).toBe(Number(rows[0]!.live));
    expect(designs.deadRows).toBe(Number(rows[0]!.dead));
    expect(designs.deadRows).toBeGreaterThan(0);
    expect(designs.deadRatio).toBeCloseTo(designs.deadRows / (designs.liveRows + designs.deadRows), 6);
    expect(overview.tables.value.indexes.map((i) => i.index)).toContain('designs_owner_idx');
    expect(overview.replication).toEqual({ ok: true, value: { role: 'primary', replicas: [] } });
  });

  it('runs console queries read-only with a statement timeout, and refuses writes and a second statement', async () => {
    const named = await service.query({ context: 'drill', named: 'connections-by-state' });
    expect(named.columns).toEqual(['active_connections', 'state']);
    const adhoc = await service.query({ context: 'drill', sql: 'SELECT count(*) AS n FROM designs' });
    expect(adhoc.rows).toEqual([['400']]);
    await expect(service.query({ context: 'drill', sql: 'DELETE FROM designs' })).rejects.toMatchObject({ code: 'Forbidden', message: expect.stringContaining('read-only') });
    await expect(service.query({ context: 'drill', sql: 'COMMIT; DELETE FROM designs' })).rejects.toMatchObject({ code: 'Invalid' });
    await expect(service.query({ context: 'drill', sql: 'SELECT pg_sleep(3)', timeoutMs: 200 })).rejects.toMatchObject({ code: 'Timeout', message: expect.stringContaining('statement timeout') });
    await expect(service.query({ context: 'drill', named: 'terminate-idle' })).rejects.toMatchObject({ code: 'Forbidden' });
    const still = await service.query({ context: 'drill', sql: 'SELECT count(*) FROM designs' });
    expect(still.rows).toEqual([['400']]);
  });

  it('terminates idle connections older than N minutes through the action, and they are gone', async () => {
    for (let i = 0; i < 4; i++) await loadClient();
    await expect.poll(async () => (await serverStates()).idle ?? 0).toBeGreaterThanOrEqual(4);
    const actions = new DatabaseActions(service);
    const action = { type: 'pg.query' as const, params: { namespace: NS, pod: 'postgres-0', user: 'codesign', database: 'codesign_db', queries: ['terminate-idle' as const], idleMinutes: 0 } };
    const prepared = await actions.prepare('drill', action);
    const idleBefore = (await serverStates()).idle!;
    expect(prepared.summary).toContain(`Would terminate ${idleBefore} connection`);
    const result = await prepared.execute(() => undefined, new AbortController().signal);
    expect(result.output).toContain(`terminated ${idleBefore} connection`);
    await expect.poll(async () => (await serverStates()).idle ?? 0).toBe(0);
    const overview = await service.postgresOverview({ context: 'drill' });
    expect(overview.connections.ok && overview.connections.value.byState.find((s) => s.state === 'idle')).toBeFalsy();
  });

  it('runs VACUUM ANALYZE and REINDEX with the backup reminder, and pg.ready', async () => {
    const actions = new DatabaseActions(service);
    const prepared = await actions.prepare('drill', { type: 'pg.query', params: { namespace: NS, pod: 'postgres-0', user: 'codesign', database: 'codesign_db', queries: ['vacuum-analyze', 'reindex'] } });
    expect(prepared.summary).toContain('Back up first');
    const result = await prepared.execute(() => undefined, new AbortController().signal);
    expect(result.output).toMatch(/VACUUM in [0-9.]+ s/);
    expect(result.output).toMatch(/REINDEX in [0-9.]+ s/);
    const admin = await drill.postgres.admin('codesign_db');
    const { rows } = await admin.query<{ dead: string }>("SELECT n_dead_tup AS dead FROM pg_stat_user_tables WHERE relname = 'designs'");
    await admin.end();
    expect(Number(rows[0]!.dead)).toBe(0);
    const ready = await (await actions.prepare('drill', { type: 'pg.ready', params: { namespace: NS, pod: 'postgres-0', user: 'codesign' } })).execute(() => undefined, new AbortController().signal);
    expect(ready.output).toContain('accepting connections');
    expect(ready.failed).toBeUndefined();
  });

  it('streams pg_dump into the evidence hook with its size and hash, password never on the command line', async () => {
    const actions = new DatabaseActions(service);
    const prepared = await actions.prepare('drill', { type: 'pg.dump', params: { namespace: NS, pod: 'postgres-0', user: 'codesign', database: 'codesign_db', outputFile: '/backup/pre.sql' } });
    const sealed: Buffer[] = [];
    const result = await prepared.execute(() => undefined, new AbortController().signal, {
      attach: async (_name, source) => {
        for await (const chunk of source) sealed.push(chunk);
        return { sha256: 'sealed-1' };
      },
    });
    const dump = Buffer.concat(sealed).toString();
    expect(dump).toContain('CREATE TABLE public.designs');
    expect(result.output).toContain(`${Buffer.byteLength(dump)} bytes`);
    expect(result.output).toContain('sealed-1');
    expect(dump).not.toContain(drill.passwords.postgres);
  });

  it('gives specific errors: wrong password, missing database, TLS required, pod not found', async () => {
    service.setCredentials({ context: 'drill', kind: 'postgres', password: 'wrong-password' });
    const wrong = await service.postgresOverview({ context: 'drill' }).catch((e: CockpitFailure) => e);
    expect(wrong).toMatchObject({ code: 'Unauthorized', message: expect.stringContaining('wrong password for PostgreSQL user "codesign"') });
    expect(String((wrong as Error).message)).not.toContain('wrong-password');
    service.setCredentials({ context: 'drill', kind: 'postgres', password: null });
    await expect(service.postgresOverview({ context: 'drill', database: 'nope_db' })).rejects.toMatchObject({ code: 'NotFound', message: 'database "nope_db" does not exist on postgres-0' });
    service.setCredentials({ context: 'drill', kind: 'postgres', user: 'tlsonly', password: 'tls-only-password' });
    await expect(service.postgresOverview({ context: 'drill' })).rejects.toMatchObject({ code: 'Unauthorized', message: expect.stringContaining('the server requires TLS for user "tlsonly"') });
    service.setCredentials({ context: 'drill', kind: 'postgres', password: null });
    await expect(service.postgresOverview({ context: 'drill', pod: 'postgres-9' })).rejects.toMatchObject({ code: 'NotFound', message: expect.stringMatching(/pod postgres-9 (does not exist|not found)/) });
  });
});

describe('nothing listening', () => {
  it('says connection refused at the address, for PostgreSQL and Redis', async () => {
    const port = await freePort();
    const direct = new DatabaseService({
      endpoints: { endpoint: async () => ({ host: '127.0.0.1', port }), readSecretKey: async () => 'x' },
      logger: quiet,
    });
    await expect(direct.postgresOverview({ context: 'drill' })).rejects.toMatchObject({ code: 'Unreachable', message: `connection refused at 127.0.0.1:${port}: PostgreSQL on postgres-0 is not listening there (is the server running, the port right?)` });
    await expect(direct.redisOverview({ context: 'drill' })).rejects.toMatchObject({ code: 'Unreachable', message: expect.stringContaining(`connection refused at 127.0.0.1:${port}`) });
  });
});

describe('a tunnel dropped mid-query', () => {
  it('says so specifically, and the next read works again through a fresh tunnel', async () => {
    const running = service.query({ context: 'drill', sql: 'SELECT pg_sleep(5)', timeoutMs: 20_000 }).catch((e: CockpitFailure) => e);
    const sleeping = async () => {
      const admin = await drill.postgres.admin();
      const { rows } = await admin.query("SELECT 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(5)' AND state = 'active'");
      await admin.end();
      return rows.length;
    };
    await expect.poll(sleeping, { timeout: 10_000 }).toBe(1);
    for (const tunnel of drill.tunnels.list('drill')) if (tunnel.remotePort === 5432) drill.tunnels.close(tunnel.id);
    const failure = await running;
    expect(failure).toMatchObject({ code: 'Unreachable', message: expect.stringContaining('dropped mid-query; results already shown are kept') });
    const again = await service.query({ context: 'drill', sql: 'SELECT 1 AS one' });
    expect(again.rows).toEqual([['1']]);
  });
});

describe('Redis diagnostics through the drill port-forward', () => {
  it('reports hits, misses and the hit rate as INFO stats does, with memory, clients and slowlog', async () => {
    const direct = new Redis({ host: drill.redis.host, port: drill.redis.port, password: drill.passwords.redis, lazyConnect: true });
    await direct.connect();
    for (let i = 0; i < 5; i++) await direct.set(`k${i}`, 'v');
    for (let i = 0; i < 5; i++) await direct.get(`k${i}`);
    for (let i = 0; i < 3; i++) await direct.get(`missing${i}`);
    const overview = await service.redisOverview({ context: 'drill' });
    const fields = Object.fromEntries(
      (await direct.info('stats'))
        .split('\r\n')
        .filter((l) => l.includes(':'))
        .map((l) => l.split(':') as [string, string]),
    );
    const policy = (await direct.config('GET', 'maxmemory-policy')) as string[];
    direct.disconnect();
    expect(overview.credential).toBe('secret');
    expect(overview.ping.ok).toBe(true);
    if (!overview.stats.ok || !overview.memory.ok || !overview.clients.ok || !overview.slowlog.ok) throw new Error('a section failed');
    expect(overview.stats.value.hits).toBe(Number(fields.keyspace_hits));
    expect(overview.stats.value.misses).toBe(Number(fields.keyspace_misses));
    expect(overview.stats.value.hits).toBeGreaterThanOrEqual(5);
    expect(overview.stats.value.hitRate).toBeCloseTo(Number(fields.keyspace_hits) / (Number(fields.keyspace_hits) + Number(fields.keyspace_misses)), 9);
    expect(overview.memory.value.policy).toBe(policy[1]);
    expect(overview.memory.value.usedBytes).toBeGreaterThan(0);
    expect(overview.clients.value.connected).toBeGreaterThanOrEqual(1);
    // slowlog-log-slower-than 0: every command is logged; the values are not shown.
    expect(overview.slowlog.value.length).toBeGreaterThan(0);
    expect(JSON.stringify(overview)).not.toContain(drill.passwords.redis);
  });

  it('runs the redis.info action with the password from the named Secret key', async () => {
    const actions = new DatabaseActions(service);
    const prepared = await actions.prepare('drill', { type: 'redis.info', params: { namespace: NS, pod: 'redis-0', section: 'memory', passwordSecret: { name: 'codesign-secrets', key: 'redis-password' } } });
    const result = await prepared.execute(() => undefined, new AbortController().signal);
    expect(result.output).toMatch(/^memory: used \d+ B, peak \d+ B, fragmentation [0-9.]+, maxmemory unlimited \(noeviction\)/);
    expect(result.output).toContain('used_memory:');
    expect(result.output).not.toContain(drill.passwords.redis);
  });

  it('says wrong password specifically', async () => {
    service.setCredentials({ context: 'drill', kind: 'redis', password: 'not-the-password' });
    await expect(service.redisOverview({ context: 'drill' })).rejects.toMatchObject({ code: 'Unauthorized', message: expect.stringContaining('wrong password for Redis') });
    service.setCredentials({ context: 'drill', kind: 'redis', password: null });
  });
});
