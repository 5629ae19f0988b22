/**
 * The procedure engine's `pg.*` and `redis.*` actions: readiness, the runbook's named queries
 * (reads, terminating idle connections, VACUUM ANALYZE, ANALYZE, REINDEX DATABASE with progress
 * and duration), a pg_dump streamed into the evidence store, and Redis INFO. The engine gates
 * them by risk (its confirmation, the typed name for destructive ones) and records each run;
 * this class prepares a preview of what a change would touch and does it when executed.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, constants, readdir } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { CockpitFailure } from '../../shared/result';
import { namedQuerySql, PG_QUERY_CATALOGUE, type ActionParams, type PgNamedQuery } from '../../shared/runbook/actions';
import type { EngineAction } from '../../shared/procedures/model';
import type { ActionEvidence, ActionResult, PreparedAction } from '../procedures/cluster-actions';
import { explainPostgresError, explainRedisError } from './database-errors';
import type { DatabaseService, ResolvedPostgres } from './database-service';
import { checkReadiness, redactSqlSecrets, serverInfo, slowStatements } from './postgres-diagnostics';
import { clientFigures, hitRate, memoryFigures, parseRedisInfo, statsFigures } from './redis-diagnostics';

export const DATABASE_ACTION_TYPES: ReadonlySet<string> = new Set(['pg.ready', 'pg.query', 'pg.dump', 'redis.info']);

type PgTargetParams = { namespace: string; pod: string; user?: string | undefined; database?: string | undefined };

/** Rows as psql prints them (aligned columns, a row count), for the run's output. */
export function formatRows(columns: string[], rows: Array<Array<unknown>>): string {
  if (columns.length === 0) return `(${rows.length} row${rows.length === 1 ? '' : 's'})`;
  const text = rows.map((r) => r.map((v) => redactSqlSecrets(v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(/\s+/g, ' ')));
  const widths = columns.map((c, i) => Math.min(80, Math.max(c.length, ...text.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]) => cells.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join(' | ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...text.map(line), `(${rows.length} row${rows.length === 1 ? '' : 's'})`].join('\n');
}

const elapsed = (startedMs: number) => `${((performance.now() - startedMs) / 1000).toFixed(1)} s`;

/** The newest pg_dump on this machine (PATH, then Debian's /usr/lib/postgresql/N/bin). */
export async function findPgDump(): Promise<{ path: string; major: number } | undefined> {
  const found: Array<{ path: string; major: number }> = [];
  const root = '/usr/lib/postgresql';
  for (const version of await readdir(root).catch(() => [] as string[])) {
    const candidate = path.join(root, version, 'bin', 'pg_dump');
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) found.push({ path: candidate, major: Number(version) || 0 });
  }
  found.sort((a, b) => b.major - a.major);
  if (found[0]) return found[0];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'pg_dump');
    if (dir && (await access(candidate, constants.X_OK).then(() => true, () => false))) return { path: candidate, major: 0 };
  }
  return undefined;
}

export class DatabaseActions {
  constructor(private readonly databases: DatabaseService) {}

  /** Readies a `pg.*` / `redis.*` action of `context` for the engine. */
  async prepare(context: string, action: EngineAction): Promise<PreparedAction> {
    switch (action.type) {
      case 'pg.ready':
        return this.prepareReady(context, action.params);
      case 'pg.query':
        return this.prepareQuery(context, action.params);
      case 'pg.dump':
        return this.prepareDump(context, action.params);
      case 'redis.info':
        return this.prepareRedisInfo(context, action.params);
      default:
        throw new CockpitFailure('Unavailable', `the Databases service does not run ${action.type}`);
    }
  }

  private resolve(context: string, p: PgTargetParams): Promise<ResolvedPostgres> {
    return this.databases.resolvePostgres({ context, namespace: p.namespace, pod: p.pod, ...(p.user ? { user: p.user } : {}), ...(p.database ? { database: p.database } : {}) });
  }

  private async prepareReady(context: string, p: ActionParams<'pg.ready'>): Promise<PreparedAction> {
    return {
      diff: [],
      summary: `Check PostgreSQL on ${p.pod} accepts connections`,
      execute: async () => {
        const resolved = await this.resolve(context, p);
        const readiness = await checkReadiness(resolved.options);
        const words = { accepting: 'accepting connections', rejecting: 'rejecting connections', 'no-response': 'no response', 'no-attempt': 'no attempt' }[readiness.state];
        const output = `${p.pod} (${resolved.address}) - ${words}${readiness.reason ? `: ${readiness.reason}` : ''}${readiness.latencyMs !== undefined ? ` (${readiness.latencyMs} ms)` : ''}`;
        return { output, ...(readiness.ready ? {} : { failed: `PostgreSQL on ${p.pod} is not ready: ${readiness.reason ?? words}` }) };
      },
    };
  }

  private async prepareQuery(context: string, p: ActionParams<'pg.query'>): Promise<PreparedAction> {
    const changes = p.queries.filter((q) => !['connections-by-state', 'slow-statements', 'slow-statements-over-1s', 'index-usage'].includes(q));
    const idleMinutes = p.idleMinutes ?? 5;
    let summary = `PostgreSQL ${p.database} on ${p.pod}: ${p.queries.map((q) => PG_QUERY_CATALOGUE[q].title).join('; ')}`;
    if (changes.length > 0) {
      // The preview: what a change would touch, read now.
      const resolved = await this.resolve(context, p);
      const client = await this.databases.openPostgres(resolved);
      try {
        const lines: string[] = [];
        if (changes.includes('terminate-idle')) {
          const { rows } = await client.query<{ pid: number; usename: string; application_name: string; idle_s: number }>(
            `SELECT pid, usename, application_name, round(extract(epoch FROM now() - state_change))::int AS idle_s FROM pg_stat_activity
             WHERE state = 'idle' AND state_change < now() - make_interval(mins => $1::int) AND pid <> pg_backend_pid() ORDER BY state_change`,
            [idleMinutes],
          );
          lines.push(`Would terminate ${rows.length} connection${rows.length === 1 ? '' : 's'} idle for more than ${idleMinutes} minute${idleMinutes === 1 ? '' : 's'}${rows.length ? `: ${rows.slice(0, 20).map((r) => `pid ${r.pid} (${r.usename}${r.application_name ? `, ${r.application_name}` : ''}, idle ${r.idle_s} s)`).join(', ')}${rows.length > 20 ? ', …' : ''}` : ''}.`);
        }
        if (changes.includes('reindex')) {
          lines.push(`Back up first: run the pg_dump step (database-maintenance.backup) before REINDEX. REINDEX DATABASE ${p.database} rebuilds every index and locks each table while its indexes are rebuilt.`);
        }
        if (changes.includes('vacuum-analyze')) lines.push(`VACUUM ANALYZE reclaims dead rows and refreshes planner statistics in ${p.database}; it runs outside a transaction.`);
        if (changes.includes('analyze')) lines.push(`ANALYZE refreshes planner statistics in ${p.database}.`);
        summary = lines.join('\n');
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    return {
      diff: [],
      summary,
      execute: (progress, signal) => this.runQueries(context, p, idleMinutes, progress, signal),
    };
  }

  private async runQueries(context: string, p: ActionParams<'pg.query'>, idleMinutes: number, progress: (text: string) => void, signal: AbortSignal): Promise<ActionResult> {
    const resolved = await this.resolve(context, p);
    const client = await this.databases.openPostgres(resolved, { statementTimeoutMs: 0, lockTimeoutMs: 0 });
    const outputs: string[] = [];
    try {
      const info = await serverInfo(client);
      for (const query of p.queries) {
        if (signal.aborted) break;
        const title = PG_QUERY_CATALOGUE[query].title;
        const started = performance.now();
        if (PG_QUERY_CATALOGUE[query].requiresExtension) {
          const stats = await slowStatements(client, info.versionNum, p.database);
          if (!stats.available) {
            outputs.push(`## ${title}\n${stats.reason}. To enable it: ${stats.howToEnable}`);
            continue;
          }
        }
        const sql = namedQuerySql(query, p.database, info.versionNum, { idleMinutes });
        progress(`${title}: running`);
        const ticker = this.progressTicker(resolved, client, query, title, started, progress);
        try {
          const result = await client.query({ text: sql, rowMode: 'array' });
          const duration = elapsed(started);
          if (query === 'terminate-idle') {
            const ended = (result.rows as unknown[][]).filter((r) => r[0] === true).length;
            outputs.push(`## ${title}\nterminated ${ended} connection${ended === 1 ? '' : 's'} idle for more than ${idleMinutes} minute${idleMinutes === 1 ? '' : 's'} (${duration})`);
          } else if (result.fields?.length) {
            outputs.push(`## ${title} (${duration})\n${formatRows(result.fields.map((f) => f.name), result.rows as unknown[][])}`);
          } else {
            outputs.push(`## ${title}\n${result.command ?? 'done'} in ${duration}`);
          }
        } finally {
          ticker.stop();
        }
      }
      return { output: outputs.join('\n\n') };
    } catch (error) {
      const failure = explainPostgresError(error, this.databases.pgScope(resolved), true);
      // What ran before the failure stays in the message (its output is not lost).
      throw outputs.length ? new CockpitFailure(failure.code, `${failure.message}\n\nDone before it:\n${outputs.join('\n\n')}`) : failure;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Every second: the elapsed time and, for VACUUM and REINDEX, the phase from pg_stat_progress_*, read on a second session. */
  private progressTicker(resolved: ResolvedPostgres, worker: pg.Client, query: PgNamedQuery, title: string, started: number, progress: (text: string) => void) {
    const view = query === 'vacuum-analyze' ? 'pg_stat_progress_vacuum' : query === 'reindex' ? 'pg_stat_progress_create_index' : query === 'analyze' ? 'pg_stat_progress_analyze' : undefined;
    const workerPid = (worker as unknown as { processID?: number }).processID;
    let watcher: Promise<pg.Client | undefined> | undefined;
    let stopped = false;
    const timer = setInterval(() => {
      void (async () => {
        let phase = '';
        if (view && workerPid) {
          watcher ??= this.databases.openPostgres(resolved).catch(() => undefined);
          const client = await watcher;
          if (client && !stopped) {
            const row = await client
              .query<{ phase: string; rel: string | null }>(`SELECT phase, relid::regclass::text AS rel FROM ${view} WHERE pid = $1`, [workerPid])
              .then((r) => r.rows[0], () => undefined);
            if (row) phase = `, ${row.phase}${row.rel ? ` ${row.rel}` : ''}`;
          }
        }
        if (!stopped) progress(`${title}: running for ${elapsed(started)}${phase}`);
      })();
    }, 1000);
    return {
      stop() {
        stopped = true;
        clearInterval(timer);
        void watcher?.then((c) => c?.end().catch(() => undefined));
      },
    };
  }

  private async prepareDump(context: string, p: ActionParams<'pg.dump'>): Promise<PreparedAction> {
    const fileName = path.basename(p.outputFile);
    return {
      diff: [],
      summary: `Dump database ${p.database} with pg_dump into the evidence store as ${fileName} (sealed, with its size and hash)`,
      execute: async (progress, signal, evidence) => this.dump(context, p, fileName, progress, signal, evidence),
    };
  }

  private async dump(context: string, p: ActionParams<'pg.dump'>, fileName: string, progress: (text: string) => void, signal: AbortSignal, evidence: ActionEvidence | undefined): Promise<ActionResult> {
    if (!evidence) throw new CockpitFailure('Unavailable', 'this run has no evidence store to seal the dump into');
    const pgDump = await findPgDump();
    if (!pgDump) throw new CockpitFailure('Unavailable', 'pg_dump is not installed on this machine (install postgresql-client)');
    const resolved = await this.resolve(context, p);
    // The server's version: pg_dump refuses servers newer than itself, say so before streaming.
    const check = await this.databases.openPostgres(resolved);
    const info = await serverInfo(check).finally(() => check.end().catch(() => undefined));
    const serverMajor = Math.floor(info.versionNum / 10000);
    if (pgDump.major && pgDump.major < serverMajor) {
      throw new CockpitFailure('Unavailable', `pg_dump ${pgDump.major} cannot dump a PostgreSQL ${serverMajor} server; install postgresql-client-${serverMajor}`);
    }
    const { host, port, user, database, password } = resolved.options;
    const child = spawn(pgDump.path, ['-h', host, '-p', String(port), '-U', user, '-d', database, '--no-password'], {
      // The password travels in the child's environment, never on its command line.
      env: { PATH: process.env.PATH ?? '', ...(password !== undefined ? { PGPASSWORD: password } : {}), PGCONNECT_TIMEOUT: '10' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const abort = () => child.kill('SIGTERM');
    signal.addEventListener('abort', abort, { once: true });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const hash = createHash('sha256');
    let bytes = 0;
    let lastReport = 0;
    const source = (async function* () {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        hash.update(chunk);
        if (bytes - lastReport > 256 * 1024) {
          lastReport = bytes;
          progress(`pg_dump: ${(bytes / 1024 / 1024).toFixed(1)} MiB streamed`);
        }
        yield chunk;
      }
    })();
    const started = performance.now();
    try {
      const sealed = await evidence.attach(fileName, source);
      const code = await exited;
      if (code !== 0) {
        const why = stderr.trim().split('\n').slice(-3).join(' ');
        const failure = explainPostgresError(Object.assign(new Error(why || `pg_dump exited with ${code}`), { code: /password authentication failed/.test(why) ? '28P01' : /database ".*" does not exist/.test(why) ? '3D000' : undefined }), this.databases.pgScope(resolved));
        throw new CockpitFailure(failure.code, `pg_dump failed: ${failure.message} (what it wrote, ${bytes} bytes, is sealed as ${fileName}, ${sealed.sha256})`);
      }
      return {
        output: `pg_dump ${pgDump.major || ''} of ${database} on ${p.pod}: ${bytes} bytes in ${elapsed(started)}, sha256 ${hash.digest('hex')}; sealed in the evidence store as ${fileName} (attachment ${sealed.sha256})`,
      };
    } finally {
      signal.removeEventListener('abort', abort);
      if (child.exitCode === null) child.kill('SIGTERM');
    }
  }

  private async prepareRedisInfo(context: string, p: ActionParams<'redis.info'>): Promise<PreparedAction> {
    return {
      diff: [],
      summary: `Redis INFO ${p.section ?? 'all'} on ${p.pod}`,
      execute: async () => {
        const resolved = await this.databases.resolveRedis({ context, namespace: p.namespace, pod: p.pod }, p.passwordSecret);
        const client = await this.databases.openRedis(resolved);
        try {
          const text = p.section && p.section !== 'all' ? await client.info(p.section) : await client.info();
          const fields = parseRedisInfo(text);
          const lines: string[] = [];
          if ('used_memory' in fields) {
            const m = memoryFigures(fields);
            lines.push(`memory: used ${m.usedBytes} B, peak ${m.peakBytes} B, fragmentation ${m.fragmentationRatio}, maxmemory ${m.maxmemoryBytes || 'unlimited'} (${m.policy})`);
          }
          if ('keyspace_hits' in fields) {
            const s = statsFigures(fields);
            const rate = hitRate(s.hits, s.misses);
            lines.push(`cache hit rate: ${rate === null ? 'no lookups yet' : `${(rate * 100).toFixed(1)}%`} (${s.hits} hits, ${s.misses} misses), evictions ${s.evictions}, ${s.opsPerSec} ops/s`);
          }
          if ('connected_clients' in fields) {
            const c = clientFigures(fields);
            lines.push(`clients: ${c.connected} connected, ${c.blocked} blocked`);
          }
          return { output: `${lines.length ? `${lines.join('\n')}\n\n` : ''}${text.trim()}` };
        } catch (error) {
          throw explainRedisError(error, { address: resolved.address, target: resolved.target }, true);
        } finally {
          client.disconnect();
        }
      },
    };
  }
}
