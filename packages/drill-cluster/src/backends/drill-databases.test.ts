import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RESOURCE_KEYS } from '../resources';
import { startManualWorld, type ManualWorld } from '../world/testing/manual-world';
import { PGLITE_POSTGRES_VERSION, POSTGRES_BACKEND_ANNOTATION, useRunningPostgres } from '../world/versions';
import { DrillDatabases } from './drill-databases';
import { PostgresBackend } from './postgres-backend';

const NS = 'codesign-production';
let env: ManualWorld | undefined;
let databases: DrillDatabases | undefined;

vi.setConfig({ testTimeout: 30_000 });

afterEach(async () => {
  await databases?.close();
  await env?.world.stop();
  useRunningPostgres({ kind: 'pglite', version: PGLITE_POSTGRES_VERSION, serverVersion: PGLITE_POSTGRES_VERSION });
  env = undefined;
  databases = undefined;
});

type Template = { metadata: { annotations?: Record<string, string> }; spec: { containers: Array<{ name: string; image: string }> } };
const template = (): Template => (env!.store.get(RESOURCE_KEYS.statefulsets, NS, 'postgres')!.spec as { template: Template }).template;

describe('the drill databases', () => {
  it('seeds postgres-0 with the PGlite backend annotation and image when no server binaries exist, and holds no real sessions', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'no-postgres-'));
    try {
      const backend = new PostgresBackend('auto', { binariesRoot: empty });
      DrillDatabases.announce(backend);
      env = await startManualWorld();
      databases = new DrillDatabases(backend, env.world, env.store);
      databases.start();
      expect(template().metadata.annotations?.[POSTGRES_BACKEND_ANNOTATION]).toBe(`pglite-${PGLITE_POSTGRES_VERSION}`);
      expect(template().spec.containers[0]!.image).toBe(`postgres:${PGLITE_POSTGRES_VERSION}`);
      expect(databases.holdsRealSessions).toBe(false);
      expect(databases.status().postgres).toMatchObject({ kind: 'pglite', state: 'not started', heldIdleConnections: 0 });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('brings a state restored from another backend up to date: annotation and image of the running one', async () => {
    env = await startManualWorld();
    useRunningPostgres({ kind: 'postgresql', version: '15.18', serverVersion: '15.18 (Debian 15.18-0+deb12u1)' });
    databases = new DrillDatabases(new PostgresBackend('none'), env.world, env.store);
    databases.start();
    expect(template().metadata.annotations?.[POSTGRES_BACKEND_ANNOTATION]).toBe('postgresql-15.18');
    expect(template().spec.containers.find((c) => c.name === 'postgres')!.image).toBe('postgres:15.18');
  });

  it('reads the Secret’s keys decoded', async () => {
    env = await startManualWorld();
    const value = DrillDatabases.secretValue(env.store, 'postgres-password');
    expect(value).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    expect(DrillDatabases.secretValue(env.store, 'missing')).toBeUndefined();
  });
});
