/**
 * The drill with real backends: postgres-0 forwards to a PostgreSQL 15 and redis-0 to a
 * redis-server with requirepass, both started here; the passwords are the drill's own
 * `codesign-secrets` values. The endpoint source port-forwards through the drill's API server
 * (client-node's WebSocket port-forward, one stream per connection), as the cockpit's tunnels do.
 */
import { CoreV1Api, KubeConfig, PortForward } from '@kubernetes/client-node';
import { createServer, type Server, type Socket } from 'node:net';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { CockpitFailure } from '../../../src/shared/result';
import { tunnelEndpoints, type DatabaseEndpointSource } from '../../../src/main/databases/endpoints';
import { TunnelService } from '../../../src/main/tunnels/tunnel-service';
import { freePort, startPostgres, startRedis, type TestPostgres, type TestRedis } from './servers';

export const NS = 'codesign-production';

export interface DrillDatabases {
  cluster: DrillCluster;
  kubeConfig: KubeConfig;
  postgres: TestPostgres;
  redis: TestRedis;
  passwords: { postgres: string; redis: string };
  /** Through the cockpit's TunnelService (its self-healing port-forwards to the drill). */
  endpoints: DatabaseEndpointSource;
  tunnels: TunnelService;
  stop(): Promise<void>;
}

/** A local listener per (pod, port) whose every connection is a port-forward stream to the pod. */
export function portForwardEndpoints(kubeConfig: KubeConfig, context = 'drill'): DatabaseEndpointSource & { close(): Promise<void> } {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const forward = new PortForward(kubeConfig);
  const listeners = new Map<string, Promise<{ server: Server; port: number }>>();
  const sockets = new Set<Socket>();
  return {
    async endpoint(request) {
      if (request.context !== context) throw new CockpitFailure('NotFound', `no context "${request.context}"`);
      if (request.target.kind !== 'pod') throw new CockpitFailure('Invalid', 'this test source forwards to pods only');
      const pod = await core.readNamespacedPod({ namespace: request.namespace, name: request.target.name });
      if (!pod.status?.containerStatuses?.every((c) => c.ready)) throw new CockpitFailure('Unavailable', `pod ${request.target.name} is not ready`);
      const key = `${request.namespace}/${request.target.name}:${request.remotePort}`;
      let listening = listeners.get(key);
      if (!listening) {
        listening = new Promise((resolve, reject) => {
          const server = createServer((socket) => {
            sockets.add(socket);
            socket.once('close', () => sockets.delete(socket));
            socket.on('error', () => socket.destroy());
            forward.portForward(request.namespace, request.target.name, [request.remotePort], socket, null, socket).then(
              (ws) => {
                const close = typeof ws === 'function' ? undefined : ws;
                socket.once('close', () => close?.close());
                close?.on?.('close', () => socket.destroy());
              },
              () => socket.destroy(),
            );
          });
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
          });
        });
        listeners.set(key, listening);
      }
      const { port } = await listening;
      return { host: '127.0.0.1', port, via: `test-forward ${key}` };
    },
    async readSecretKey(ctx, namespace, secret, key) {
      if (ctx !== context) throw new CockpitFailure('NotFound', `no context "${ctx}"`);
      const found = await core.readNamespacedSecret({ namespace, name: secret });
      const value = found.data?.[key];
      if (value === undefined) throw new CockpitFailure('NotFound', `secret ${secret} has no key ${key}`);
      return Buffer.from(value, 'base64').toString('utf8');
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      for (const listening of listeners.values()) {
        const { server } = await listening;
        await new Promise((r) => server.close(r));
      }
      listeners.clear();
    },
  };
}

/** Starts PostgreSQL 15, the drill pointing at it and at a Redis port, then Redis with the drill's password. */
export async function startDrillDatabases(): Promise<DrillDatabases> {
  const postgres = await startPostgres();
  const redisPort = await freePort();
  const cluster = await DrillCluster.start({ speed: 60, postgres: { host: postgres.host, port: postgres.port }, redis: { host: '127.0.0.1', port: redisPort } });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(cluster.kubeconfig('drill'));
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const secret = await core.readNamespacedSecret({ namespace: NS, name: 'codesign-secrets' });
  const decode = (key: string) => Buffer.from(secret.data![key]!, 'base64').toString('utf8');
  const passwords = { postgres: decode('postgres-password'), redis: decode('redis-password') };
  const admin = await postgres.admin();
  await admin.query(`ALTER ROLE codesign PASSWORD '${passwords.postgres.replaceAll("'", "''")}'`);
  await admin.end();
  const redis = await startRedis(redisPort, passwords.redis);
  const tunnels = new TunnelService({
    kubeConfig: async (name) => {
      if (name !== 'drill') throw new CockpitFailure('NotFound', `no context "${name}"`);
      return kubeConfig;
    },
    logger: { info() {}, warn() {}, error() {} },
  });
  return {
    cluster,
    kubeConfig,
    postgres,
    redis,
    passwords,
    endpoints: tunnelEndpoints(tunnels),
    tunnels,
    async stop() {
      tunnels.dispose();
      await cluster.stop();
      await redis.stop();
      await postgres.stop();
    },
  };
}
