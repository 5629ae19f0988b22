/**
 * Logs across container restarts, with the real kubectl: a followed stream ends when the
 * container is OOM-killed (as the kubelet ends it), and `--previous` then shows the killed
 * instance's last lines. The simulated clock runs fast so the memory leak kills within seconds.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { RESOURCE_KEYS } from '../../../packages/drill-cluster/src/resources';
import { createPodStreamHandler } from '../../../packages/drill-cluster/src/streams/index';
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';

let cluster: DrillCluster;
let kubectl: KubectlHarness;

beforeAll(async () => {
  cluster = await DrillCluster.start({
    speed: 300,
    logLinesPerSecond: 400,
    postgres: 'none',
    redis: 'none',
    createStreams: (world) =>
      createPodStreamHandler({ clock: world.clock, postgres: 'none', redis: 'none', podLookup: (ns, name) => world.podRef(ns, name) }),
  });
  kubectl = await KubectlHarness.create(cluster);
});

afterAll(async () => {
  await kubectl?.dispose();
  await cluster?.stop();
});

function restartCount(name: string): number {
  const pod = cluster.store.get(RESOURCE_KEYS.pods, NS, name);
  const statuses = ((pod?.status as { containerStatuses?: Array<{ restartCount: number }> } | undefined)?.containerStatuses ?? []);
  return statuses[0]?.restartCount ?? 0;
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('without a Redis backend', () => {
  it('fails a port-forward to redis-0:6379 with a clear message on the error stream', async () => {
    const { createServer, connect } = await import('node:net');
    const localPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const child = kubectl.spawn(['port-forward', '-n', NS, 'pod/redis-0', `${localPort}:6379`], { requestTimeout: false });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const deadline = Date.now() + 20_000;
    while (!stdout.includes('Forwarding from')) {
      if (Date.now() > deadline) throw new Error('port-forward never listened');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const socket = connect(localPort, '127.0.0.1');
    socket.on('error', () => undefined);
    while (!stderr.includes('no Redis backend')) {
      if (Date.now() > deadline) throw new Error(`no error reported: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    socket.destroy();
    child.kill('SIGTERM');
    await exited(child);
    expect(stderr).toContain('no Redis backend: install redis-server or configure one');
  });
});

describe('logs across an OOM kill', () => {
  it('ends a followed stream at the restart and shows the killed instance with --previous', async () => {
    const pod = cluster.store
      .list(RESOURCE_KEYS.pods, NS)
      .find((p) => p.metadata.labels?.app === 'codesign-api' && (p.status as { phase?: string }).phase === 'Running')!;
    const name = pod.metadata.name;
    expect(restartCount(name)).toBe(0);

    const follow = kubectl.spawn(['logs', '-f', '-n', NS, name, '--tail=1'], { requestTimeout: false });
    let followed = '';
    follow.stdout?.setEncoding('utf8').on('data', (chunk: string) => (followed += chunk));
    const followEnded = exited(follow);

    cluster.world.scenarios.inject('memory-leak');
    const deadline = Date.now() + 60_000;
    while (restartCount(name) === 0) {
      if (Date.now() > deadline) throw new Error('the leaking pod was never OOM-killed');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // The kubelet ends the stream of the killed instance; kubectl exits by itself.
    expect(await followEnded).toBe(0);
    expect(followed).toMatch(/memory usage \d+ MB/);

    const previous = await kubectl.run(['logs', '-n', NS, name, '--previous']);
    expect(previous.code).toBe(0);
    expect(previous.stdout.trimEnd().split('\n').at(-1)).toContain('was sent SIGKILL! Perhaps out of memory?');
    cluster.world.scenarios.clear('memory-leak');
  });
});
