import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresBackend } from '../../../packages/drill-cluster/src/backends/postgres-backend';

describe('PostgreSQL backend', () => {
  it('answers nothing when configured none, and a given address as is', async () => {
    expect(await new PostgresBackend('none').address()).toBeUndefined();
    expect(await new PostgresBackend({ host: '127.0.0.1', port: 5439 }).address()).toMatchObject({ host: '127.0.0.1', port: 5439, embedded: false });
  });

  it('serves a seeded PGlite over the wire protocol on 127.0.0.1, once, until closed', { timeout: 60_000 }, async () => {
    const backend = new PostgresBackend('pglite');
    const [address, again] = await Promise.all([backend.address(), backend.address()]);
    expect(again).toBe(address);
    expect(address).toMatchObject({ host: '127.0.0.1', embedded: true });
    const client = new pg.Client({ host: address!.host, port: address!.port, user: 'codesign', database: 'codesign_db' });
    await client.connect();
    const counts = await client.query<{ users: string; designs: string; audit: string; role: boolean }>(
      "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM designs) AS designs, (SELECT count(*) FROM audit_logs) AS audit, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'codesign') AS role",
    );
    expect(counts.rows[0]).toEqual({ users: '40', designs: '120', audit: '200', role: true });
    await client.end();
    await backend.close();
    const refused = new pg.Client({ host: address!.host, port: address!.port, user: 'codesign', connectionTimeoutMillis: 2000 });
    await expect(refused.connect()).rejects.toThrow();
  });
});
