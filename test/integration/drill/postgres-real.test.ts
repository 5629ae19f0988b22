/**
 * The drill's postgres-0 on a real PostgreSQL from Debian's packages (issue 11, "The drill's
 * databases"): the drill starts it in its data folder; psql and pg through `kubectl port-forward`
 * see codesign_db and pg_stat_statements with the Secret's password; the image, psql's banner, the
 * pod's backend annotation and the control state say the server's version; db-connection-exhaustion
 * holds 190 real idle sessions that pg_terminate_backend ends (and the drill notices); a restart
 * reuses the data folder, also after the postmaster or the whole drill was SIGKILLed.
 * One data folder for the file; each start after the first reuses it (no second initdb).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DrillDatabases, HELD_IDLE_CONNECTIONS } from '../../../packages/drill-cluster/src/backends/drill-databases';
import { freePort } from '../../../packages/drill-cluster/src/backends/free-port';
import { findPostgresBinaries } from '../../../packages/drill-cluster/src/backends/postgres-server';
import { DrillControlClient } from '../../../packages/drill-cluster/src/control-client';
import { DrillControlServer } from '../../../packages/drill-cluster/src/control-server';
import { DrillRuntime } from '../../../packages/drill-cluster/src/drill-runtime';
import { POSTGRES_BACKEND_ANNOTATION } from '../../../packages/drill-cluster/src/world/versions';
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';
const binaries = findPostgresBinaries();
const CLI = path.resolve(__dirname, '../../../packages/drill-cluster/src/cli.ts');

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, limitMs = 60_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(binaries !== undefined)('postgres-0 on a real PostgreSQL', () => {
  let dir: string;
  let runtime: DrillRuntime | undefined;
  let kubectl: KubectlHarness | undefined;
  let serverDataDir: string | undefined;

  const start = async (): Promise<DrillRuntime> => {
    runtime = await DrillRuntime.start({ kubeconfigPath: path.join(dir, 'kubeconfig'), dataDir: dir, speed: 30, redis: 'none' });
    await kubectl?.dispose();
    kubectl = await KubectlHarness.create(runtime.cluster);
    return runtime;
  };
  const stop = async (): Promise<void> => {
    await kubectl?.dispose();
    kubectl = undefined;
    await runtime?.stop();
    runtime = undefined;
  };
  const password = (): string => DrillDatabases.secretValue(runtime!.cluster.store, 'postgres-password')!;
  const psql = (sql: string) => kubectl!.run(['exec', 'postgres-0', '-n', NS, '--', 'psql', '-U', 'codesign', '-d', 'codesign_db', '-t', '-c', sql]);
  const direct = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const endpoint = await runtime!.cluster.databases!.postgres.address();
    const client = new pg.Client({ host: endpoint!.host, port: endpoint!.port, user: 'postgres', database: 'codesign_db', password: password() });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  const idleAppSessions = () =>
    direct(async (c) => Number((await c.query("SELECT count(*) AS n FROM pg_stat_activity WHERE usename = 'codesign' AND application_name = 'codesign-api' AND state = 'idle'")).rows[0].n));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'drill-postgres-real-'));
    await start();
  });

  afterAll(async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
    // Root's private temp dir is out of the postgres user's reach: the drill kept the cluster elsewhere.
    if (serverDataDir && !serverDataDir.startsWith(dir)) {
      await rm(serverDataDir, { recursive: true, force: true });
      await rm(`${serverDataDir}.log`, { force: true });
      await rm(`${serverDataDir}.origin`, { force: true });
    }
  });

  it('says which backend runs before it starts: annotation, image and control state agree with the real version', async () => {
    const { version } = binaries!;
    const pod = await kubectl!.json<{ metadata: { annotations: Record<string, string> }; spec: { containers: Array<{ image: string }> } }>(['get', 'pod', 'postgres-0', '-n', NS, '-o', 'json']);
    expect(pod.metadata.annotations[POSTGRES_BACKEND_ANNOTATION]).toBe(`postgresql-${version}`);
    expect(pod.spec.containers[0]!.image).toBe(`postgres:${version}`);
    const control = await DrillControlServer.listen(runtime!);
    try {
      const state = await new DrillControlClient(control.url, control.token).state();
      expect(state.backends?.postgres).toMatchObject({ kind: 'postgresql', version, serverVersion: binaries!.serverVersion, annotation: `postgresql-${version}`, state: 'not started', heldIdleConnections: 0 });
    } finally {
      await control.close();
    }
  });

  it('is started by the drill on first use, and psql in postgres-0 and pg through kubectl port-forward see codesign_db and pg_stat_statements', async () => {
    const banner = await kubectl!.run(['exec', 'postgres-0', '-n', NS, '--', 'psql', '-U', 'codesign', '-d', 'codesign_db', '-t', '-c', 'SELECT version()']);
    expect(banner.code).toBe(0);
    expect(banner.stdout).toContain(`PostgreSQL ${binaries!.serverVersion}`);
    const dump = await kubectl!.run(['exec', 'postgres-0', '-n', NS, '--', 'pg_dump', '-U', 'codesign', '-s', 'codesign_db']);
    expect(dump.stdout).toContain(`-- Dumped from database version ${binaries!.serverVersion}\n`);
    const status = runtime!.state().backends!.postgres;
    expect(status).toMatchObject({ state: 'running', initialised: true });
    serverDataDir = status.dataDir;
    process.stdout.write(`postgres start inside the drill (initdb + start + seed): ${status.startMs} ms\n`);

    const localPort = await freePort();
    const forward = kubectl!.spawn(['port-forward', '-n', NS, 'pod/postgres-0', `${localPort}:5432`], { requestTimeout: false });
    try {
      let out = '';
      forward.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await until('the forward', () => out.includes('Forwarding from'), 20_000);
      const wrong = new pg.Client({ host: '127.0.0.1', port: localPort, user: 'codesign', database: 'codesign_db', password: 'wrong' });
      await expect(wrong.connect()).rejects.toThrow(/password authentication failed for user "codesign"/);
      const client = new pg.Client({ host: '127.0.0.1', port: localPort, user: 'codesign', database: 'codesign_db', password: password() });
      await client.connect();
      try {
        const row = (await client.query('SELECT current_database() AS db, current_setting($1) AS preload, current_setting($2) AS max, (SELECT count(*) FROM designs) AS designs', ['shared_preload_libraries', 'max_connections'])).rows[0];
        expect(row).toEqual({ db: 'codesign_db', preload: 'pg_stat_statements', max: '200', designs: '120' });
        const statements = await client.query('SELECT query, calls, mean_exec_time FROM pg_stat_statements ORDER BY mean_exec_time DESC LIMIT 5');
        expect(statements.rowCount).toBeGreaterThan(0);
        await client.query("INSERT INTO users (email, display_name) VALUES ('kept@codesign.example.com', 'Kept across restarts') ON CONFLICT DO NOTHING");
      } finally {
        await client.end();
      }
    } finally {
      forward.kill('SIGTERM');
    }
  });

  it('holds 190 idle codesign-api sessions during db-connection-exhaustion; pg_terminate_backend ends them and the scenario with them', async () => {
    runtime!.setScenario('db-connection-exhaustion', true);
    await until('the held sessions', async () => (await idleAppSessions()) === HELD_IDLE_CONNECTIONS);
    const byState = await psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'codesign_db' AND state = 'idle'");
    expect(Number(byState.stdout.trim())).toBeGreaterThanOrEqual(HELD_IDLE_CONNECTIONS);
    expect(runtime!.state().backends!.postgres.heldIdleConnections).toBe(HELD_IDLE_CONNECTIONS);

    // The runbook's statement, for sessions idle longer than 0 minutes (the drill's sessions are as old as the scenario, in real time).
    const terminate = await psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE state = 'idle' AND application_name = 'codesign-api' AND state_change < now() - interval '0 minutes'");
    expect(terminate.code).toBe(0);
    expect(Number(terminate.stdout.trim())).toBe(HELD_IDLE_CONNECTIONS);
    const ended = await until('the scenario to end itself', () => runtime!.state().scenarios.find((s) => s.name === 'db-connection-exhaustion' && s.ended)?.ended);
    expect(ended.change).toBe(`pg_terminate_backend of ${HELD_IDLE_CONNECTIONS} idle connections in postgres-0`);
    expect(await idleAppSessions()).toBe(0);
    expect(runtime!.state().backends!.postgres.heldIdleConnections).toBe(0);
  });

  it('closes the held sessions when the scenario is cleared', async () => {
    runtime!.setScenario('db-connection-exhaustion', true);
    await until('the held sessions', async () => (await idleAppSessions()) === HELD_IDLE_CONNECTIONS);
    runtime!.setScenario('db-connection-exhaustion', false);
    await until('the sessions to close', async () => (await idleAppSessions()) === 0, 20_000);
    expect(runtime!.state().scenarios.find((s) => s.name === 'db-connection-exhaustion')).toMatchObject({ active: false });
  });

  it('closes a pod’s held sessions when the runbook’s other fix replaces the codesign-api pods', async () => {
    runtime!.setScenario('db-connection-exhaustion', true);
    await until('the held sessions', async () => (await idleAppSessions()) === HELD_IDLE_CONNECTIONS);
    const restart = await kubectl!.run(['rollout', 'restart', 'deployment/codesign-api', '-n', NS]);
    expect(restart.code, restart.stderr).toBe(0);
    await until('the old pods’ sessions to close', async () => (await idleAppSessions()) === 0, 60_000);
    await until('the scenario to end itself', async () => runtime!.state().scenarios.find((s) => s.name === 'db-connection-exhaustion')?.ended);
  });

  it('reuses its data folder across restarts, also after the postmaster was SIGKILLed', async () => {
    const pid = runtime!.cluster.databases!.postgres.serverPid!;
    process.kill(pid, 'SIGKILL');
    await until('the postmaster to die', () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    });
    await stop();
    await start();
    const kept = await direct(async (c) => (await c.query("SELECT display_name FROM users WHERE email = 'kept@codesign.example.com'")).rows);
    expect(kept).toEqual([{ display_name: 'Kept across restarts' }]);
    expect(runtime!.state().backends!.postgres).toMatchObject({ state: 'running', initialised: false, recovered: 'stale-pid-removed', dataDir: serverDataDir });
  });

  it('stops a postmaster left running by a drill that was SIGKILLed, then starts on the same folder', async () => {
    await stop();
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dir, '--redis', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await until('the drill CLI', () => out.includes('Ctrl-C stops it'), 60_000);
      const cliKubectl = await KubectlHarness.create(await readFile(path.join(dir, 'kubeconfig'), 'utf8'));
      try {
        const ready = await cliKubectl.run(['exec', 'postgres-0', '-n', NS, '--', 'pg_isready', '-U', 'codesign']);
        expect(ready.stdout).toContain('accepting connections');
      } finally {
        await cliKubectl.dispose();
      }
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    await start();
    expect(await direct(async (c) => (await c.query('SELECT count(*)::int AS n FROM designs')).rows[0].n)).toBe(120);
    expect(runtime!.state().backends!.postgres).toMatchObject({ state: 'running', initialised: false, recovered: 'orphan-stopped' });
  });
});
