/**
 * The commands a simulated container runs: pg_isready, psql and pg_dump against the real
 * PostgreSQL backend, redis-cli against the real Redis, printenv/env, python -c snippets, and the
 * shell built-ins. Each answers with the text and exit code the real tool would.
 */
import pg from 'pg';
import type { DrillBackendAddress, DrillClock, DrillPodRef, LogProfile } from '../types';
import type { VirtualFileSystem } from '../shell/virtual-fs';
import type { PostgresEndpoint } from '../backends/postgres-backend';
import { NO_REDIS_MESSAGE, type RedisEndpoint } from '../backends/redis-backend';
import { formatError, formatResults, type PsqlResultSet } from './psql-format';
import { runPythonSnippet } from './python-snippets';
import { runningPostgres } from '../world/versions';

export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface CommandContext {
  pod: DrillPodRef;
  container: { name: string; image: string; env: Record<string, string> };
  clock: DrillClock;
  profile: LogProfile;
  tty: boolean;
  postgres(): Promise<PostgresEndpoint | undefined>;
  redis(): Promise<RedisEndpoint | undefined>;
  onSqlExecuted?: (sql: string) => void;
  /** The container's filesystem, kept per container instance (a new container starts afresh). */
  fileSystem?: () => VirtualFileSystem;
  /** Where something in the pod listens on `port` (the app's HTTP server); for curl inside the pod. */
  connect?: (port: number) => Promise<DrillBackendAddress | undefined>;
  /** The pod as it is now (scenarios change its profile while a shell runs). */
  current?: () => DrillPodRef;
  /** The stream handler's log seed: log files hold the lines `kubectl logs` shows. */
  logSeed?: number;
}

/** Reads the rest of stdin (for `psql` fed a script); undefined when the exec has no stdin. */
export type StdinReader = (() => Promise<string>) | undefined;

/** Commands every container has. */
const COMMON_COMMANDS = new Set(['printenv', 'env', 'echo', 'hostname', 'date', 'true', 'false', 'sh', 'bash', 'exit']);
const APP_COMMANDS: Record<string, string[]> = {
  postgres: ['pg_isready', 'psql', 'pg_dump'],
  redis: ['redis-cli'],
  'codesign-api': ['python', 'python3'],
  'celery-worker': ['python', 'python3'],
  backup: ['pg_isready', 'psql', 'pg_dump'],
};

/** The base name of a command (`/usr/bin/psql` → `psql`). */
export function commandName(argv0: string): string {
  return argv0.slice(argv0.lastIndexOf('/') + 1);
}

/** The image's own tools (psql, redis-cli, python) beyond what every container has. */
export function appCommandNames(app: string): string[] {
  return APP_COMMANDS[app] ?? [];
}

/** Whether the container has this command at all. */
export function hasCommand(pod: DrillPodRef, argv0: string): boolean {
  const name = commandName(argv0);
  return COMMON_COMMANDS.has(name) || (APP_COMMANDS[pod.app] ?? []).includes(name);
}

/** The container's environment as `printenv` shows it. */
export function containerEnvironment(ctx: Pick<CommandContext, 'pod' | 'container'>): Array<[string, string]> {
  const env: Array<[string, string]> = [
    ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    ['HOSTNAME', ctx.pod.name],
  ];
  for (const [k, v] of Object.entries(ctx.container.env)) env.push([k, v]);
  env.push(
    ['KUBERNETES_SERVICE_HOST', '10.96.0.1'],
    ['KUBERNETES_SERVICE_PORT', '443'],
    ['KUBERNETES_SERVICE_PORT_HTTPS', '443'],
    ['KUBERNETES_PORT', 'tcp://10.96.0.1:443'],
    ['HOME', '/root'],
  );
  return env;
}

/** `date`'s default format, UTC: `Sat Nov 28 00:05:05 UTC 2026`. */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

interface ParsedOptions {
  flags: Map<string, string | true>;
  /** Repeated options (`psql -c a -c b`) in order. */
  repeated: Array<[string, string]>;
  rest: string[];
}

/** getopt-ish: `-U x`, `-Ux`, `--username=x`, `--username x`; `valued` names take a value. */
function parseOptions(args: string[], valued: Record<string, string>, stopAtFirstPositional = false): ParsedOptions {
  const flags = new Map<string, string | true>();
  const repeated: Array<[string, string]> = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      const key = valued[`--${name}`];
      if (key) {
        const value = eq > 0 ? arg.slice(eq + 1) : (args[++i] ?? '');
        flags.set(key, value);
        repeated.push([key, value]);
      } else {
        flags.set(name, true);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      const letter = arg.slice(0, 2);
      const key = valued[letter];
      if (key) {
        const value = arg.length > 2 ? arg.slice(2) : (args[++i] ?? '');
        flags.set(key, value);
        repeated.push([key, value]);
      } else {
        for (const ch of arg.slice(1)) flags.set(ch, true);
      }
      continue;
    }
    rest.push(arg);
    if (stopAtFirstPositional) {
      rest.push(...args.slice(i + 1));
      break;
    }
  }
  return { flags, repeated, rest };
}

function envValue(ctx: CommandContext, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = ctx.container.env[name];
    if (value) return value;
  }
  return undefined;
}

async function withPgClient<T>(
  ctx: CommandContext,
  user: string | undefined,
  database: string | undefined,
  fn: (client: pg.Client, endpoint: PostgresEndpoint) => Promise<T>,
): Promise<T> {
  const endpoint = await ctx.postgres();
  if (!endpoint) throw Object.assign(new Error('no PostgreSQL backend is configured'), { code: 'ECONNREFUSED' });
  const client = new pg.Client({
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.embedded ? 'postgres' : (user ?? endpoint.user),
    database: endpoint.embedded ? 'postgres' : (database ?? endpoint.database),
    password: endpoint.embedded ? undefined : envValue(ctx, 'POSTGRES_PASSWORD', 'PGPASSWORD', 'DB_PASSWORD'),
    connectionTimeoutMillis: 5000,
    types: { getTypeParser: () => (value: string) => value },
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client, endpoint);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function pgIsReady(args: string[], ctx: CommandContext, out: CommandOutput): Promise<number> {
  const options = parseOptions(args, { '-U': 'user', '--username': 'user', '-h': 'host', '--host': 'host', '-p': 'port', '--port': 'port', '-d': 'db', '--dbname': 'db', '-t': 'timeout', '--timeout': 'timeout' });
  const host = options.flags.get('host');
  const port = options.flags.get('port');
  const where = `${typeof host === 'string' ? host : '/var/run/postgresql'}:${typeof port === 'string' ? port : '5432'}`;
  const quiet = options.flags.has('q');
  try {
    await withPgClient(ctx, undefined, undefined, async () => undefined);
    if (!quiet) out.stdout(`${where} - accepting connections\n`);
    return 0;
  } catch {
    if (!quiet) out.stdout(`${where} - no response\n`);
    return 2;
  }
}

/** Names the PGlite database has: it has one, so `codesign_db` means that one. */
function adaptSqlForEndpoint(sql: string, endpoint: PostgresEndpoint): string {
  if (!endpoint.embedded) return sql;
  return sql.replace(/\b(REINDEX\s+(?:\(\s*[^)]*\)\s*)?(?:DATABASE|SYSTEM)\s+)codesign_db\b/gi, `$1${endpoint.database}`);
}

function toResultSets(result: pg.QueryResult | pg.QueryResult[]): PsqlResultSet[] {
  const list = Array.isArray(result) ? result : [result];
  return list.map((r) => ({
    command: r.command ?? '',
    rowCount: r.rowCount,
    fields: r.fields?.length ? r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })) : undefined,
    rows: (r.rows as unknown as Array<Array<string | null>>) ?? [],
  }));
}

async function runPsqlSql(client: pg.Client, endpoint: PostgresEndpoint, sql: string, tuplesOnly: boolean, out: CommandOutput, ctx?: CommandContext): Promise<boolean> {
  try {
    const result = (await client.query({ text: adaptSqlForEndpoint(sql, endpoint), rowMode: 'array' })) as unknown as pg.QueryResult | pg.QueryResult[];
    out.stdout(formatResults(toResultSets(result), tuplesOnly));
    ctx?.onSqlExecuted?.(sql);
    return true;
  } catch (error) {
    const e = error as { message: string; severity?: string; position?: string; detail?: string; hint?: string };
    out.stderr(formatError(sql, e));
    return false;
  }
}

async function psql(args: string[], ctx: CommandContext, out: CommandOutput, readStdin: StdinReader, interactive?: PsqlInteractive): Promise<number> {
  const options = parseOptions(args, {
    '-U': 'user', '--username': 'user', '-d': 'db', '--dbname': 'db', '-c': 'command', '--command': 'command',
    '-h': 'host', '--host': 'host', '-p': 'port', '--port': 'port', '-f': 'file', '--file': 'file', '-v': 'var', '--set': 'var',
  });
  const user = options.flags.get('user');
  const dbFlag = options.flags.get('db');
  const database = typeof dbFlag === 'string' ? dbFlag : (options.rest[0] ?? (typeof user === 'string' ? user : undefined));
  const tuplesOnly = options.flags.has('t') || options.flags.has('tuples-only');
  const commands = options.repeated.filter(([k]) => k === 'command').map(([, v]) => v);
  try {
    return await withPgClient(ctx, typeof user === 'string' ? user : undefined, database, async (client, endpoint) => {
      if (commands.length > 0) {
        let ok = true;
        for (const sql of commands) {
          ok = await runPsqlSql(client, endpoint, sql, tuplesOnly, out, ctx);
          if (!ok) break;
        }
        return ok ? 0 : 1;
      }
      if (interactive && ctx.tty) {
        return interactive(async (sql) => runPsqlSql(client, endpoint, sql, tuplesOnly, out, ctx), database ?? 'codesign_db');
      }
      if (!readStdin) return 0;
      const script = await readStdin();
      for (const statement of splitSqlStatements(script)) {
        await runPsqlSql(client, endpoint, statement, tuplesOnly, out, ctx);
      }
      return 0;
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    if (code === 'ECONNREFUSED' || /connect|terminated|timeout/i.test(message)) {
      out.stderr(
        'psql: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: No such file or directory\n' +
          '\tIs the server running locally and accepting connections on that socket?\n',
      );
      return 2;
    }
    out.stderr(`psql: error: ${message}\n`);
    return 2;
  }
}

/** Splits a script on `;` outside quotes and comments. */
export function splitSqlStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    if (quote) {
      current += ch;
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      current += ch;
      continue;
    }
    if (ch === '-' && script[i + 1] === '-') {
      const end = script.indexOf('\n', i);
      const stop = end === -1 ? script.length : end;
      current += script.slice(i, stop);
      i = stop - 1;
      continue;
    }
    current += ch;
    if (ch === ';') {
      if (current.replace(/--[^\n]*/g, '').trim() !== ';') statements.push(current.trim());
      current = '';
    }
  }
  if (current.replace(/--[^\n]*/g, '').trim()) statements.push(current.trim());
  return statements;
}

/** Runs an interactive psql loop; given the statement runner and the database name. */
export type PsqlInteractive = (run: (sql: string) => Promise<boolean>, database: string) => Promise<number>;

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function copyValue(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

async function pgDump(args: string[], ctx: CommandContext, out: CommandOutput): Promise<number> {
  const options = parseOptions(args, { '-U': 'user', '--username': 'user', '-d': 'db', '--dbname': 'db', '-h': 'host', '-p': 'port', '-f': 'file', '-t': 'table', '-n': 'schema' });
  const dbFlag = options.flags.get('db');
  const database = typeof dbFlag === 'string' ? dbFlag : (options.rest[0] ?? 'codesign_db');
  const schemaOnly = options.flags.has('s') || options.flags.has('schema-only');
  try {
    return await withPgClient(ctx, undefined, database, async (client) => {
      const lines: string[] = [
        '--',
        '-- PostgreSQL database dump',
        '--',
        '',
        `-- Dumped from database version ${runningPostgres().serverVersion}`,
        `-- Dumped by pg_dump version ${runningPostgres().serverVersion}`,
        '',
        "SET statement_timeout = 0;",
        "SET lock_timeout = 0;",
        "SET client_encoding = 'UTF8';",
        "SET standard_conforming_strings = on;",
        "SELECT pg_catalog.set_config('search_path', '', false);",
        '',
      ];
      const tables = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
      );
      for (const { table_name: table } of tables.rows) {
        const columns = await client.query<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
          "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
          [table],
        );
        lines.push('--', `-- Name: ${table}; Type: TABLE; Schema: public; Owner: codesign`, '--', '', `CREATE TABLE public.${quoteIdent(table)} (`);
        lines.push(
          columns.rows
            .map((c) => `    ${quoteIdent(c.column_name)} ${c.data_type}${c.is_nullable === 'NO' ? ' NOT NULL' : ''}${c.column_default && !c.column_default.startsWith('nextval') ? ` DEFAULT ${c.column_default}` : ''}`)
            .join(',\n'),
          ');',
          '',
          '',
          `ALTER TABLE public.${quoteIdent(table)} OWNER TO codesign;`,
          '',
        );
        if (schemaOnly) continue;
        const names = columns.rows.map((c) => quoteIdent(c.column_name));
        const data = (await client.query({ text: `SELECT ${names.join(', ')} FROM public.${quoteIdent(table)}`, rowMode: 'array' })) as unknown as { rows: Array<Array<string | null>> };
        lines.push('--', `-- Data for Name: ${table}; Type: TABLE DATA; Schema: public; Owner: codesign`, '--', '', `COPY public.${quoteIdent(table)} (${names.join(', ')}) FROM stdin;`);
        for (const row of data.rows) lines.push(row.map(copyValue).join('\t'));
        lines.push('\\.', '', '');
      }
      lines.push('--', '-- PostgreSQL database dump complete', '--', '', '');
      out.stdout(lines.join('\n'));
      return 0;
    });
  } catch (error) {
    out.stderr(`pg_dump: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: ${(error as Error).message}\n`);
    return 1;
  }
}

/** redis-cli prints some commands' replies raw even on a terminal. */
const RAW_REPLY_COMMANDS = new Set(['info', 'client', 'cluster', 'memory', 'latency', 'lolwut']);

function formatRedisReply(value: unknown, raw: boolean, indent = ''): string {
  if (value === null || value === undefined) return raw ? '\n' : '(nil)\n';
  if (typeof value === 'number') return raw ? `${value}\n` : `(integer) ${value}\n`;
  if (Buffer.isBuffer(value)) return formatRedisReply(value.toString('utf8'), raw, indent);
  if (typeof value === 'string') {
    if (raw || value === 'OK' || value === 'PONG' || value === 'QUEUED') return `${value.replace(/\r\n/g, '\n')}${value.endsWith('\n') ? '' : '\n'}`;
    return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"\n`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return raw ? '' : '(empty array)\n';
    if (raw) return value.map((v) => formatRedisReply(v, true)).join('');
    const width = String(value.length).length;
    return value
      .map((v, i) => {
        const label = `${String(i + 1).padStart(width)}) `;
        const body = formatRedisReply(v, false, indent + ' '.repeat(label.length));
        return (i === 0 ? '' : indent) + label + body;
      })
      .join('');
  }
  return `${String(value)}\n`;
}

async function redisCli(args: string[], ctx: CommandContext, out: CommandOutput): Promise<number> {
  const options = parseOptions(args, { '-h': 'host', '-p': 'port', '-a': 'password', '--pass': 'password', '-n': 'db', '-u': 'uri', '--user': 'user' }, true);
  const uri = options.flags.get('uri');
  const uriPassword = typeof uri === 'string' ? /^rediss?:\/\/(?:[^:@/]*:)?([^@/]*)@/.exec(uri)?.[1] : undefined;
  const given = options.flags.get('password') ?? (uriPassword ? decodeURIComponent(uriPassword) : undefined);
  if (typeof given === 'string' && !options.flags.has('no-auth-warning')) {
    out.stderr("Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n");
  }
  // As the real redis-cli: -a / -u, else the REDISCLI_AUTH environment variable.
  const password = typeof given === 'string' ? given : envValue(ctx, 'REDISCLI_AUTH');
  const command = options.rest;
  if (command.length === 0) {
    out.stderr('simulated redis-cli: the interactive prompt is not available in the drill cluster; pass a command, e.g. redis-cli info memory\n');
    return 1;
  }
  const endpoint = await ctx.redis().catch(() => undefined);
  const where = `${typeof options.flags.get('host') === 'string' ? options.flags.get('host') : '127.0.0.1'}:${typeof options.flags.get('port') === 'string' ? options.flags.get('port') : '6379'}`;
  if (!endpoint) {
    out.stderr(`Could not connect to Redis at ${where}: Connection refused (${NO_REDIS_MESSAGE})\n`);
    return 1;
  }
  const { default: Redis } = await import('ioredis');
  const client = new Redis({
    host: endpoint.host,
    port: endpoint.port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    connectTimeout: 3000,
  });
  client.on('error', () => undefined);
  const raw = !ctx.tty || RAW_REPLY_COMMANDS.has(command[0]!.toLowerCase()) || options.flags.has('raw');
  try {
    try {
      await client.connect();
    } catch (error) {
      out.stderr(`Could not connect to Redis at ${where}: ${(error as Error).message}\n`);
      return 1;
    }
    if (typeof password === 'string') {
      try {
        await client.call('AUTH', password);
      } catch (error) {
        out.stderr(`AUTH failed: ${(error as Error).message}\n`);
      }
    }
    const db = options.flags.get('db');
    if (typeof db === 'string') await client.call('SELECT', db).catch(() => undefined);
    try {
      const reply = await client.call(command[0]!, ...command.slice(1));
      out.stdout(formatRedisReply(reply, raw));
      return 0;
    } catch (error) {
      const message = (error as Error).message.replace(/^ReplyError: /, '');
      out.stdout(raw ? `${message}\n` : `(error) ${message}\n`);
      return ctx.tty ? 0 : 1;
    }
  } finally {
    client.disconnect();
  }
}

/**
 * Runs one simple command. Answers the exit code, or undefined when the container has no such
 * executable (the caller words that error: the runtime's for exec, the shell's inside `sh`).
 */
export async function runSimpleCommand(
  argv: string[],
  ctx: CommandContext,
  out: CommandOutput,
  readStdin: StdinReader,
  psqlInteractive?: PsqlInteractive,
): Promise<number | undefined> {
  if (argv.length === 0) return 0;
  if (!hasCommand(ctx.pod, argv[0]!)) return undefined;
  const name = commandName(argv[0]!);
  const args = argv.slice(1);
  switch (name) {
    case 'printenv': {
      const env = containerEnvironment(ctx);
      if (args.length === 0) {
        out.stdout(env.map(([k, v]) => `${k}=${v}\n`).join(''));
        return 0;
      }
      let status = 0;
      for (const wanted of args) {
        const found = env.find(([k]) => k === wanted);
        if (found) out.stdout(`${found[1]}\n`);
        else status = 1;
      }
      return status;
    }
    case 'env':
      out.stdout(containerEnvironment(ctx).map(([k, v]) => `${k}=${v}\n`).join(''));
      return 0;
    case 'echo': {
      const noNewline = args[0] === '-n';
      const words = noNewline ? args.slice(1) : args;
      out.stdout(words.join(' ') + (noNewline ? '' : '\n'));
      return 0;
    }
    case 'hostname':
      out.stdout(`${ctx.pod.name}\n`);
      return 0;
    case 'date':
      out.stdout(`${formatDate(ctx.clock.now())}\n`);
      return 0;
    case 'true':
      return 0;
    case 'false':
      return 1;
    case 'pg_isready':
      return pgIsReady(args, ctx, out);
    case 'psql':
      return psql(args, ctx, out, readStdin, psqlInteractive);
    case 'pg_dump':
      return pgDump(args, ctx, out);
    case 'redis-cli':
      return redisCli(args, ctx, out);
    case 'python':
    case 'python3': {
      const c = args.indexOf('-c');
      if (c === -1 || args[c + 1] === undefined) {
        out.stderr('simulated python: only `python -c "<code>"` with the runbook\'s snippets is available in the drill cluster\n');
        return 2;
      }
      const result = runPythonSnippet(args[c + 1]!, ctx.pod, ctx.profile, ctx.clock.now());
      if (result.stdout) out.stdout(result.stdout);
      if (result.stderr) out.stderr(result.stderr);
      return result.exitCode;
    }
    default:
      return undefined;
  }
}
