/**
 * Pod streams through the real kubectl: logs (tail, follow, job, previous), exec (the runbook's
 * commands, exit codes, -it through a pseudo-terminal) and port-forward over both of kubectl's
 * transports to the real PostgreSQL and Redis behind postgres-0 and redis-0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import Redis from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { RESOURCE_KEYS } from '../../../packages/drill-cluster/src/resources';
import { KUBECTL_BINARY, KubectlHarness } from './kubectl-harness';
import { freePort } from '../../../packages/drill-cluster/src/backends/free-port';

const NS = 'codesign-production';
/** The Redis tests need `redis-server` (Debian's redis-server package) for the backend. */
const haveRedisServer = (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(`${dir}/redis-server`));

let cluster: DrillCluster;
let kubectl: KubectlHarness;

beforeAll(async () => {
  cluster = await DrillCluster.start({ logLinesPerSecond: 400, postgres: 'pglite' });
  kubectl = await KubectlHarness.create(cluster);
  // Let every pod accumulate more history than the largest tail asked for below.
  await new Promise((resolve) => setTimeout(resolve, 1500));
});

afterAll(async () => {
  await kubectl?.dispose();
  await cluster?.stop();
});


function collect(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return { stdout: () => stdout, stderr: () => stderr };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function redisPassword(): Promise<string> {
  const secret = await kubectl.json<{ data: Record<string, string> }>(['get', 'secret', 'codesign-secrets', '-n', NS]);
  return Buffer.from(secret.data['redis-password']!, 'base64').toString('utf8');
}

/** Starts `kubectl port-forward` and waits until it listens. */
async function portForward(target: string, remotePort: number, env: Record<string, string> = {}) {
  const localPort = await freePort();
  const child = kubectl.spawn(['port-forward', '-n', NS, target, `${localPort}:${remotePort}`], { requestTimeout: false, env });
  const output = collect(child);
  await waitFor(() => output.stdout().includes('Forwarding from 127.0.0.1'), 'port-forward to listen');
  return {
    localPort,
    output,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

describe('kubectl logs', () => {
  it('gives 100 request lines for logs deployment/codesign-api --tail=100', async () => {
    const result = await kubectl.run(['logs', '-n', NS, 'deployment/codesign-api', '--tail=100']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(100);
    expect(lines.filter((l) => /\[gunicorn\] (GET|POST|PUT) \/api\/v1\/\S* status=\d{3} duration=\d+ms/.test(l)).length).toBeGreaterThan(80);
  });

  it('streams with -f: N lines arrive, then stopping kubectl ends it', async () => {
    const child = kubectl.spawn(['logs', '-f', '-n', NS, 'deployment/codesign-api', '--tail=0'], { requestTimeout: false });
    const output = collect(child);
    // Counted as the assertion below counts them (a trailing newline is not one more line).
    await waitFor(() => output.stdout().split('\n').filter(Boolean).length > 200, '200 followed lines');
    child.kill('SIGTERM');
    await exited(child);
    const lines = output.stdout().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(200);
    expect(lines.every((l) => /^(20\d\d-\d\d-\d\dT|Traceback| {2})|^\w+(\.\w+)*: /.test(l))).toBe(true);
  });

  it("shows today's backup job ending with the completed upload", async () => {
    const jobs = cluster.store.list(RESOURCE_KEYS.jobs, NS).map((j) => j.metadata.name);
    const today = `backup-job-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
    expect(jobs).toContain(today);
    const result = await kubectl.run(['logs', '-n', NS, `job/${today}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('starting daily backup of codesign_db');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/backup completed: codesign_db_\d{8}\.sql\.gz uploaded/);
  });

  it('shows ERROR lines for `| grep ERROR` once the error spike is injected', async () => {
    const errorLines = (text: string) => text.split('\n').filter((l) => l.includes('ERROR'));
    const before = await kubectl.run(['logs', '-n', NS, 'deployment/codesign-api', '--tail=500']);
    cluster.world.scenarios.inject('error-spike');
    try {
      const during = await kubectl.run(['logs', '-n', NS, 'deployment/codesign-api', '--tail=500']);
      expect(during.code).toBe(0);
      expect(errorLines(during.stdout).length).toBeGreaterThan(25);
      expect(errorLines(during.stdout).length).toBeGreaterThan(errorLines(before.stdout).length * 3);
      expect(during.stdout).toMatch(/status=5\d\d/);
    } finally {
      cluster.world.scenarios.clear('error-spike');
    }
  });

  it('refuses --previous for a container that never restarted, with the API server message', async () => {
    const result = await kubectl.run(['logs', '-n', NS, 'postgres-0', '--previous']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('previous terminated container "postgres" in pod "postgres-0" not found');
  });

  it('adds RFC3339Nano timestamps with --timestamps', async () => {
    const result = await kubectl.run(['logs', '-n', NS, 'redis-0', '--tail=5', '--timestamps']);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z \d+:[MC] /);
  });
});

describe('kubectl exec', () => {
  it('pg_isready answers accepting connections with exit 0', async () => {
    const result = await kubectl.run(['exec', 'postgres-0', '-n', NS, '--', 'pg_isready', '-U', 'codesign']);
    expect(result).toMatchObject({ code: 0, stdout: '/var/run/postgresql:5432 - accepting connections\n' });
  });

  it('runs the runbook psql queries against the real PostgreSQL', async () => {
    const psql = (sql: string) => kubectl.run(['exec', 'postgres-0', '-n', NS, '--', 'psql', '-U', 'codesign', '-d', 'codesign_db', '-c', sql]);
    const activity = await psql('\nSELECT count(*) as active_connections, state \nFROM pg_stat_activity \nGROUP BY state;');
    expect(activity.code).toBe(0);
    expect(activity.stdout).toMatch(/^ active_connections \| state\s*\n-+\+-+\n\s+\d+ \| active\n\(\d+ rows?\)\n/);
    const terminate = await psql("\nSELECT pg_terminate_backend(pid) \nFROM pg_stat_activity \nWHERE state = 'idle' AND state_change < now() - interval '5 minutes';");
    expect(terminate.code).toBe(0);
    expect(terminate.stdout).toContain(' pg_terminate_backend \n----------------------\n');
    const designs = await psql('SELECT status, count(*) FROM designs GROUP BY status ORDER BY status;');
    expect(designs.stdout).toContain(' archived  |    40\n');
    const statements = await psql('\nSELECT query, mean_time, calls, total_time \nFROM pg_stat_statements \nORDER BY mean_time DESC \nLIMIT 10;');
    expect(statements.code).toBe(1);
    expect(statements.stderr).toContain('ERROR:  relation "pg_stat_statements" does not exist\nLINE 3: FROM pg_stat_statements');
  });

  it('dumps the schema and rows with pg_dump', async () => {
    const result = await kubectl.run(['exec', 'postgres-0', '-n', NS, '--', 'pg_dump', '-U', 'codesign', '-d', 'codesign_db']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('CREATE TABLE public.designs (');
    expect(result.stdout).toContain('COPY public.audit_logs (id, user_id, action, result, risk_level, created_at) FROM stdin;');
    expect(result.stdout.trimEnd().endsWith('-- PostgreSQL database dump complete\n--')).toBe(true);
  });

  it.runIf(haveRedisServer)('redis-cli info memory reaches the real Redis with the secret password', async () => {
    const password = await redisPassword();
    const result = await kubectl.run(['exec', 'redis-0', '-n', NS, '--', 'redis-cli', '--no-auth-warning', '-a', password, 'info', 'memory']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^# Memory\nused_memory:\d+\n/);
    const refused = await kubectl.run(['exec', 'redis-0', '-n', NS, '--', 'redis-cli', 'info', 'memory']);
    expect(refused.stdout).toContain('NOAUTH Authentication required.');
  });

  it('answers an unknown command with exit 127 and the runtime message', async () => {
    const result = await kubectl.run(['exec', 'postgres-0', '-n', NS, '--', 'top']);
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('exec: "top": executable file not found in $PATH');
    expect(result.stderr).toContain('command terminated with exit code 127');
  });

  it('refuses an unknown container with the API server message', async () => {
    const exec = await kubectl.run(['exec', 'postgres-0', '-n', NS, '-c', 'sidecar', '--', 'pg_isready']);
    expect(exec.code).toBe(1);
    expect(exec.stderr).toContain('Error from server (BadRequest): container sidecar is not valid for pod postgres-0');
    const logs = await kubectl.run(['logs', 'postgres-0', '-n', NS, '-c', 'sidecar']);
    expect(logs.stderr).toContain('container sidecar is not valid for pod postgres-0');
  });

  it('answers a python snippet in the api pods and passes exit codes through sh -c', async () => {
    const snippet = await kubectl.run(['exec', 'deployment/codesign-api', '-n', NS, '--', 'python', '-c', 'from backend.codesign_playground.utils.monitoring import get_health_status\nprint(get_health_status())']);
    expect(snippet.code).toBe(0);
    expect(snippet.stdout).toMatch(/^\{'status': '(healthy|degraded)'/);
    const exit = await kubectl.run(['exec', 'postgres-0', '-n', NS, '--', 'sh', '-c', 'echo bye; exit 5']);
    expect(exit).toMatchObject({ code: 5, stdout: 'bye\n' });
  });

  it('serves exec over SPDY/3.1 too, for kubectl with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false', async () => {
    const env = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
    const ready = await kubectl.run(['exec', '-v=8', 'postgres-0', '-n', NS, '--', 'pg_isready'], { env });
    expect(ready).toMatchObject({ code: 0, stdout: '/var/run/postgresql:5432 - accepting connections\n' });
    expect(ready.stderr).toContain('Upgrade: SPDY/3.1');
    const failing = await kubectl.run(['exec', 'postgres-0', '-n', NS, '--', 'sh', '-c', 'echo hi; nosuch; exit 4'], { env });
    expect(failing).toMatchObject({ code: 4, stdout: 'hi\n' });
    expect(failing.stderr).toContain('sh: 1: nosuch: not found');
    const piped = await kubectl.run(['exec', '-i', 'postgres-0', '-n', NS, '--', 'sh'], { env, input: 'echo from-stdin\nhostname\n' });
    expect(piped).toMatchObject({ code: 0, stdout: 'from-stdin\npostgres-0\n' });
  });

  it('feeds stdin with -i and runs an interactive shell with -it in a pseudo-terminal', async () => {
    const piped = await kubectl.run(['exec', '-i', 'postgres-0', '-n', NS, '--', 'psql', '-U', 'codesign', '-d', 'codesign_db'], {
      input: 'SELECT 40 + 2 AS answer;\n',
    });
    expect(piped.stdout).toContain(' answer \n--------\n     42\n(1 row)\n');

    // `script` gives kubectl a terminal, so it sends a TTY exec with stdin and resize messages.
    const command = `${KUBECTL_BINARY} --request-timeout=30s exec -it postgres-0 -n ${NS} -- sh`;
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env: kubectl.env({ TERM: 'xterm' }), stdio: ['pipe', 'pipe', 'pipe'] });
    const output = collect(child);
    await waitFor(() => output.stdout().includes('root@postgres-0:/# '), 'the shell prompt');
    child.stdin!.write('hostname\r');
    await waitFor(() => output.stdout().includes('postgres-0\r\nroot@postgres-0:/# '), 'hostname output');
    child.stdin!.write('pg_isready\r');
    await waitFor(() => output.stdout().includes('accepting connections'), 'pg_isready output');
    child.stdin!.write('exit 7\r');
    expect(await exited(child)).toBe(7);
    expect(output.stdout()).toContain('This is a simulated shell in the drill cluster');
  });
});

describe('kubectl port-forward', () => {
  for (const websockets of ['true', 'false']) {
    const transport = websockets === 'true' ? 'SPDY tunnelled in a WebSocket' : 'a raw SPDY/3.1 upgrade';
    it(`reaches the real PostgreSQL behind postgres-0:5432 over ${transport}`, async () => {
      const forward = await portForward('pod/postgres-0', 5432, { PORT_FORWARD_WEBSOCKETS: websockets });
      const client = new pg.Client({ host: '127.0.0.1', port: forward.localPort, user: 'codesign', database: 'codesign_db' });
      try {
        await client.connect();
        expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        const activity = await client.query<{ count: string }>('SELECT count(*) FROM pg_stat_activity');
        expect(Number(activity.rows[0]!.count)).toBeGreaterThanOrEqual(1);
        const bulk = await client.query("SELECT repeat('x', 1000) AS filler FROM generate_series(1, 400)");
        expect(bulk.rowCount).toBe(400);
      } finally {
        await client.end().catch(() => undefined);
        await forward.stop();
      }
      expect(forward.output.stdout()).toContain('Handling connection for');
    });

    it.runIf(haveRedisServer)(`reaches the real Redis behind redis-0:6379 over ${transport}`, async () => {
      const forward = await portForward('pod/redis-0', 6379, { PORT_FORWARD_WEBSOCKETS: websockets });
      const redis = new Redis({ host: '127.0.0.1', port: forward.localPort, password: await redisPassword(), lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        expect(await redis.ping()).toBe('PONG');
        await redis.set('drill:key', websockets);
        expect(await redis.get('drill:key')).toBe(websockets);
      } finally {
        redis.disconnect();
        await forward.stop();
      }
    });
  }

  it('reports an error when nothing listens on the pod port', async () => {
    const forward = await portForward('pod/postgres-0', 5433);
    const socket = (await import('node:net')).connect(forward.localPort, '127.0.0.1');
    socket.on('error', () => undefined);
    await waitFor(() => forward.output.stderr().includes('an error occurred forwarding'), 'the forwarding error');
    socket.destroy();
    await forward.stop();
    expect(forward.output.stderr()).toContain('error forwarding port 5433 to pod postgres-0');
    expect(forward.output.stderr()).toContain('connection refused');
  });
});
