/**
 * `databases:`: PostgreSQL and Redis diagnostics over the context's tunnels (connections by state
 * against the runbook's thresholds, slow statements, blocking, table stats, replication; Redis
 * memory, hit rate, clients, slowlog), a read-only SQL console, typed credentials held in main,
 * and capture of any shown result into an incident. Passwords travel renderer → main only.
 */
import { z } from 'zod';
import { PgNamedQuerySchema } from '../runbook/actions';
import { IncidentId, request } from './define';

const ContextName = z.string().min(1).max(253);
const K8sName = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'is not a Kubernetes name');
// Bounded quantifiers: a huge bad string fails after a few characters, not after scanning it all.
const SqlName = z.string().min(1).max(63).regex(/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/, 'is not a PostgreSQL name');

/** Which database server a request is about: a pod (or the pod behind a service) in a namespace. */
export const DatabaseTargetSchema = z.strictObject({
  context: ContextName,
  namespace: K8sName.optional(),
  /** The pod, or `service/NAME` / `statefulset/NAME`; defaults: postgres-0, redis-0. */
  pod: z.string().min(1).max(300).regex(/^((pod|service|statefulset|deployment)\/)?[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'is not a pod or kind/name').optional(),
  port: z.number().int().min(1).max(65535).optional(),
});
export type DatabaseTarget = z.infer<typeof DatabaseTargetSchema>;

export const PostgresTargetSchema = DatabaseTargetSchema.extend({ user: SqlName.optional(), database: SqlName.optional() });
export type PostgresTarget = z.infer<typeof PostgresTargetSchema>;

/** `ok` below the runbook's warning, `warning` above it, `critical` above its critical value. */
export type ThresholdLevel = 'ok' | 'warning' | 'critical';

/** Where a credential came from; its value never leaves main. */
export type CredentialSource = 'secret' | 'typed' | 'none';

export interface SectionError {
  code: string;
  message: string;
}
/** A part of an overview: its data, or why it could not be read (other parts stay). */
export type Section<T> = { ok: true; value: T } | { ok: false; error: SectionError };

export interface PostgresReadiness {
  /** pg_isready's answers: accepting, rejecting (starting up, shutting down), no response, no attempt. */
  state: 'accepting' | 'rejecting' | 'no-response' | 'no-attempt';
  ready: boolean;
  /** Why not ready, or a caveat when ready (the password was refused, but the server answers). */
  reason?: string;
  latencyMs?: number;
}

export interface PostgresServerInfo {
  version: string;
  versionNum: number;
  /** `postgresql` for a real server, `pglite` for the drill's embedded one (one session, no extensions). */
  backend: 'postgresql' | 'pglite';
  database: string;
  user: string;
  inRecovery: boolean;
}

export interface PostgresConnections {
  /** Client backends by state (`active`, `idle`, `idle in transaction`, ...). */
  byState: Array<{ state: string; count: number }>;
  total: number;
  maxConnections: number;
  reserved: number;
  /** Idle for more than `idleMinutes` (the terminate action's candidates). */
  idleOlder: { minutes: number; count: number };
  thresholds: { warning: number; critical: number; source: string };
  level: ThresholdLevel;
}

export interface SlowStatement {
  query: string;
  calls: number;
  meanMs: number;
  totalMs: number;
  rows: number;
}
export type SlowStatements =
  | { available: true; columns: 'mean_exec_time' | 'mean_time'; statements: SlowStatement[] }
  | { available: false; reason: string; howToEnable: string };

export interface ActiveQuery {
  pid: number;
  user: string;
  database: string;
  state: string;
  durationMs: number;
  waitEvent?: string;
  query: string;
  blockedBy: number[];
}

export interface TableStat {
  table: string;
  liveRows: number;
  deadRows: number;
  /** Dead rows / all rows: the bloat estimate from statistics (no pgstattuple needed). */
  deadRatio: number;
  seqScans: number;
  indexScans: number;
  sizeBytes: number;
  lastVacuum?: string;
  lastAnalyze?: string;
}
export interface IndexStat {
  table: string;
  index: string;
  scans: number;
  sizeBytes: number;
  unused: boolean;
}

export interface ReplicationInfo {
  role: 'primary' | 'replica';
  replicas: Array<{ name: string; address: string; state: string; syncState: string; replayLagBytes: number | null; replayLagMs: number | null }>;
  /** On a replica: how far behind the last replayed transaction is. */
  lagMs?: number | null;
}

export interface PostgresOverview {
  /** Names the result for `databases:capture`. */
  resultId: string;
  at: string;
  context: string;
  namespace: string;
  target: string;
  address: string;
  credential: CredentialSource;
  readiness: PostgresReadiness;
  server: Section<PostgresServerInfo>;
  connections: Section<PostgresConnections>;
  slowStatements: Section<SlowStatements>;
  activity: Section<ActiveQuery[]>;
  tables: Section<{ tables: TableStat[]; indexes: IndexStat[] }>;
  replication: Section<ReplicationInfo>;
}

export interface RedisOverview {
  resultId: string;
  at: string;
  context: string;
  namespace: string;
  target: string;
  address: string;
  credential: CredentialSource;
  ping: { ok: boolean; latencyMs?: number; error?: SectionError };
  server: Section<{ version: string; mode: string; uptimeSeconds: number }>;
  memory: Section<{ usedBytes: number; peakBytes: number; fragmentationRatio: number; maxmemoryBytes: number; policy: string }>;
  stats: Section<{ hits: number; misses: number; hitRate: number | null; evictions: number; opsPerSec: number; expired: number }>;
  clients: Section<{ connected: number; blocked: number }>;
  slowlog: Section<Array<{ id: number; at: string; durationMicros: number; command: string; client?: string }>>;
}

export interface ConsoleResult {
  resultId: string;
  sql: string;
  named?: string;
  columns: string[];
  rows: Array<Array<string | null>>;
  rowCount: number;
  truncated: boolean;
  durationMs: number;
  /** Why a named query was not run (a missing extension), instead of an error. */
  note?: string;
}

export const CONSOLE_MAX_ROWS = 500;

export const databaseRequests = {
  'databases:postgres': request(PostgresTargetSchema).returns<PostgresOverview>(),
  'databases:redis': request(DatabaseTargetSchema).returns<RedisOverview>(),
  /** A read-only transaction with a statement timeout; `named` runs a read query of the runbook's catalogue. */
  'databases:query': request(
    PostgresTargetSchema.extend({
      sql: z.string().min(1).max(20_000).optional(),
      named: PgNamedQuerySchema.optional(),
      timeoutMs: z.number().int().min(100).max(300_000).optional(),
    }).refine((q) => (q.sql === undefined) !== (q.named === undefined), { message: 'give either sql or named' }),
  ).returns<ConsoleResult>(),
  /** Typed credentials, held in main's memory for this context and server only; `null` forgets them. */
  'databases:setCredentials': request(
    DatabaseTargetSchema.extend({
      kind: z.enum(['postgres', 'redis']),
      user: SqlName.optional(),
      password: z.string().max(1024).nullable(),
    }),
  ).returns<{ credential: CredentialSource }>(),
  /** Seals a shown result (overview, console) into the incident's evidence. */
  'databases:capture': request(z.strictObject({ resultId: z.string().regex(/^dbr-[a-z0-9]{6,40}$/, 'is not a result id'), incidentId: IncidentId })).returns<{
    name: string;
    bytes: number;
    sha256: string;
  }>(),
} as const;

export const databaseStreams = {} as const;
