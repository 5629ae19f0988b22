/**
 * Real servers from Debian's packages for the tunnel tests and bench: a redis-server and a
 * PostgreSQL 15 (initdb in a temp dir), each on a free 127.0.0.1 port, stopped after. The drill
 * cluster is started with their addresses, so its postgres-0 / redis-0 forward to them.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { freePort, waitForPort } from '../../../packages/drill-cluster/src/backends/free-port';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { DrillApiServer } from '../../../packages/drill-cluster/src/server';
import { sharedServingCertificate } from '../../../packages/drill-cluster/src/serving-certificate';
import type { PodStreamHandler } from '../../../packages/drill-cluster/src/types';
import type { Logger } from '../../../src/main/app/logger';

const run = promisify(execFile);
export { freePort };
export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const NS = 'codesign-production';
export const quietLogger: Logger = { info() {}, warn() {}, error() {} };

export interface Backend {
  host: string;
  port: number;
  stop(): Promise<void>;
}


async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}

export async function startRedis(): Promise<Backend> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tunnels-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--maxclients', '1000'], { stdio: 'ignore' });
  await waitForPort(port, child, 'redis-server');
  return { host: '127.0.0.1', port, stop: () => stopChild(child, dir) };
}

export const hasPostgres15 = (): boolean => existsSync(path.join(PG_BIN, 'initdb'));

/** Who PostgreSQL runs as: ourselves, or the `postgres` system user when we are root (initdb refuses root). */
function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:') || l.startsWith('nobody:'));
  const fields = line?.split(':');
  if (!fields) throw new Error('running as root and there is no postgres or nobody user to run PostgreSQL as');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** PostgreSQL 15, trust auth for `postgres` and `codesign`, database codesign_db. */
export async function startPostgres(): Promise<Backend & { user: string; database: string; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tunnels-pg-'));
  const data = path.join(dir, 'data');
  const as = postgresUser();
  if (as.uid !== undefined) await chown(dir, as.uid, as.gid!);
  await run(path.join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'], { env: { ...process.env, LC_ALL: 'C' }, cwd: dir, ...as });
  const port = await freePort();
  await writeFile(path.join(data, 'postgresql.auto.conf'), `listen_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nmax_connections = 200\nfsync = off\n`);
  if (as.uid !== undefined) await chown(path.join(data, 'postgresql.auto.conf'), as.uid, as.gid!);
  const child = spawn(path.join(PG_BIN, 'postgres'), ['-D', data], { stdio: 'ignore', cwd: dir, ...as });
  await waitForPort(port, child, 'postgres');
  // Accepting TCP comes a moment before accepting sessions; psql retries until it answers.
  const psql = path.join(PG_BIN, 'psql');
  for (let i = 0; ; i++) {
    try {
      await run(psql, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', 'CREATE ROLE codesign LOGIN SUPERUSER', '-c', 'CREATE DATABASE codesign_db OWNER codesign']);
      break;
    } catch (error) {
      if (i > 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { host: '127.0.0.1', port, user: 'codesign', database: 'codesign_db', dir, stop: () => stopChild(child, dir) };
}

export interface TunnelDrill {
  cluster: DrillCluster;
  kubeConfig: KubeConfig;
  kubeconfigText: string;
  /** Deletes a pod through the API, as `kubectl delete pod` does; the drill's statefulset controller makes it again. */
  deletePod(name: string): Promise<void>;
  /** Stops the API server (cutting every watch and forward), runs `whileDown`, starts it again on the same port. */
  restartApiServer(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export async function startTunnelDrill(backends: { redis?: Backend; postgres?: Backend }, options: { speed?: number } = {}): Promise<TunnelDrill> {
  const cluster = await DrillCluster.start({
    speed: options.speed ?? 1,
    postgres: backends.postgres ? { host: backends.postgres.host, port: backends.postgres.port } : 'none',
    redis: backends.redis ? { host: backends.redis.host, port: backends.redis.port } : 'none',
  });
  const kubeconfigText = cluster.kubeconfig('drill');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kubeconfigText);
  return {
    cluster,
    kubeConfig,
    kubeconfigText,
    deletePod: async (name) => {
      await kubeConfig.makeApiClient(CoreV1Api).deleteNamespacedPod({ name, namespace: NS });
    },
    async restartApiServer(whileDown) {
      const internals = cluster as unknown as { server: DrillApiServer; streams: PodStreamHandler };
      const port = cluster.port;
      await internals.server.close();
      await whileDown?.();
      internals.server = await DrillApiServer.listen({ store: cluster.store, token: cluster.token, world: cluster.world, streams: internals.streams, tls: await sharedServingCertificate(), port });
    },
    stop: () => cluster.stop(),
  };
}
