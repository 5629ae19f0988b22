/**
 * A cluster without metrics.k8s.io (no metrics-server): Top says what is missing instead of
 * showing an empty table; the pod list still works. The server here is a minimal plain-HTTP API
 * that serves pods and answers 404 for the metrics API, as a cluster without metrics-server does.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MemoryLogger } from '../../../src/main/app/logger';
import { ClusterService } from '../../../src/main/cluster/cluster-service';
import { ContextService } from '../../../src/main/contexts/context-service';
import type { StreamSink } from '../../../src/main/host/dispatcher';
import type { TopEvent } from '../../../src/shared/contract/cluster';
import { Emitter } from '../../../src/shared/lifetimes';

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/apis/metrics.k8s.io')) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 }));
    } else if (req.url?.includes('watch=')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'List', metadata: { resourceVersion: '7' }, items: [] }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

it('Top names metrics-server when the cluster has no metrics API', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'no-metrics-'));
  const file = path.join(dir, 'config');
  await writeFile(
    file,
    stringify({
      clusters: [{ name: 'bare', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'anon', user: { token: 'x' } }],
      contexts: [{ name: 'bare', context: { cluster: 'bare', user: 'anon', namespace: 'default' } }],
      'current-context': 'bare',
    }),
  );
  const logger = new MemoryLogger();
  const contexts = new ContextService({ paths: [file], logger, drillKubeconfig: async () => undefined, watchFiles: false, healthIntervalMs: 0 });
  const cluster = new ClusterService({ contexts, logger });
  const events: TopEvent[] = [];
  const sink: StreamSink<TopEvent> = {
    emit: (e) => events.push(e),
    end: () => undefined,
    fail: () => undefined,
    paused: false,
    closed: false,
    onDidPause: new Emitter<void>().event,
    onDidResume: new Emitter<void>().event,
  };
  const stream = await cluster.top({ context: 'bare', namespace: 'default' }, sink);
  try {
    await expect.poll(() => events.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({
      type: 'unavailable',
      error: { code: 'NotFound', context: 'bare', message: expect.stringContaining('install metrics-server') },
    });
  } finally {
    stream.dispose();
    contexts.dispose();
  }
});
