/**
 * Tunnel figures, in one run against the drill cluster run as its own process (as the app runs
 * it) fronting a real PostgreSQL 15 and redis-server from Debian's packages:
 * `pgbench -S` direct, through the cockpit's tunnel (client-node PortForward, one WebSocket per
 * connection) and through `kubectl port-forward` (SPDY over WebSocket), interleaved so load on
 * the shared machine hits each alike; ioredis PING latency through the tunnel; and how long
 * the tunnel takes to serve again once a deleted pod's replacement is Ready.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { TunnelService } from '../src/main/tunnels/tunnel-service';
import { freePort, NS, PG_BIN, quietLogger, startPostgres, startRedis } from '../test/integration/tunnels/backends';
import type { Report } from './report';
import { percentile } from './stats';

const execFileAsync = promisify(execFile);
const SECONDS = Number(process.env.BENCH_TUNNEL_SECONDS ?? 8);
const CLIENTS = Number(process.env.BENCH_TUNNEL_CLIENTS ?? 4);
const ROUNDS = Number(process.env.BENCH_TUNNEL_ROUNDS ?? 2);
const PINGS = Number(process.env.BENCH_TUNNEL_PINGS ?? 3000);
const CONNECTS = Number(process.env.BENCH_TUNNEL_CONNECTS ?? 50);
const RESTARTS = Number(process.env.BENCH_TUNNEL_RESTARTS ?? 3);
const CLI = path.resolve(import.meta.dirname, '../packages/drill-cluster/src/cli.ts');

/** Starts a child and resolves once its stdout says `ready`; rejects with what it printed if it exits first. */
async function spawnUntil(command: string, args: string[], ready: string): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(ready)) resolve();
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${path.basename(command)} exited (${code}): ${out}`)));
  });
  return child;
}

async function startDrillProcess(dir: string, postgres: string, redis: string): Promise<{ child: ChildProcess; kubeconfigPath: string }> {
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  // Speed 60: a deleted statefulset pod is replaced and Ready in about a second of real time.
  const child = await spawnUntil(process.execPath, ['--import', 'tsx', CLI, '--speed', '60', '--kubeconfig', kubeconfigPath, '--postgres', postgres, '--redis', redis], 'Kubeconfig');
  return { child, kubeconfigPath };
}

async function pgbench(port: number, seconds: number): Promise<number> {
  const { stdout } = await execFileAsync(path.join(PG_BIN, 'pgbench'), ['-S', '-n', '-c', String(CLIENTS), '-j', String(Math.min(CLIENTS, 2)), '-T', String(seconds), '-h', '127.0.0.1', '-p', String(port), '-U', 'codesign', 'codesign_db'], {
    env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
  });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1];
  if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
  return Number(tps);
}

async function kubectlPortForward(kubeconfigPath: string, target: string, remotePort: number): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  const child = await spawnUntil('kubectl', ['--kubeconfig', kubeconfigPath, '-n', NS, 'port-forward', target, `${port}:${remotePort}`], 'Forwarding from');
  return { port, stop: () => child.kill('SIGTERM') };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(report: Report): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-tunnels-'));
  const postgres = await startPostgres();
  const redis = await startRedis();
  const drill = await startDrillProcess(dir, `${postgres.host}:${postgres.port}`, `${redis.host}:${redis.port}`);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(drill.kubeconfigPath);
  const tunnels = new TunnelService({ kubeConfig: async () => kubeConfig, logger: quietLogger });
  try {
    await execFileAsync(path.join(PG_BIN, 'pgbench'), ['-i', '-q', '-s', '1', '-h', '127.0.0.1', '-p', String(postgres.port), '-U', 'codesign', 'codesign_db']);
    const pgTunnel = await tunnels.open({ context: 'drill', namespace: NS, target: { kind: 'pod', name: 'postgres-0' }, remotePort: 5432 });
    const kubectl = await kubectlPortForward(drill.kubeconfigPath, 'pod/postgres-0', 5432);
    const tps = { direct: [] as number[], tunnel: [] as number[], kubectl: [] as number[] };
    try {
      await pgbench(pgTunnel.localPort, 2); // warm-up: JIT, TLS session, buffers
      await pgbench(kubectl.port, 2);
      for (let round = 0; round < ROUNDS; round++) {
        tps.direct.push(await pgbench(postgres.port, SECONDS));
        tps.tunnel.push(await pgbench(pgTunnel.localPort, SECONDS));
        tps.kubectl.push(await pgbench(kubectl.port, SECONDS));
      }
    } finally {
      kubectl.stop();
    }
    const tunnelTps = mean(tps.tunnel);
    const kubectlTps = mean(tps.kubectl);
    report('direct pgbench tps', mean(tps.direct), 'tps', `reference; pgbench -S -c ${CLIENTS}, ${ROUNDS}x${SECONDS} s`);
    report('tunnel pgbench tps', tunnelTps, 'tps', 'reference');
    report('kubectl port-forward pgbench tps', kubectlTps, 'tps', 'reference');
    report('tunnel ratio vs kubectl port-forward', tunnelTps / kubectlTps, 'x', '>= 1.0');

    const redisTunnel = await tunnels.open({ context: 'drill', namespace: NS, target: { kind: 'service', name: 'redis' }, remotePort: 6379 });
    const client = new Redis({ host: '127.0.0.1', port: redisTunnel.localPort });
    for (let i = 0; i < 200; i++) await client.ping();
    const samples: number[] = [];
    for (let i = 0; i < PINGS; i++) {
      const started = performance.now();
      await client.ping();
      samples.push(performance.now() - started);
    }
    client.disconnect();
    report('tunnel redis ping p50', percentile(samples, 50), 'ms', 'reference');
    report('tunnel redis ping p99', percentile(samples, 99), 'ms', 'reference');

    // What one WebSocket per connection costs at connect time, against kubectl's streams
    // multiplexed over one SPDY connection: a new connection and its first PING, one after another.
    const kubectlRedis = await kubectlPortForward(drill.kubeconfigPath, 'svc/redis', 6379);
    try {
      const connectPing = async (port: number) => {
        const times: number[] = [];
        for (let i = 0; i < CONNECTS; i++) {
          const started = performance.now();
          const fresh = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => null });
          await fresh.ping();
          times.push(performance.now() - started);
          fresh.disconnect();
        }
        return times;
      };
      await connectPing(redisTunnel.localPort);
      await connectPing(kubectlRedis.port);
      report('tunnel new connection p50', percentile(await connectPing(redisTunnel.localPort), 50), 'ms', 'reference; connect + first PING');
      report('kubectl port-forward new connection p50', percentile(await connectPing(kubectlRedis.port), 50), 'ms', 'reference; connect + first PING');
    } finally {
      kubectlRedis.stop();
    }

    // Reconnect: delete the pod behind the tunnel; from the moment its replacement is Ready (seen
    // by polling the API every 10 ms) to the first PING answered through the same local port.
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const reconnects: number[] = [];
    const wholeRestarts: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      const before = await core.readNamespacedPod({ name: 'redis-0', namespace: NS });
      const deletedAt = performance.now();
      await core.deleteNamespacedPod({ name: 'redis-0', namespace: NS });
      let readyAt = 0;
      for (;;) {
        const pod = await core.readNamespacedPod({ name: 'redis-0', namespace: NS }).catch(() => undefined);
        const ready = pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        if (pod && pod.metadata?.uid !== before.metadata?.uid && ready && !pod.metadata?.deletionTimestamp) {
          readyAt = performance.now();
          break;
        }
        await sleep(10);
      }
      for (;;) {
        const probe = new Redis({ host: '127.0.0.1', port: redisTunnel.localPort, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000 });
        probe.on('error', () => undefined);
        const answered = await probe.ping().then(
          () => true,
          () => false,
        );
        probe.disconnect();
        if (answered) break;
        await sleep(10);
      }
      const servedAt = performance.now();
      reconnects.push((servedAt - readyAt) / 1000);
      wholeRestarts.push((servedAt - deletedAt) / 1000);
      await sleep(500);
    }
    reconnects.sort((a, b) => a - b);
    report('tunnel reconnect after pod restart', reconnects[reconnects.length - 1]!, 's', `<= 2 s; worst of ${RESTARTS}, from the replacement pod Ready to the first PING served`);
    report('tunnel pod delete to first reply', mean(wholeRestarts), 's', 'reference; includes the drill (speed 60) replacing the pod');
    const info = tunnels.list().find((t) => t.id === redisTunnel.id);
    if (info?.reconnects !== RESTARTS) console.warn(`the redis tunnel counted ${info?.reconnects} reconnects for ${RESTARTS} restarts`);
  } finally {
    tunnels.dispose();
    drill.child.kill('SIGTERM');
    await new Promise((r) => drill.child.once('exit', r));
    await redis.stop();
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && /tunnels\.bench\.ts$/.test(process.argv[1])) {
  const { printReport } = await import('./report');
  await run(printReport);
}
