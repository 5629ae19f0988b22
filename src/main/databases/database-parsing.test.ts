import { describe, expect, it } from 'vitest';
import { CockpitFailure } from '../../shared/result';
import { namedQuerySql } from '../../shared/runbook/actions';
import { formatRows } from './database-actions';
import { connectionThresholds } from './database-service';
import { explainPostgresError, explainRedisError } from './database-errors';
import { parseTarget } from './endpoints';
import { readinessOfError, redactSqlSecrets, shapeTable, thresholdLevel } from './postgres-diagnostics';
import { clientFigures, hitRate, memoryFigures, parseRedisInfo, parseSlowlog, statsFigures } from './redis-diagnostics';

const INFO = [
  '# Memory',
  'used_memory:1048576',
  'used_memory_peak:2097152',
  'mem_fragmentation_ratio:1.37',
  'maxmemory:0',
  'maxmemory_policy:allkeys-lru',
  '',
  '# Stats',
  'keyspace_hits:30',
  'keyspace_misses:10',
  'evicted_keys:4',
  'expired_keys:2',
  'instantaneous_ops_per_sec:120',
  '# Clients',
  'connected_clients:7',
  'blocked_clients:1',
].join('\r\n');

describe('Redis INFO', () => {
  it('parses fields and gives the runbook figures, hit rate = hits / (hits + misses)', () => {
    const fields = parseRedisInfo(INFO);
    expect(memoryFigures(fields)).toEqual({ usedBytes: 1048576, peakBytes: 2097152, fragmentationRatio: 1.37, maxmemoryBytes: 0, policy: 'allkeys-lru' });
    expect(statsFigures(fields)).toEqual({ hits: 30, misses: 10, hitRate: 0.75, evictions: 4, opsPerSec: 120, expired: 2 });
    expect(clientFigures(fields)).toEqual({ connected: 7, blocked: 1 });
  });

  it('has no hit rate before any lookup', () => {
    expect(hitRate(0, 0)).toBeNull();
    expect(statsFigures(parseRedisInfo('keyspace_hits:0\nkeyspace_misses:0')).hitRate).toBeNull();
  });

  it('shows slowlog entries without their argument values (an AUTH password stays out)', () => {
    const entries = parseSlowlog([
      [3, 1764633600, 1520, ['AUTH', 'default', 's3cret-value'], '127.0.0.1:5000', ''],
      [2, 1764633500, 90, ['GET', 'user:1']],
      'garbage',
    ]);
    expect(entries).toEqual([
      { id: 3, at: '2025-12-02T00:00:00.000Z', durationMicros: 1520, command: 'AUTH default … (1 more)', client: '127.0.0.1:5000' },
      { id: 2, at: new Date(1764633500 * 1000).toISOString(), durationMicros: 90, command: 'GET user:1' },
    ]);
    expect(JSON.stringify(entries)).not.toContain('s3cret-value');
  });
});

describe('PostgreSQL figures', () => {
  it('grades connections against the runbook thresholds (gt 150 warning, gt 190 critical)', () => {
    const t = { warning: 150, critical: 190 };
    expect([150, 151, 190, 191].map((n) => thresholdLevel(n, t))).toEqual(['ok', 'warning', 'warning', 'critical']);
  });

  it('reads the thresholds from the runbook, with the source runbook values when it has none', () => {
    expect(connectionThresholds({ thresholds: [{ id: 'postgresql-connections', warning: 120, critical: 180 }] } as never)).toMatchObject({ warning: 120, critical: 180 });
    expect(connectionThresholds(undefined)).toMatchObject({ warning: 150, critical: 190 });
  });

  it('adapts the slow-statement SQL to the server version', () => {
    expect(namedQuerySql('slow-statements', 'db', 150004)).toContain('mean_exec_time');
    expect(namedQuerySql('slow-statements', 'db', 120010)).not.toContain('mean_exec_time');
    expect(namedQuerySql('slow-statements', 'db', 120010)).toContain('ORDER BY mean_time');
    expect(namedQuerySql('terminate-idle', 'db', 150004, { idleMinutes: 0 })).toContain("interval '0 minutes'");
    expect(namedQuerySql('terminate-idle', 'db', 150004)).toContain("interval '5 minutes'");
  });

  it('estimates bloat as the dead-row ratio', () => {
    const t = shapeTable({ relname: 'designs', schemaname: 'public', live: '300', dead: '100', seq: '4', idx: null, size: '8192', vac: null, ana: null });
    expect(t).toMatchObject({ table: 'designs', deadRatio: 0.25, indexScans: 0 });
    expect(shapeTable({ relname: 'x', schemaname: 'audit', live: '0', dead: '0', seq: '0', idx: '0', size: '0', vac: null, ana: null }).table).toBe('audit.x');
  });

  it('answers readiness as pg_isready would', () => {
    expect(readinessOfError(Object.assign(new Error('password authentication failed'), { code: '28P01' }))).toMatchObject({ state: 'accepting', ready: true });
    expect(readinessOfError(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toMatchObject({ state: 'rejecting', ready: false });
    expect(readinessOfError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({ state: 'no-response', ready: false });
  });

  it('hides password literals in SQL text (pg_stat_statements keeps utility statements verbatim)', () => {
    expect(redactSqlSecrets("CREATE ROLE codesign LOGIN PASSWORD 'mQDA5iBuK+2i''x'")).toBe("CREATE ROLE codesign LOGIN PASSWORD '(redacted)'");
    expect(redactSqlSecrets('ALTER ROLE postgres ENCRYPTED password $p$s3cret$p$ VALID UNTIL')).toBe("ALTER ROLE postgres ENCRYPTED password '(redacted)' VALID UNTIL");
    expect(redactSqlSecrets('SELECT password_hash FROM users')).toBe('SELECT password_hash FROM users');
    expect(formatRows(['query'], [["ALTER ROLE x PASSWORD 'abc'"]])).toContain("PASSWORD '(redacted)'");
  });

  it('prints rows as psql does', () => {
    expect(formatRows(['state', 'n'], [['idle', 3], [null, 1]])).toBe('state | n\n------+--\nidle  | 3\n      | 1\n(2 rows)');
  });
});

describe('errors a responder meets', () => {
  const scope = { address: '127.0.0.1:5432', user: 'codesign', database: 'codesign_db', target: 'postgres-0' };
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
  it.each([
    ['28P01', 'password authentication failed for user "codesign"', 'Unauthorized', 'wrong password for PostgreSQL user "codesign"'],
    ['28000', 'no pg_hba.conf entry for host "127.0.0.1", user "codesign", database "codesign_db", no encryption', 'Unauthorized', 'requires TLS'],
    ['3D000', 'database "x" does not exist', 'NotFound', 'database "codesign_db" does not exist on postgres-0'],
    ['57014', 'canceling statement due to statement timeout', 'Timeout', 'statement timeout'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432', 'Unreachable', 'connection refused at 127.0.0.1:5432'],
    ['53300', 'sorry, too many clients already', 'Unavailable', 'no connection slot left'],
    ['25006', 'cannot execute DELETE in a read-only transaction', 'Forbidden', 'read-only'],
  ])('pg %s → %s', (code, message, expectedCode, expectedText) => {
    const failure = explainPostgresError(pgError(code, message), scope);
    expect(failure.code).toBe(expectedCode);
    expect(failure.message).toContain(expectedText);
  });

  it('a dropped tunnel mid-query says results already shown are kept', () => {
    expect(explainPostgresError(new Error('Connection terminated unexpectedly'), scope, true).message).toContain('dropped mid-query; results already shown are kept');
    expect(explainRedisError(new Error('Connection is closed.'), { address: 'a', target: 'redis-0' }, true).message).toContain('dropped mid-query');
  });

  it('keeps the tunnel\'s own pod errors, and names a missing or unready pod', () => {
    const own = new CockpitFailure('NotFound', 'pod postgres-9 does not exist in codesign-production');
    expect(explainPostgresError(own, scope)).toBe(own);
    expect(explainPostgresError(Object.assign(new Error('pods "postgres-9" not found'), { statusCode: 404 }), scope)).toMatchObject({ code: 'NotFound', message: expect.stringContaining('pod postgres-0 not found') });
    expect(explainRedisError(new Error('pod redis-0 is not ready (ContainerCreating)'), { address: 'a', target: 'redis-0' })).toMatchObject({ code: 'Unavailable', message: expect.stringContaining('is not ready') });
  });

  it('names Redis auth failures', () => {
    expect(explainRedisError(new Error('WRONGPASS invalid username-password pair or user is disabled.'), { address: 'a', target: 'redis-0' }).message).toContain('wrong password for Redis');
    expect(explainRedisError(new Error('NOAUTH Authentication required.'), { address: 'a', target: 'redis-0' }).message).toContain('requires a password');
  });

  it('parses tunnel targets', () => {
    expect(parseTarget('postgres-0')).toEqual({ kind: 'pod', name: 'postgres-0' });
    expect(parseTarget('service/redis')).toEqual({ kind: 'service', name: 'redis' });
    expect(() => parseTarget('job/x')).toThrow(/not a pod, service/);
  });
});
