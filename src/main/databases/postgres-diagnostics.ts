/**
 * PostgreSQL diagnostics with `pg`: the runbook's questions (is it up, how many connections in
 * which state against max_connections and the thresholds, which statements are slow, who blocks
 * whom, which tables are bloated, how far behind the replicas are) asked in SQL adapted to the
 * server's version, and a read-only console. Each function takes a connected client, so one
 * session answers a whole overview.
 */
import pg from 'pg';
import type {
  ActiveQuery,
  ConsoleResult,
  IndexStat,
  PostgresConnections,
  PostgresReadiness,
  PostgresServerInfo,
  ReplicationInfo,
  SlowStatements,
  TableStat,
  ThresholdLevel,
} from '../../shared/contract/databases';
import { namedQuerySql } from '../../shared/runbook/actions';

const SQL_PASSWORD = /\b(PASSWORD)(\s*)('(?:[^']|'')*'|\$([A-Za-z_]*)\$[\s\S]*?\$\4\$)/gi;

/**
 * SQL text with password literals hidden (`CREATE ROLE x PASSWORD '...'` stays in
 * pg_stat_statements and pg_stat_activity verbatim): what the renderer and evidence may see.
 */
export function redactSqlSecrets(sql: string): string {
  return sql.replace(SQL_PASSWORD, (_m, word: string, space: string) => `${word}${space}'(redacted)'`);
}

/** Marks the cockpit's own sessions in pg_stat_activity, so its figures leave them out. */
export const COCKPIT_APPLICATION_NAME = 'incident-cockpit';

export interface PostgresConnectOptions {
  host: string;
  port: number;
  user: string;
  database: string;
  password?: string | undefined;
  /** Per-statement limit for diagnostics (the console sets its own inside the transaction). */
  statementTimeoutMs?: number;
  /** How long a statement waits for a lock (0: for ever, as maintenance must). */
  lockTimeoutMs?: number;
  connectTimeoutMs?: number;
  ssl?: boolean;
}

/** Opens one session; the caller ends it. The error handler keeps a dropped socket from crashing main. */
export async function openPostgres(options: PostgresConnectOptions): Promise<pg.Client> {
  const client = new pg.Client({
    host: options.host,
    port: options.port,
    user: options.user,
    database: options.database,
    ...(options.password !== undefined ? { password: options.password } : {}),
    application_name: COCKPIT_APPLICATION_NAME,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs ?? 15_000,
    // A table locked by another session must not hold the overview up (sizes need a share lock).
    lock_timeout: options.lockTimeoutMs ?? 2_000,
    ...(options.ssl ? { ssl: { rejectUnauthorized: false } } : {}),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/**
 * The pg_isready equivalent: a server that answers is `accepting` even when the password is
 * refused (pg_isready says the same); starting up or shutting down is `rejecting`; nothing on the
 * port is `no-response`.
 */
export async function checkReadiness(options: PostgresConnectOptions): Promise<PostgresReadiness> {
  const started = performance.now();
  let client: pg.Client | undefined;
  try {
    client = await openPostgres({ ...options, connectTimeoutMs: options.connectTimeoutMs ?? 3_000 });
    await client.query('SELECT 1');
    return { state: 'accepting', ready: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return readinessOfError(error, Math.round(performance.now() - started));
  } finally {
    await client?.end().catch(() => undefined);
  }
}

/** Classifies a connection error as pg_isready would. */
export function readinessOfError(error: unknown, latencyMs?: number): PostgresReadiness {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const latency = latencyMs !== undefined ? { latencyMs } : {};
  // The server answered, so it accepts connections; only this login failed.
  if (code === '28P01' || code === '28000' || code === '3D000' || code === '53300') {
    const why: Record<string, string> = {
      '28P01': 'the password was refused',
      '28000': 'this user may not connect (pg_hba.conf)',
      '3D000': 'the database asked for does not exist',
      '53300': 'every connection slot is taken',
    };
    return { state: 'accepting', ready: code !== '53300', reason: `the server answers, but ${why[code as string]}`, ...latency };
  }
  if (code === '57P03') return { state: 'rejecting', ready: false, reason: message, ...latency };
  if (code === 'ECONNREFUSED') return { state: 'no-response', ready: false, reason: 'connection refused: nothing listens on the port', ...latency };
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return { state: 'no-response', ready: false, reason: message, ...latency };
  if (/timeout|terminated|closed/i.test(message)) return { state: 'no-response', ready: false, reason: message, ...latency };
  return { state: 'no-attempt', ready: false, reason: message, ...latency };
}

export async function serverInfo(client: pg.Client): Promise<PostgresServerInfo> {
  const { rows } = await client.query<{ version: string; num: string; db: string; usr: string; rec: boolean }>(
    "SELECT version() AS version, current_setting('server_version_num') AS num, current_database() AS db, current_user AS usr, pg_is_in_recovery() AS rec",
  );
  const row = rows[0]!;
  return {
    version: row.version,
    versionNum: Number(row.num),
    backend: /PGlite|emscripten|wasm32/i.test(row.version) ? 'pglite' : 'postgresql',
    database: row.db,
    user: row.usr,
    inRecovery: row.rec,
  };
}

/** The runbook's `comparison: gt` against warning and critical. */
export function thresholdLevel(value: number, thresholds: { warning: number; critical: number }): ThresholdLevel {
  if (value > thresholds.critical) return 'critical';
  if (value > thresholds.warning) return 'warning';
  return 'ok';
}

/**
 * Client connections by state (the cockpit's own session left out), max_connections, and how
 * many are idle longer than `idleMinutes` (what the terminate action would end).
 */
export async function connections(
  client: pg.Client,
  thresholds: { warning: number; critical: number; source: string },
  idleMinutes: number,
): Promise<PostgresConnections> {
  const states = await client.query<{ state: string; count: string }>(
    `SELECT coalesce(state, 'unknown') AS state, count(*) AS count FROM pg_stat_activity
     WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1 ORDER BY 2 DESC, 1`,
  );
  const settings = await client.query<{ max: string; reserved: string }>(
    "SELECT current_setting('max_connections') AS max, current_setting('superuser_reserved_connections') AS reserved",
  );
  const idle = await client.query<{ count: string }>(
    `SELECT count(*) AS count FROM pg_stat_activity WHERE backend_type = 'client backend' AND state = 'idle'
     AND pid <> pg_backend_pid() AND state_change < now() - make_interval(mins => $1::int)`,
    [idleMinutes],
  );
  const byState = states.rows.map((r) => ({ state: r.state, count: Number(r.count) }));
  const total = byState.reduce((n, s) => n + s.count, 0);
  return {
    byState,
    total,
    maxConnections: Number(settings.rows[0]!.max),
    reserved: Number(settings.rows[0]!.reserved),
    idleOlder: { minutes: idleMinutes, count: Number(idle.rows[0]!.count) },
    thresholds,
    level: thresholdLevel(total, thresholds),
  };
}

export const PG_STAT_STATEMENTS_HOW_TO =
  "add pg_stat_statements to shared_preload_libraries in postgresql.conf, restart PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in the database";

/**
 * The ten slowest statements by mean time, with the column names of the server's version
 * (`mean_exec_time` from 13, `mean_time` before). A missing or unloaded extension is an answer.
 */
export async function slowStatements(client: pg.Client, versionNum: number, database: string): Promise<SlowStatements> {
  const installed = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'");
  if (installed.rowCount === 0) {
    const available = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements'").catch(() => ({ rowCount: 0 }));
    return {
      available: false,
      reason: available.rowCount ? `pg_stat_statements is not installed in database "${database}"` : 'this server has no pg_stat_statements extension (it is not built in, e.g. PGlite)',
      howToEnable: available.rowCount ? PG_STAT_STATEMENTS_HOW_TO : 'use a PostgreSQL server that ships contrib (postgresql-contrib), then: ' + PG_STAT_STATEMENTS_HOW_TO,
    };
  }
  const columns = versionNum >= 130000 ? 'mean_exec_time' : 'mean_time';
  const base = namedQuerySql('slow-statements', database, versionNum);
  // The catalogue's SQL plus rows; the catalogue's column aliases (mean_time, total_time) hold for both versions.
  const sql = base.replace(/^SELECT query,/, 'SELECT query, rows,');
  try {
    const { rows } = await client.query<{ query: string; rows: string; mean_time: number; calls: string; total_time: number }>(sql);
    return {
      available: true,
      columns,
      statements: rows.map((r) => ({ query: redactSqlSecrets(r.query), calls: Number(r.calls), meanMs: Number(r.mean_time), totalMs: Number(r.total_time), rows: Number(r.rows) })),
    };
  } catch (error) {
    if ((error as { code?: unknown }).code === '55000') {
      return { available: false, reason: 'pg_stat_statements is installed but not loaded (it must be in shared_preload_libraries)', howToEnable: PG_STAT_STATEMENTS_HOW_TO };
    }
    throw error;
  }
}

/** Sessions not idle (the cockpit's own left out), oldest query first, with who blocks them. */
export async function activity(client: pg.Client): Promise<ActiveQuery[]> {
  const { rows } = await client.query<{
    pid: number;
    usename: string | null;
    datname: string | null;
    state: string | null;
    ms: number | null;
    wait: string | null;
    query: string;
    blocked_by: number[];
  }>(
    `SELECT pid, usename, datname, state, extract(epoch FROM now() - query_start) * 1000 AS ms,
            CASE WHEN wait_event IS NULL THEN NULL ELSE wait_event_type || ':' || wait_event END AS wait,
            left(query, 2000) AS query, pg_blocking_pids(pid) AS blocked_by
     FROM pg_stat_activity
     WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'
       AND coalesce(application_name, '') <> '${COCKPIT_APPLICATION_NAME}'
     ORDER BY query_start NULLS LAST LIMIT 50`,
  );
  return rows.map((r) => ({
    pid: r.pid,
    user: r.usename ?? '',
    database: r.datname ?? '',
    state: r.state ?? 'unknown',
    durationMs: Math.max(0, Math.round(Number(r.ms ?? 0))),
    ...(r.wait ? { waitEvent: r.wait } : {}),
    query: redactSqlSecrets(r.query),
    blockedBy: (r.blocked_by ?? []).map(Number),
  }));
}

/** Tables by dead rows (the bloat estimate) and indexes by fewest scans (unused ones first). */
export async function tableStats(client: pg.Client): Promise<{ tables: TableStat[]; indexes: IndexStat[] }> {
  const tables = await client.query<{
    relname: string;
    schemaname: string;
    live: string;
    dead: string;
    seq: string;
    idx: string | null;
    size: string;
    vac: Date | null;
    ana: Date | null;
  }>(
    `SELECT relname, schemaname, n_live_tup AS live, n_dead_tup AS dead, seq_scan AS seq, idx_scan AS idx,
            pg_total_relation_size(relid) AS size,
            greatest(last_vacuum, last_autovacuum) AS vac, greatest(last_analyze, last_autoanalyze) AS ana
     FROM pg_stat_user_tables ORDER BY n_dead_tup DESC, pg_total_relation_size(relid) DESC LIMIT 25`,
  );
  const indexes = await client.query<{ relname: string; indexrelname: string; scans: string; size: string; uniq: boolean }>(
    `SELECT s.relname, s.indexrelname, s.idx_scan AS scans, pg_relation_size(s.indexrelid) AS size, i.indisunique AS uniq
     FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
     ORDER BY s.idx_scan ASC, pg_relation_size(s.indexrelid) DESC LIMIT 25`,
  );
  return {
    tables: tables.rows.map((r) => shapeTable(r)),
    indexes: indexes.rows.map((r) => ({
      table: r.relname,
      index: r.indexrelname,
      scans: Number(r.scans),
      sizeBytes: Number(r.size),
      // A unique index enforces a constraint even when never scanned.
      unused: Number(r.scans) === 0 && !r.uniq,
    })),
  };
}

export function shapeTable(r: { relname: string; schemaname: string; live: string; dead: string; seq: string; idx: string | null; size: string; vac: Date | null; ana: Date | null }): TableStat {
  const live = Number(r.live);
  const dead = Number(r.dead);
  return {
    table: r.schemaname === 'public' ? r.relname : `${r.schemaname}.${r.relname}`,
    liveRows: live,
    deadRows: dead,
    deadRatio: live + dead === 0 ? 0 : dead / (live + dead),
    seqScans: Number(r.seq),
    indexScans: Number(r.idx ?? 0),
    sizeBytes: Number(r.size),
    ...(r.vac ? { lastVacuum: new Date(r.vac).toISOString() } : {}),
    ...(r.ana ? { lastAnalyze: new Date(r.ana).toISOString() } : {}),
  };
}

/** Replicas streaming from this primary with their lag, or this replica's own replay lag. */
export async function replication(client: pg.Client, inRecovery: boolean): Promise<ReplicationInfo> {
  if (inRecovery) {
    const { rows } = await client.query<{ ms: number | null }>('SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000 AS ms');
    const ms = rows[0]?.ms;
    return { role: 'replica', replicas: [], lagMs: ms === null || ms === undefined ? null : Math.round(Number(ms)) };
  }
  const { rows } = await client.query<{ name: string; addr: string | null; state: string; sync: string; bytes: string | null; ms: number | null }>(
    `SELECT application_name AS name, client_addr::text AS addr, state, sync_state AS sync,
            pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS bytes, extract(epoch FROM replay_lag) * 1000 AS ms
     FROM pg_stat_replication ORDER BY application_name`,
  );
  return {
    role: 'primary',
    replicas: rows.map((r) => ({
      name: r.name,
      address: r.addr ?? 'local',
      state: r.state,
      syncState: r.sync,
      replayLagBytes: r.bytes === null ? null : Number(r.bytes),
      replayLagMs: r.ms === null ? null : Math.round(Number(r.ms)),
    })),
  };
}

const cell = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return redactSqlSecrets(typeof value === 'object' ? JSON.stringify(value) : String(value));
};

/**
 * Runs one statement inside `BEGIN READ ONLY` with a local statement_timeout, then rolls back.
 * The extended protocol refuses a second statement, so `COMMIT; DROP ...` cannot escape the
 * read-only transaction. At most `maxRows` rows come back (`truncated` says when there were more).
 */
export async function runReadOnly(
  client: pg.Client,
  sql: string,
  options: { timeoutMs: number; maxRows: number },
): Promise<Omit<ConsoleResult, 'resultId' | 'sql' | 'named'>> {
  const started = performance.now();
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(options.timeoutMs))}`);
    const result = await client.query({ text: sql, rowMode: 'array', queryMode: 'extended' } as pg.QueryConfig & { rowMode: 'array'; queryMode: 'extended' });
    const rows = (result.rows as unknown[][]).slice(0, options.maxRows).map((r) => r.map(cell));
    return {
      columns: (result.fields ?? []).map((f) => f.name),
      rows,
      rowCount: result.rowCount ?? result.rows.length,
      truncated: result.rows.length > options.maxRows,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}
