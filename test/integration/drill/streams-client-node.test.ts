/**
 * Pod streams through @kubernetes/client-node: Exec over the WebSocket channel protocol with the
 * exit status, and PortForward to postgres-0:5432 carrying a real pg session.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';

const NS = 'codesign-production';

let cluster: DrillCluster;
let kc: k8s.KubeConfig;

beforeAll(async () => {
  cluster = await DrillCluster.start({ postgres: 'pglite' });
  kc = new k8s.KubeConfig();
  kc.loadFromString(cluster.kubeconfig());
});

afterAll(async () => {
  await cluster?.stop();
});

function textSink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  return { stream, text: () => text };
}

function execStatus(pod: string, container: string, command: string[], stdout: Writable, stderr: Writable, stdin: PassThrough | null = null): Promise<k8s.V1Status> {
  return new Promise((resolve, reject) => {
    new k8s.Exec(kc).exec(NS, pod, container, command, stdout, stderr, stdin, false, resolve).catch(reject);
  });
}

describe('client-node Exec', () => {
  it('runs pg_isready and reports Success on the status channel', async () => {
    const out = textSink();
    const status = await execStatus('postgres-0', 'postgres', ['pg_isready'], out.stream, new PassThrough());
    expect(status.status).toBe('Success');
    expect(out.text()).toBe('/var/run/postgresql:5432 - accepting connections\n');
  });

  it('reports a non-zero exit as NonZeroExitCode with the code', async () => {
    const err = textSink();
    const status = await execStatus('postgres-0', 'postgres', ['psql', '-U', 'codesign', '-c', 'SELECT * FROM pg_stat_statements'], new PassThrough(), err.stream);
    expect(status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '1' }] } });
    expect(err.text()).toContain('ERROR:  relation "pg_stat_statements" does not exist');
  });

  it('sends stdin to the command and ends it with the v5 close signal', async () => {
    const out = textSink();
    const stdin = new PassThrough();
    const done = execStatus('postgres-0', 'postgres', ['sh'], out.stream, new PassThrough(), stdin);
    stdin.end('echo from-stdin\nhostname\n');
    expect((await done).status).toBe('Success');
    expect(out.text()).toBe('from-stdin\npostgres-0\n');
  });
});

describe('client-node PortForward', () => {
  let server: Server | undefined;
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('carries a pg session to postgres-0:5432', async () => {
    const forward = new k8s.PortForward(kc);
    server = createServer((socket) => {
      forward.portForward(NS, 'postgres-0', [5432], socket, null, socket).catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    const client = new pg.Client({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, user: 'codesign', database: 'codesign_db' });
    await client.connect();
    try {
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      const users = await client.query<{ count: string }>('SELECT count(*) FROM users');
      expect(Number(users.rows[0]!.count)).toBe(40);
    } finally {
      await client.end();
    }
  });

  it('writes the kubelet error on the error channel for a port nothing listens on', async () => {
    const err = textSink();
    const out = textSink();
    const input = new PassThrough();
    const ws = await new k8s.PortForward(kc).portForward(NS, 'postgres-0', [8080], out.stream, err.stream, input);
    const socket = ws as unknown as { once(event: 'close', listener: () => void): void };
    await new Promise<void>((resolve) => socket.once('close', resolve));
    expect(err.text()).toContain('error forwarding port 8080 to pod postgres-0');
    expect(err.text()).toContain('connection refused');
  });
});
