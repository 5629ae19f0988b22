import { afterEach, describe, expect, it } from 'vitest';
import { PGLITE_POSTGRES_VERSION, postgresBackendLabel, postgresClientImage, postgresImage, postgresVersion, runningPostgres, useRunningPostgres } from './versions';

afterEach(() => useRunningPostgres({ kind: 'pglite', version: PGLITE_POSTGRES_VERSION, serverVersion: PGLITE_POSTGRES_VERSION }));

describe('versions follow the running backend', () => {
  it('says PGlite’s PostgreSQL until told otherwise', () => {
    expect(postgresImage()).toBe(`postgres:${PGLITE_POSTGRES_VERSION}`);
    expect(postgresBackendLabel()).toBe(`pglite-${PGLITE_POSTGRES_VERSION}`);
  });

  it('derives the image, the client image and the annotation from a real server', () => {
    useRunningPostgres({ kind: 'postgresql', version: '15.18', serverVersion: '15.18 (Debian 15.18-0+deb12u1)' });
    expect(postgresVersion()).toBe('15.18');
    expect(postgresImage()).toBe('postgres:15.18');
    expect(postgresClientImage()).toBe('postgres:15-alpine');
    expect(postgresBackendLabel()).toBe('postgresql-15.18');
    expect(runningPostgres().serverVersion).toBe('15.18 (Debian 15.18-0+deb12u1)');
  });
});
