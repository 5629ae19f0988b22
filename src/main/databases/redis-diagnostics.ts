/**
 * Redis diagnostics with `ioredis`: PING latency, INFO memory / stats / clients / server parsed
 * into the runbook's figures (the cache hit rate is keyspace_hits / (hits + misses)), and the
 * slowlog. One client per overview, no retries and no offline queue, so a dead tunnel answers
 * at once instead of hanging a request.
 */
import { Redis } from 'ioredis';
import type { RedisOverview } from '../../shared/contract/databases';

export interface RedisConnectOptions {
  host: string;
  port: number;
  username?: string | undefined;
  password?: string | undefined;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/** Connects (AUTH included) or throws; the caller quits it. */
export async function openRedis(options: RedisConnectOptions): Promise<Redis> {
  const client = new Redis({
    host: options.host,
    port: options.port,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    commandTimeout: options.commandTimeoutMs ?? 10_000,
    connectionName: 'incident-cockpit',
  });
  // The cause (refused, AUTH rejected) arrives as an 'error' event; connect() then only says the connection closed.
  let lastError: unknown;
  client.on('error', (error: unknown) => (lastError = error));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw lastError ?? error;
  }
  return client;
}

/** `INFO` text as `field -> value` (comments and section headers dropped). */
export function parseRedisInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

const num = (fields: Record<string, string>, name: string): number => {
  const value = Number(fields[name]);
  return Number.isFinite(value) ? value : 0;
};

/** The cache hit rate (0..1), or null before any lookup. */
export function hitRate(hits: number, misses: number): number | null {
  return hits + misses === 0 ? null : hits / (hits + misses);
}

export function memoryFigures(fields: Record<string, string>): Extract<RedisOverview['memory'], { ok: true }>['value'] {
  return {
    usedBytes: num(fields, 'used_memory'),
    peakBytes: num(fields, 'used_memory_peak'),
    fragmentationRatio: num(fields, 'mem_fragmentation_ratio'),
    maxmemoryBytes: num(fields, 'maxmemory'),
    policy: fields.maxmemory_policy ?? 'unknown',
  };
}

export function statsFigures(fields: Record<string, string>): Extract<RedisOverview['stats'], { ok: true }>['value'] {
  const hits = num(fields, 'keyspace_hits');
  const misses = num(fields, 'keyspace_misses');
  return { hits, misses, hitRate: hitRate(hits, misses), evictions: num(fields, 'evicted_keys'), opsPerSec: num(fields, 'instantaneous_ops_per_sec'), expired: num(fields, 'expired_keys') };
}

export function clientFigures(fields: Record<string, string>): Extract<RedisOverview['clients'], { ok: true }>['value'] {
  return { connected: num(fields, 'connected_clients'), blocked: num(fields, 'blocked_clients') };
}

/** SLOWLOG GET's nested arrays as entries: [id, unix time, micros, [argv...], client addr, client name]. */
export function parseSlowlog(reply: unknown): Extract<RedisOverview['slowlog'], { ok: true }>['value'] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((entry) => {
    if (!Array.isArray(entry) || entry.length < 4) return [];
    const [id, at, micros, argv, client] = entry as [unknown, unknown, unknown, unknown, unknown];
    const args = Array.isArray(argv) ? argv.map(String) : [];
    return [
      {
        id: Number(id),
        at: new Date(Number(at) * 1000).toISOString(),
        durationMicros: Number(micros),
        // Arguments may be values (an AUTH's password, a SET's payload): the command and key only.
        command: args.slice(0, 2).join(' ') + (args.length > 2 ? ` … (${args.length - 2} more)` : ''),
        ...(typeof client === 'string' && client ? { client } : {}),
      },
    ];
  });
}

/** PING round trips: the median of `samples`. */
export async function pingLatency(client: Redis, samples = 3): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await client.ping();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]! * 100) / 100;
}
