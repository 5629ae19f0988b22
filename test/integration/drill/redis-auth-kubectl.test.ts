/**
 * redis-0's real redis-server requires the Secret's redis-password, and the simulated redis-cli
 * in `kubectl exec` answers as the real one does: NOAUTH without a password, PONG with `-a` or a
 * `-u` URI, WRONGPASS with a wrong one.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillDatabases } from '../../../packages/drill-cluster/src/backends/drill-databases';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';
const haveRedisServer = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some((p) => existsSync(p));
let cluster: DrillCluster;
let kubectl: KubectlHarness;

describe.runIf(haveRedisServer)('redis-0 with requirepass', () => {
  beforeAll(async () => {
    cluster = await DrillCluster.start({ postgres: 'none' });
    kubectl = await KubectlHarness.create(cluster);
  });

  afterAll(async () => {
    await kubectl?.dispose();
    await cluster?.stop();
  });

  const cli = (...args: string[]) => kubectl.run(['exec', 'redis-0', '-n', NS, '--', 'redis-cli', ...args]);

  it('refuses without the Secret’s password and answers with it', async () => {
    const password = DrillDatabases.secretValue(cluster.store, 'redis-password')!;
    expect(password.length).toBeGreaterThan(10);
    const bare = await cli('ping');
    expect(bare).toMatchObject({ code: 1, stdout: 'NOAUTH Authentication required.\n' });
    expect(await cli('--no-auth-warning', '-a', password, 'ping')).toMatchObject({ code: 0, stdout: 'PONG\n' });
    expect(await cli('--no-auth-warning', '-u', `redis://:${encodeURIComponent(password)}@127.0.0.1:6379`, 'ping')).toMatchObject({ code: 0, stdout: 'PONG\n' });
    const wrong = await cli('--no-auth-warning', '-a', 'wrong', 'ping');
    expect(wrong.stderr + wrong.stdout).toMatch(/WRONGPASS|NOAUTH/);
  });
});
