import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PostgresBackend } from './postgres-backend';
import { findPostgresBinaries, parsePostgresVersion } from './postgres-server';

describe('Debian PostgreSQL binaries', () => {
  it('reads the version postgres --version prints', () => {
    expect(parsePostgresVersion('postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)')).toEqual({ version: '15.18', serverVersion: '15.18 (Debian 15.18-0+deb12u1)' });
    expect(parsePostgresVersion('postgres (PostgreSQL) 16.4')).toEqual({ version: '16.4', serverVersion: '16.4' });
    expect(parsePostgresVersion('not postgres')).toBeUndefined();
  });

  it('finds none where none are installed, and then plans PGlite (or refuses when the real server is required)', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'no-postgres-'));
    try {
      expect(findPostgresBinaries(empty)).toBeUndefined();
      expect(findPostgresBinaries(path.join(empty, 'missing'))).toBeUndefined();
      expect(new PostgresBackend('auto', { binariesRoot: empty }).plan()).toEqual({ kind: 'pglite', version: '18.6', serverVersion: '18.6' });
      expect(() => new PostgresBackend('postgresql', { binariesRoot: empty })).toThrow(/no PostgreSQL server binaries/);
      expect(new PostgresBackend({ host: '127.0.0.1', port: 5439 }).plan().kind).toBe('external');
      expect(new PostgresBackend('none').status().state).toBe('none');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it.runIf(findPostgresBinaries() !== undefined)('plans the newest installed server, by its real version', () => {
    const found = findPostgresBinaries()!;
    expect(found.binDir).toMatch(/^\/usr\/lib\/postgresql\/\d+\/bin$/);
    expect(new PostgresBackend('auto').plan()).toEqual({ kind: 'postgresql', version: found.version, serverVersion: found.serverVersion });
    expect(new PostgresBackend('pglite').plan().kind).toBe('pglite');
  });

  it.runIf(findPostgresBinaries() !== undefined)('says why a start failed, and tries again on the next use', async () => {
    let asked = 0;
    const backend = new PostgresBackend('auto', {
      password: () => {
        asked++;
        return undefined;
      },
    });
    await expect(backend.address()).rejects.toThrow(/codesign-secrets has no postgres-password/);
    expect(backend.status()).toMatchObject({ kind: 'postgresql', state: 'failed', problem: expect.stringMatching(/no postgres-password/) });
    await expect(backend.address()).rejects.toThrow(/no postgres-password/);
    expect(asked).toBe(2);
    await backend.close();
  });
});
