/**
 * The drill with real backends: postgres-0 forwards to a PostgreSQL 15 and redis-0 to a
 * redis-server with requirepass, both started here; the passwords are the drill's own
 * `codesign-secrets` values. The endpoints are the cockpit's TunnelService port-forwards.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
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
