/**
 * The Databases domain in main: resolves a server (tunnel + credentials), reads a PostgreSQL or
 * Redis overview section by section (a section that fails says why; the rest stay), runs the
 * read-only console, keeps typed passwords in memory only, and seals any shown result into an
 * incident. Passwords come from the context's `codesign-secrets` or the responder and never
 * leave this class: not in results, not in the log, not in evidence.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type {
  ConsoleResult,
  CredentialSource,
  DatabaseTarget,
  PostgresOverview,
  PostgresTarget,
  RedisOverview,
  Section,
  SectionError,
} from '../../shared/contract/databases';
import { CONSOLE_MAX_ROWS } from '../../shared/contract/databases';
import { CockpitFailure } from '../../shared/result';
import { namedQuerySql, PG_QUERY_CATALOGUE, type PgNamedQuery } from '../../shared/runbook/actions';
import type { Runbook } from '../../shared/runbook/schema';
import type { Logger } from '../app/logger';
import type { EvidenceService } from '../evidence/evidence-service';
import { explainPostgresError, explainRedisError } from './database-errors';
import { parseTarget, type DatabaseEndpointSource } from './endpoints';
import {
  activity,
  connections,
  openPostgres,
  readinessOfError,
  replication,
  runReadOnly,
  serverInfo,
  slowStatements,
  tableStats,
  type PostgresConnectOptions,
} from './postgres-diagnostics';
import { clientFigures, memoryFigures, openRedis, parseRedisInfo, parseSlowlog, pingLatency, statsFigures, type RedisConnectOptions } from './redis-diagnostics';

/** Where the runbook's servers are and where their passwords live (the runbook's `codesign-secrets`). */
export interface DatabaseDefaults {
  namespace: string;
  postgres: { pod: string; port: number; user: string; database: string };
  redis: { pod: string; port: number };
  secret: { name: string; postgresKey: string; redisKey: string };
  /** The terminate action's and the overview's idle age. */
  idleMinutes: number;
}

export interface DatabaseServiceDeps {
  endpoints: DatabaseEndpointSource;
  runbook?: Runbook | undefined;
  evidence?: Pick<EvidenceService, 'addFile'>;
  logger: Logger;
  defaults?: Partial<DatabaseDefaults>;
}

/** A server made ready to talk to: its address and the credentials to use (main only). */
export interface ResolvedPostgres {
  context: string;
  namespace: string;
  target: string;
  address: string;
  credential: CredentialSource;
  options: PostgresConnectOptions;
}
export interface ResolvedRedis {
  context: string;
  namespace: string;
  target: string;
  address: string;
  credential: CredentialSource;
  options: RedisConnectOptions;
}

const PG_READ_QUERIES: ReadonlySet<PgNamedQuery> = new Set(['connections-by-state', 'slow-statements', 'slow-statements-over-1s', 'index-usage']);
const KEPT_RESULTS = 50;
const MAX_TYPED_CREDENTIALS = 64;

/** The runbook's threshold for PostgreSQL connections (warning 150, critical 190 in the bundled one). */
export function connectionThresholds(runbook: Runbook | undefined): { warning: number; critical: number; source: string } {
  const threshold = runbook?.thresholds.find((t) => t.id === 'postgresql-connections');
  if (threshold && typeof threshold.warning === 'number' && typeof threshold.critical === 'number') {
    return { warning: threshold.warning, critical: threshold.critical, source: `runbook threshold ${threshold.id}` };
  }
  return { warning: 150, critical: 190, source: 'the operational runbook (no postgresql-connections threshold in the loaded runbook)' };
}

const toSectionError = (failure: CockpitFailure): SectionError => ({ code: failure.code, message: failure.message });

/**
 * Reads an overview's sections one after another: a failing read becomes that section's error, and
 * once the connection is gone (`Unreachable`) the sections after it say so without trying.
 */
function sectionReader(explain: (error: unknown) => CockpitFailure): <T>(read: () => Promise<T>) => Promise<Section<T>> {
  let dropped: CockpitFailure | undefined;
  return async <T>(read: () => Promise<T>): Promise<Section<T>> => {
    if (dropped) return { ok: false, error: toSectionError(dropped) };
    try {
      return { ok: true, value: await read() };
    } catch (error) {
      const failure = explain(error);
      if (failure.code === 'Unreachable') dropped = failure;
      return { ok: false, error: toSectionError(failure) };
    }
  };
}

export class DatabaseService {
  readonly defaults: DatabaseDefaults;
  private readonly typed = new Map<string, { user?: string | undefined; password: string }>();
  private readonly results = new Map<string, { title: string; name: string; text: string; context: string; namespace: string }>();

  constructor(private readonly deps: DatabaseServiceDeps) {
    const d = deps.defaults ?? {};
    this.defaults = {
      namespace: d.namespace ?? deps.runbook?.service.namespace ?? 'codesign-production',
      postgres: d.postgres ?? { pod: 'postgres-0', port: 5432, user: 'codesign', database: 'codesign_db' },
      redis: d.redis ?? { pod: 'redis-0', port: 6379 },
      secret: d.secret ?? { name: 'codesign-secrets', postgresKey: 'postgres-password', redisKey: 'redis-password' },
      idleMinutes: d.idleMinutes ?? 5,
    };
  }

  private credentialKey(kind: 'postgres' | 'redis', context: string, namespace: string, target: string) {
    return `${kind}\u0000${context}\u0000${namespace}\u0000${target}`;
  }

  /** Holds a typed password in memory for this server (null forgets it, so the Secret is used again). */
  setCredentials(input: DatabaseTarget & { kind: 'postgres' | 'redis'; user?: string | undefined; password: string | null }): { credential: CredentialSource } {
    const namespace = input.namespace ?? this.defaults.namespace;
    const target = input.pod ?? (input.kind === 'postgres' ? this.defaults.postgres.pod : this.defaults.redis.pod);
    const key = this.credentialKey(input.kind, input.context, namespace, target);
    if (input.password === null) {
      this.typed.delete(key);
      this.deps.logger.info('databases.credentials-forgotten', { kind: input.kind, context: input.context, namespace, target });
      return { credential: 'secret' };
    }
    this.typed.delete(key);
    this.typed.set(key, { user: input.user, password: input.password });
    // Bounded: the oldest typed password goes first (a runaway renderer cannot fill main's memory).
    while (this.typed.size > MAX_TYPED_CREDENTIALS) this.typed.delete(this.typed.keys().next().value!);
    this.deps.logger.info('databases.credentials-typed', { kind: input.kind, context: input.context, namespace, target });
    return { credential: 'typed' };
  }

  /** The password from what was typed, else the Secret key; `none` when neither is there. */
  private async password(
    kind: 'postgres' | 'redis',
    context: string,
    namespace: string,
    target: string,
    secret?: { name: string; key: string },
  ): Promise<{ password?: string; user?: string; credential: CredentialSource }> {
    const typed = this.typed.get(this.credentialKey(kind, context, namespace, target));
    if (typed) return { password: typed.password, ...(typed.user ? { user: typed.user } : {}), credential: 'typed' };
    const { postgresKey, redisKey } = this.defaults.secret;
    const name = secret?.name ?? this.defaults.secret.name;
    try {
      const password = await this.deps.endpoints.readSecretKey(context, namespace, name, secret?.key ?? (kind === 'postgres' ? postgresKey : redisKey));
      return { password, credential: 'secret' };
    } catch (error) {
      this.deps.logger.info('databases.no-secret', { kind, context, namespace, secret: name, reason: error instanceof Error ? error.message : String(error) });
      return { credential: 'none' };
    }
  }

  async resolvePostgres(input: PostgresTarget): Promise<ResolvedPostgres> {
    const namespace = input.namespace ?? this.defaults.namespace;
    const target = input.pod ?? this.defaults.postgres.pod;
    const database = input.database ?? this.defaults.postgres.database;
    const port = input.port ?? this.defaults.postgres.port;
    const user0 = input.user ?? this.defaults.postgres.user;
    let endpoint;
    try {
      endpoint = await this.deps.endpoints.endpoint({ context: input.context, namespace, target: parseTarget(target), remotePort: port });
    } catch (error) {
      throw explainPostgresError(error, { address: `${target}:${port}`, user: user0, database, target });
    }
    const secret = await this.password('postgres', input.context, namespace, target);
    const user = input.user ?? secret.user ?? user0;
    return {
      context: input.context,
      namespace,
      target,
      address: `${endpoint.host}:${endpoint.port}`,
      credential: secret.credential,
      options: { host: endpoint.host, port: endpoint.port, user, database, ...(secret.password !== undefined ? { password: secret.password } : {}) },
    };
  }

  /** `secret` names where the password lives when not in the default `codesign-secrets` / `redis-password`. */
  async resolveRedis(input: DatabaseTarget, secret?: { name: string; key: string }): Promise<ResolvedRedis> {
    const namespace = input.namespace ?? this.defaults.namespace;
    const target = input.pod ?? this.defaults.redis.pod;
    const port = input.port ?? this.defaults.redis.port;
    let endpoint;
    try {
      endpoint = await this.deps.endpoints.endpoint({ context: input.context, namespace, target: parseTarget(target), remotePort: port });
    } catch (error) {
      throw explainRedisError(error, { address: `${target}:${port}`, target });
    }
    const found = await this.password('redis', input.context, namespace, target, secret);
    return {
      context: input.context,
      namespace,
      target,
      address: `${endpoint.host}:${endpoint.port}`,
      credential: found.credential,
      options: { host: endpoint.host, port: endpoint.port, ...(found.user ? { username: found.user } : {}), ...(found.password !== undefined ? { password: found.password } : {}) },
    };
  }

  /** Opens a session to a resolved server; a failure is the specific error (wrong password, no database, ...). */
  async openPostgres(resolved: ResolvedPostgres, extra: Partial<PostgresConnectOptions> = {}): Promise<pg.Client> {
    try {
      return await openPostgres({ ...resolved.options, ...extra });
    } catch (error) {
      throw explainPostgresError(error, this.pgScope(resolved));
    }
  }

  pgScope(resolved: ResolvedPostgres) {
    return { address: resolved.address, user: resolved.options.user, database: resolved.options.database, target: resolved.target };
  }

  async openRedis(resolved: ResolvedRedis): Promise<Redis> {
    try {
      return await openRedis(resolved.options);
    } catch (error) {
      throw explainRedisError(error, { address: resolved.address, target: resolved.target });
    }
  }

  /** Everything the PostgreSQL card shows, read in one session; a failed part says why. */
  async postgresOverview(input: PostgresTarget): Promise<PostgresOverview> {
    const resolved = await this.resolvePostgres(input);
    const started = performance.now();
    let client: pg.Client;
    try {
      client = await openPostgres(resolved.options);
    } catch (error) {
      const readiness = readinessOfError(error, Math.round(performance.now() - started));
      this.deps.logger.warn('databases.postgres-unreachable', { context: resolved.context, target: resolved.target, state: readiness.state });
      throw explainPostgresError(error, this.pgScope(resolved));
    }
    const latencyMs = Math.round(performance.now() - started);
    const section = sectionReader((error) => explainPostgresError(error, this.pgScope(resolved), true));
    try {
      const server = await section(() => serverInfo(client));
      const versionNum = server.ok ? server.value.versionNum : 150000;
      const overview: PostgresOverview = {
        resultId: this.newResultId(),
        at: new Date().toISOString(),
        context: resolved.context,
        namespace: resolved.namespace,
        target: resolved.target,
        address: resolved.address,
        credential: resolved.credential,
        readiness: { state: 'accepting', ready: true, latencyMs },
        server,
        connections: await section(() => connections(client, connectionThresholds(this.deps.runbook), this.defaults.idleMinutes)),
        slowStatements: await section(() => slowStatements(client, versionNum, resolved.options.database)),
        activity: await section(() => activity(client)),
        tables: await section(() => tableStats(client)),
        replication: await section(() => replication(client, server.ok && server.value.inRecovery)),
      };
      this.keep(overview.resultId, `PostgreSQL overview of ${resolved.target}`, `postgres-${resolved.target}`, overview, resolved);
      return overview;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Everything the Redis card shows; a failed part says why. */
  async redisOverview(input: DatabaseTarget): Promise<RedisOverview> {
    const resolved = await this.resolveRedis(input);
    const client = await this.openRedis(resolved);
    const scope = { address: resolved.address, target: resolved.target };
    const section = sectionReader((error) => explainRedisError(error, scope, true));
    try {
      let ping: RedisOverview['ping'];
      try {
        ping = { ok: true, latencyMs: await pingLatency(client) };
      } catch (error) {
        ping = { ok: false, error: toSectionError(explainRedisError(error, scope, true)) };
      }
      const info = await section(async () => parseRedisInfo(await client.info()));
      const from = <T>(shape: (fields: Record<string, string>) => T): Section<T> => (info.ok ? { ok: true, value: shape(info.value) } : info);
      const overview: RedisOverview = {
        resultId: this.newResultId(),
        at: new Date().toISOString(),
        context: resolved.context,
        namespace: resolved.namespace,
        target: resolved.target,
        address: resolved.address,
        credential: resolved.credential,
        ping,
        server: from((f) => ({ version: f.redis_version ?? 'unknown', mode: f.redis_mode ?? 'standalone', uptimeSeconds: Number(f.uptime_in_seconds ?? 0) })),
        memory: from(memoryFigures),
        stats: from(statsFigures),
        clients: from(clientFigures),
        slowlog: await section(async () => parseSlowlog(await client.call('SLOWLOG', 'GET', '10'))),
      };
      this.keep(overview.resultId, `Redis overview of ${resolved.target}`, `redis-${resolved.target}`, overview, resolved);
      return overview;
    } finally {
      client.disconnect();
    }
  }

  /** A named read query of the runbook or ad-hoc SQL, in a read-only transaction with a statement timeout. */
  async query(input: PostgresTarget & { sql?: string | undefined; named?: PgNamedQuery | undefined; timeoutMs?: number | undefined }): Promise<ConsoleResult> {
    if (input.named && !PG_READ_QUERIES.has(input.named)) {
      throw new CockpitFailure('Forbidden', `"${input.named}" changes the database: run it as a runbook action (with its confirmation), not in the read-only console`, 'named');
    }
    if (!input.named && !input.sql) throw new CockpitFailure('Invalid', 'give either sql or named', 'sql');
    const resolved = await this.resolvePostgres(input);
    const client = await this.openPostgres(resolved);
    try {
      let sql = input.sql ?? '';
      let note: string | undefined;
      if (input.named) {
        const info = await serverInfo(client);
        sql = namedQuerySql(input.named, resolved.options.database, info.versionNum);
        const needs = PG_QUERY_CATALOGUE[input.named].requiresExtension;
        if (needs) {
          const stats = await slowStatements(client, info.versionNum, resolved.options.database);
          if (!stats.available) note = `${stats.reason}; to enable it: ${stats.howToEnable}`;
        }
      }
      const resultId = this.newResultId();
      if (note) {
        const result: ConsoleResult = { resultId, sql, ...(input.named ? { named: input.named } : {}), columns: [], rows: [], rowCount: 0, truncated: false, durationMs: 0, note };
        this.keep(resultId, `Query ${input.named}`, `query-${input.named}`, result, resolved);
        return result;
      }
      const ran = await runReadOnly(client, sql, { timeoutMs: input.timeoutMs ?? 10_000, maxRows: CONSOLE_MAX_ROWS });
      const result: ConsoleResult = { resultId, sql, ...(input.named ? { named: input.named } : {}), ...ran };
      this.deps.logger.info('databases.query', { context: resolved.context, target: resolved.target, named: input.named ?? 'ad-hoc', rows: ran.rowCount, ms: ran.durationMs });
      this.keep(resultId, `Query ${input.named ?? 'ad-hoc'} on ${resolved.target}`, `query-${input.named ?? 'adhoc'}`, result, resolved);
      return result;
    } catch (error) {
      throw explainPostgresError(error, this.pgScope(resolved), true);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private newResultId(): string {
    return `dbr-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  }

  private keep(resultId: string, title: string, stem: string, value: unknown, where: { context: string; namespace: string }) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    this.results.set(resultId, { title, name: `${stem}-${stamp}.json`, text: `${JSON.stringify(value, null, 2)}\n`, context: where.context, namespace: where.namespace });
    while (this.results.size > KEPT_RESULTS) this.results.delete(this.results.keys().next().value!);
  }

  /** Seals a result the responder was shown into the incident (the evidence store redacts text). */
  async capture(input: { resultId: string; incidentId: string }): Promise<{ name: string; bytes: number; sha256: string }> {
    const result = this.results.get(input.resultId);
    if (!result) throw new CockpitFailure('NotFound', `no result ${input.resultId} (results are kept for the last ${KEPT_RESULTS} reads; refresh and capture again)`);
    if (!this.deps.evidence) throw new CockpitFailure('Unavailable', 'the evidence store is not available');
    const bytes = Buffer.from(result.text);
    const record = await this.deps.evidence.addFile(
      input.incidentId,
      { name: result.name, stream: (async function* () { yield bytes; })() },
      { title: result.title, context: { context: result.context, namespace: result.namespace } },
    );
    const body = record.body as { sha256?: string; size?: number };
    this.deps.logger.info('databases.captured', { incidentId: input.incidentId, name: result.name, bytes: bytes.length });
    return { name: result.name, bytes: body.size ?? bytes.length, sha256: body.sha256 ?? '' };
  }
}
