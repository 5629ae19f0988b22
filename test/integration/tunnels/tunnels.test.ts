import Redis from 'ioredis';
import { connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TunnelInfo } from '../../../src/shared/contract/tunnels';
import { DisposableStore } from '../../../src/shared/lifetimes';
import { RESOURCE_KEYS } from '../../../packages/drill-cluster/src/resources';
import { TunnelService } from '../../../src/main/tunnels/tunnel-service';
import { ensureNoDisposablesAreLeakedInTestSuite } from '../../support/leak-check';
import { hasPostgres15, NS, quietLogger, startPostgres, startRedis, startTunnelDrill, type Backend, type TunnelDrill } from './backends';

const CONTEXT = 'drill';

/** Resolves with the first tunnel change that satisfies `predicate`. */
function nextChange(service: TunnelService, predicate: (info: TunnelInfo) => boolean, timeoutMs = 30_000): Promise<TunnelInfo> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error('no such tunnel change in time'));
    }, timeoutMs);
    const listener = service.onDidChange((info) => {
      if (!predicate(info)) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(info);
    });
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('tunnels through the drill cluster to real servers', () => {
  let redis: Backend;
  let postgres: (Backend & { user: string; database: string }) | undefined;
  let drill: TunnelDrill;

  beforeAll(async () => {
    redis = await startRedis();
    postgres = hasPostgres15() ? await startPostgres() : undefined;
    // Speed 60: a deleted statefulset pod is back and Ready in well under a second of real time.
    drill = await startTunnelDrill({ redis, ...(postgres ? { postgres } : {}) }, { speed: 60 });
  }, 60_000);

  afterAll(async () => {
    await drill?.stop();
    await redis?.stop();
    await postgres?.stop();
  });

  ensureNoDisposablesAreLeakedInTestSuite();

  const newService = (scope?: DisposableStore) =>
    new TunnelService({
      kubeConfig: async (name) => {
        if (name !== CONTEXT) throw new Error(`no context ${name}`);
        return drill.kubeConfig;
      },
      contextScope: (name) => (name === CONTEXT ? scope : undefined),
      logger: quietLogger,
      timings: { probeMs: 150 },
    });

  it('forwards many concurrent connections through one tunnel to the pod behind svc/redis', async () => {
    const service = newService();
    try {
      const info = await service.open({ context: CONTEXT, namespace: NS, target: { kind: 'service', name: 'redis' }, remotePort: 6379 });
      expect(info).toMatchObject({ state: 'open', pod: 'redis-0', remotePort: 6379, reconnects: 0 });
      expect(info.localPort).toBeGreaterThan(0);
      expect(service.environmentFor(CONTEXT)).toEqual({ REDIS_HOST: '127.0.0.1', REDIS_PORT: String(info.localPort) });

      const clients = Array.from({ length: 40 }, () => new Redis({ host: '127.0.0.1', port: info.localPort, lazyConnect: true, maxRetriesPerRequest: 1 }));
      await Promise.all(clients.map((c) => c.connect()));
      const answers = await Promise.all(clients.map(async (c, i) => (await c.set(`tunnel:${i}`, `value-${i}`), c.get(`tunnel:${i}`))));
      expect(answers).toEqual(clients.map((_, i) => `value-${i}`));
      // Every write arrived at the real server behind the drill's redis-0.
      const direct = new Redis({ host: redis.host, port: redis.port });
      expect(await direct.mget(clients.map((_, i) => `tunnel:${i}`))).toEqual(answers);
      direct.disconnect();
      expect(service.list(CONTEXT)[0]!.connections).toBe(40);
      for (const c of clients) c.disconnect();
      await expect.poll(() => service.list(CONTEXT)[0]!.connections).toBe(0);
      expect(service.list(CONTEXT)[0]).toMatchObject({ totalConnections: 40, droppedConnections: 0 });
      expect(service.list(CONTEXT)[0]!.bytesIn).toBeGreaterThan(0);
    } finally {
      service.dispose();
    }
  });

  it('reuses an open tunnel for the same target with ensure, and concurrent ensures share one', async () => {
    const service = newService();
    try {
      const request = { context: CONTEXT, namespace: NS, target: { kind: 'statefulset', name: 'redis' }, remotePort: 'redis' } as const;
      const [a, b] = await Promise.all([service.ensure(request), service.ensure(request)]);
      expect(a.id).toBe(b.id);
      // A statefulset's named container port resolves to its number.
      expect(a).toMatchObject({ remotePort: 6379, pod: 'redis-0' });
      expect((await service.ensure(request)).id).toBe(a.id);
      expect(service.list()).toHaveLength(1);
    } finally {
      service.dispose();
    }
  });

  it('recovers by itself when the pod behind it is deleted mid-session, and new connections wait for it', async () => {
    const service = newService();
    try {
      const info = await service.open({ context: CONTEXT, namespace: NS, target: { kind: 'pod', name: 'redis-0' }, remotePort: 6379 });
      const client = new Redis({ host: '127.0.0.1', port: info.localPort, maxRetriesPerRequest: 20, retryStrategy: () => 50 });
      client.on('error', () => undefined);
      expect(await client.set('before-restart', '1')).toBe('OK');

      const reconnecting = nextChange(service, (i) => i.id === info.id && i.state === 'reconnecting');
      const reopened = nextChange(service, (i) => i.id === info.id && i.state === 'open' && i.reconnects === 1);
      await drill.deletePod('redis-0');
      expect((await reconnecting).reason).toMatch(/redis-0/);
      // A connection made while reconnecting waits for the tunnel instead of being refused.
      const waiting = new Redis({ host: '127.0.0.1', port: info.localPort, maxRetriesPerRequest: 0, retryStrategy: () => null });
      waiting.on('error', () => undefined);
      const answered = waiting.get('before-restart');
      const back = await reopened;
      expect(back).toMatchObject({ state: 'open', pod: 'redis-0', localPort: info.localPort, reconnects: 1 });
      expect(await answered).toBe('1');
      // The old client's connection died with the old pod; it reconnects through the same local port.
      expect(await client.get('before-restart')).toBe('1');
      client.disconnect();
      waiting.disconnect();
    } finally {
      service.dispose();
    }
  });

  it('shows "API unreachable" while the API server is down and comes back by itself when it returns', async () => {
    const service = newService();
    try {
      const info = await service.open({ context: CONTEXT, namespace: NS, target: { kind: 'service', name: 'redis' }, remotePort: 6379 });
      await drill.restartApiServer(async () => {
        const probe = new Redis({ host: '127.0.0.1', port: info.localPort, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
        probe.on('error', () => undefined);
        // A new connection's forward fails at its handshake: the tunnel says why and keeps its port.
        void probe.ping().catch(() => undefined);
        const down = await nextChange(service, (i) => i.id === info.id && i.state === 'reconnecting' && /API unreachable/.test(i.reason ?? ''));
        expect(down.localPort).toBe(info.localPort);
        probe.disconnect();
      });
      await nextChange(service, (i) => i.id === info.id && i.state === 'open');
      const client = new Redis({ host: '127.0.0.1', port: info.localPort, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      expect(await client.ping()).toBe('PONG');
      client.disconnect();
      expect(service.list()[0]!.reconnects).toBe(1);
    } finally {
      service.dispose();
    }
  });

  it('re-checks its target after the machine slept (a 1 s timer that ticked late) and stays open when the pod is still there', async () => {
    const events: Array<{ event: string; fields?: Record<string, unknown> }> = [];
    const logger = { info: (event: string, fields?: Record<string, unknown>) => events.push({ event, fields }), warn: () => undefined, error: () => undefined };
    const service = new TunnelService({ kubeConfig: async () => drill.kubeConfig, logger, timings: { probeMs: 150, wakeGapMs: 1_500 } });
    try {
      const info = await service.open({ context: CONTEXT, namespace: NS, target: { kind: 'pod', name: 'redis-0' }, remotePort: 6379 });
      // Block the event loop for 2.5 s, as a suspended laptop would look to the process.
      const until = Date.now() + 2_500;
      while (Date.now() < until) {
        /* asleep */
      }
      await expect.poll(() => events.find((e) => e.event === 'tunnel.woke'), { timeout: 5_000 }).toBeTruthy();
      expect(Number(events.find((e) => e.event === 'tunnel.woke')!.fields!.gapMs)).toBeGreaterThan(1_500);
      const client = new Redis({ host: '127.0.0.1', port: info.localPort, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      expect(await client.ping()).toBe('PONG');
      client.disconnect();
      expect(service.list()[0]).toMatchObject({ state: 'open', reconnects: 0 });
    } finally {
      service.dispose();
    }
  });

  it('fails with the reason after reconnecting too long, and tries again when a client connects', async () => {
    const debugPod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'redis-debug', namespace: NS, labels: { app: 'redis' } },
      spec: { containers: [{ name: 'redis', image: 'redis:7', ports: [{ name: 'redis', containerPort: 6379 }] }] },
    };
    const podReady = () => {
      const pod = drill.cluster.store.get(RESOURCE_KEYS.pods, NS, 'redis-debug') as { status?: { conditions?: Array<{ type: string; status: string }> } } | undefined;
      return pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    };
    drill.cluster.store.create(RESOURCE_KEYS.pods, structuredClone(debugPod));
    // The drill starts the pod as a kubelet would (ContainerCreating, then Ready).
    await expect.poll(podReady, { timeout: 10_000 }).toBe(true);
    const service = new TunnelService({ kubeConfig: async () => drill.kubeConfig, logger: quietLogger, timings: { probeMs: 150, giveUpAfterMs: 500 } });
    try {
      const info = await service.open({ context: CONTEXT, namespace: NS, target: { kind: 'pod', name: 'redis-debug' }, remotePort: 6379 });
      const failed = nextChange(service, (i) => i.id === info.id && i.state === 'failed');
      // No controller owns this pod: once deleted it does not come back.
      await drill.deletePod('redis-debug');
      await expect.poll(() => drill.cluster.store.get(RESOURCE_KEYS.pods, NS, 'redis-debug')).toBeUndefined();
      expect((await failed).reason).toMatch(/pod redis-debug does not exist .*gave up after 1 s; a new connection tries again/);
      drill.cluster.store.create(RESOURCE_KEYS.pods, structuredClone(debugPod));
      // The client connects while the pod is still starting: the tunnel retries for it until it serves.
      const client = new Redis({ host: '127.0.0.1', port: info.localPort, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      expect(await client.ping()).toBe('PONG');
      client.disconnect();
      expect(service.list()[0]).toMatchObject({ state: 'open', reconnects: 1 });
    } finally {
      service.dispose();
      if (drill.cluster.store.get(RESOURCE_KEYS.pods, NS, 'redis-debug')) drill.cluster.store.delete(RESOURCE_KEYS.pods, NS, 'redis-debug');
    }
  });

  it('says why it cannot open: pod not found, nothing listening on the port, a port the service lacks, a bad port name', async () => {
    const service = newService();
    try {
      const open = (target: { kind: 'pod' | 'service' | 'statefulset' | 'deployment'; name: string }, remotePort: number | string) =>
        service.open({ context: CONTEXT, namespace: NS, target, remotePort });
      await expect(open({ kind: 'pod', name: 'postgres-9' }, 5432)).rejects.toMatchObject({ code: 'NotFound', message: expect.stringMatching(/pod postgres-9 does not exist.*pod not found/) });
      await expect(open({ kind: 'pod', name: 'redis-0' }, 7777)).rejects.toMatchObject({ code: 'Unreachable', message: expect.stringMatching(/refused the connection on port 7777.*connection refused/) });
      await expect(open({ kind: 'service', name: 'redis' }, 5432)).rejects.toMatchObject({ code: 'NotFound', message: 'service redis has no port 5432; its ports: 6379 (redis)' });
      await expect(open({ kind: 'deployment', name: 'codesign-api' }, 'nosuch')).rejects.toMatchObject({ code: 'NotFound', message: expect.stringMatching(/no container port named "nosuch"; its ports: http=8000, metrics=9090/) });
      await expect(open({ kind: 'statefulset', name: 'missing' }, 1)).rejects.toMatchObject({ code: 'NotFound', message: expect.stringMatching(/statefulset missing does not exist/) });
      expect(service.list()).toEqual([]);
    } finally {
      service.dispose();
    }
  });

  it('refuses a chosen local port that is taken, with the port named', async () => {
    const service = newService();
    try {
      const first = await service.open({ context: CONTEXT, namespace: NS, target: { kind: 'pod', name: 'redis-0' }, remotePort: 6379 });
      await expect(service.open({ context: CONTEXT, namespace: NS, target: { kind: 'pod', name: 'redis-0' }, remotePort: 6379, localPort: first.localPort })).rejects.toMatchObject({
        code: 'Conflict',
        message: expect.stringContaining(`local port ${first.localPort} is already in use`),
      });
    } finally {
      service.dispose();
    }
  });

  it('closes the tunnel and its local server when its context scope is disposed', async () => {
    const scope = new DisposableStore();
    const service = newService(scope);
    try {
      const info = await service.open({ context: CONTEXT, namespace: NS, target: { kind: 'service', name: 'redis' }, remotePort: 6379 });
      const client = new Redis({ host: '127.0.0.1', port: info.localPort, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      expect(await client.ping()).toBe('PONG');
      const closed = nextChange(service, (i) => i.id === info.id && i.state === 'closed');
      scope.dispose();
      expect((await closed).reason).toBe('its context was closed');
      expect(service.list()).toEqual([]);
      expect(await refused(info.localPort)).toBe(true);
      await expect.poll(() => client.status).toBe('end');
    } finally {
      service.dispose();
    }
  });

  it('reads a Secret key in main, and names a missing key or secret', async () => {
    const service = newService();
    try {
      const password = await service.readSecretKey(CONTEXT, NS, 'codesign-secrets', 'postgres-password');
      expect(password.length).toBeGreaterThan(0);
      await expect(service.readSecretKey(CONTEXT, NS, 'codesign-secrets', 'nope')).rejects.toMatchObject({ code: 'NotFound', message: expect.stringMatching(/has no key "nope"; its keys: .*postgres-password/) });
      await expect(service.readSecretKey(CONTEXT, NS, 'no-such-secret', 'x')).rejects.toMatchObject({ code: 'NotFound', message: 'secret no-such-secret does not exist in namespace codesign-production' });
    } finally {
      service.dispose();
    }
  });

  it.runIf(hasPostgres15())('carries concurrent PostgreSQL sessions through pod postgres-0 and exports PGHOST/PGPORT', async () => {
    const service = newService();
    try {
      const info = await service.open({ context: CONTEXT, namespace: NS, target: { kind: 'pod', name: 'postgres-0' }, remotePort: 5432 });
      expect(service.environmentFor(CONTEXT)).toEqual({ PGHOST: '127.0.0.1', PGPORT: String(info.localPort) });
      const pool = new pg.Pool({ host: '127.0.0.1', port: info.localPort, user: postgres!.user, database: postgres!.database, max: 10 });
      const rows = await Promise.all(Array.from({ length: 30 }, (_, i) => pool.query<{ n: number }>('SELECT $1::int AS n, pg_sleep(0.01)', [i])));
      expect(rows.map((r) => r.rows[0]!.n)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      const sessions = await pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = 'codesign_db'");
      expect(Number(sessions.rows[0]!.n)).toBeGreaterThanOrEqual(1);
      await pool.end();
    } finally {
      service.dispose();
    }
  });
});
