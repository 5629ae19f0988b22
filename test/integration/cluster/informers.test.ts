/**
 * Informers against the drill cluster: they follow the API server through a restart (no
 * duplicate, no missing object), relist on 410, and stop with their context.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/main/app/logger';
import { ClusterService } from '../../../src/main/cluster/cluster-service';
import { Informer } from '../../../src/main/cluster/informer';
import { ContextService } from '../../../src/main/contexts/context-service';
import type { StreamSink } from '../../../src/main/host/dispatcher';
import type { ClusterWatchEvent, TopEvent } from '../../../src/shared/contract/cluster';
import type { KubeObject } from '../../../src/shared/k8s/objects';
import { Emitter, type IDisposable } from '../../../src/shared/lifetimes';
import { DRILL_NS, startDrill, type DrillFixture } from './drill-fixture';

let drill: DrillFixture;
const logger = new MemoryLogger();
const disposables: IDisposable[] = [];

beforeAll(async () => {
  drill = await startDrill({ historySize: 200 });
});
afterAll(async () => {
  await drill?.stop();
});
afterEach(() => {
  for (const d of disposables.splice(0).reverse()) d.dispose();
});

async function contexts(kubeconfig = drill.kubeconfig('drill')): Promise<ContextService> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cluster-it-'));
  const file = path.join(dir, 'config');
  await writeFile(file, kubeconfig);
  const service = new ContextService({ paths: [file], logger, drillKubeconfig: async () => undefined, watchFiles: false, healthIntervalMs: 0 });
  disposables.push(service);
  await service.list();
  return service;
}

const versions = (items: Iterable<KubeObject>) => new Map([...items].map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o.metadata.resourceVersion]));

const configMap = (name: string): Parameters<DrillFixture['create']>[1] => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: DRILL_NS }, data: { n: name } });

/** A StreamSink that records what a provider writes. */
function recordingSink<E>(): StreamSink<E> & { events: E[]; ended?: string } {
  const pause = new Emitter<void>();
  const resume = new Emitter<void>();
  const sink = {
    events: [] as E[],
    ended: undefined as string | undefined,
    paused: false,
    closed: false,
    onDidPause: pause.event,
    onDidResume: resume.event,
    emit(event: E) {
      if (!sink.closed) sink.events.push(event);
    },
    end(reason?: string) {
      sink.closed = true;
      sink.ended = reason ?? 'end';
    },
    fail(error: Error) {
      sink.closed = true;
      sink.ended = `failed: ${error.message}`;
    },
  };
  return sink;
}

describe('informer against the drill cluster', () => {
  it('lists the namespace’s pods as the server holds them', async () => {
    const client = await (await contexts()).client();
    const informer = new Informer(client, 'pods', DRILL_NS, logger).start();
    disposables.push(informer);
    await expect.poll(() => informer.synced, { timeout: 10_000 }).toBe(true);
    expect([...informer.list.items.keys()].sort()).toEqual(drill.list('pods').map((p) => `${DRILL_NS}/${p.metadata.name}`).sort());
    expect(informer.state.state).toBe('watching');
  });

  it('reconnects by itself after the API server restarts: nothing duplicated, nothing missing', async () => {
    const client = await (await contexts()).client();
    const informer = new Informer(client, 'configmaps', DRILL_NS, logger, { initialBackoffMs: 100, maxBackoffMs: 1000 }).start();
    disposables.push(informer);
    await expect.poll(() => informer.state.state, { timeout: 10_000 }).toBe('watching');
    const added: string[] = [];
    const deleted: string[] = [];
    disposables.push(
      informer.onDidChange((c) => {
        added.push(...c.upserted.map((o) => o.metadata.name));
        deleted.push(...c.deleted);
      }),
    );
    drill.create('configmaps', configMap('before-restart'));
    await expect.poll(() => added, { timeout: 5000 }).toContain('before-restart');
    const states: string[] = [];
    disposables.push(informer.onDidChangeStatus((s) => states.push(s.state)));
    await drill.restartApiServer(async () => {
      await expect.poll(() => states, { timeout: 5000 }).toContain('reconnecting');
      drill.create('configmaps', configMap('while-down'));
      drill.remove('configmaps', DRILL_NS, 'before-restart');
    });
    await expect.poll(() => informer.state.state, { timeout: 10_000 }).toBe('watching');
    await expect.poll(() => versions(informer.list.items.values()), { timeout: 5000 }).toEqual(versions(drill.list('configmaps')));
    expect(added.filter((n) => n === 'while-down')).toHaveLength(1);
    expect(added.filter((n) => n === 'before-restart')).toHaveLength(1);
    expect(deleted).toEqual([`${DRILL_NS}/before-restart`]);
    expect(informer.stats.relists).toBe(0);
  });

  it('relists on 410 when the server forgot its position, and reports only the difference', async () => {
    const small = await startDrill({ historySize: 5 });
    try {
      const client = await (await contexts(small.kubeconfig('small'))).client();
      const informer = new Informer(client, 'configmaps', DRILL_NS, logger, { initialBackoffMs: 100, maxBackoffMs: 500 }).start();
      disposables.push(informer);
      await expect.poll(() => informer.state.state, { timeout: 10_000 }).toBe('watching');
      const before = informer.list.items.size;
      const upserted: string[] = [];
      disposables.push(informer.onDidChange((c) => upserted.push(...c.upserted.map((o) => o.metadata.name))));
      await small.restartApiServer(() => {
        for (let i = 0; i < 30; i++) small.create('configmaps', configMap(`burst-${i}`));
      });
      await expect.poll(() => informer.stats.relists, { timeout: 10_000 }).toBeGreaterThan(0);
      await expect.poll(() => versions(informer.list.items.values()), { timeout: 10_000 }).toEqual(versions(small.list('configmaps')));
      expect(informer.list.items.size).toBe(before + 30);
      expect(upserted.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `burst-${i}`).sort());
      expect(logger.entries.some((e) => e.event === 'informer.relist')).toBe(true);
    } finally {
      await small.stop();
    }
  });
});

describe('cluster:watch streams in the context’s scope', () => {
  it('sends one reset then diffs, and ends when the context changes; its informers stop', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cluster-switch-'));
    const file = path.join(dir, 'config');
    await writeFile(file, drill.kubeconfig('a') + '\n');
    const second = path.join(dir, 'second');
    await writeFile(second, drill.kubeconfig('b'));
    const service = new ContextService({ paths: [file, second], logger, drillKubeconfig: async () => undefined, watchFiles: false, healthIntervalMs: 0 });
    disposables.push(service);
    await service.select('a');
    const cluster = new ClusterService({ contexts: service, logger }, { flushMs: 10 });
    const sink = recordingSink<ClusterWatchEvent>();
    const stream = await cluster.watch({ context: 'a', resource: 'configmaps', namespace: DRILL_NS }, sink);
    disposables.push(stream);
    await expect.poll(() => sink.events.some((e) => e.type === 'reset'), { timeout: 10_000 }).toBe(true);
    drill.create('configmaps', configMap('streamed'));
    await expect.poll(() => sink.events.filter((e) => e.type === 'diff').flatMap((e) => (e.type === 'diff' ? e.upserted.map((o) => o.metadata.name) : [])), { timeout: 5000 }).toContain('streamed');
    expect(sink.events.filter((e) => e.type === 'reset')).toHaveLength(1);
    expect(cluster.informerCount).toBe(1);

    await service.select('b');
    expect(sink.ended).toBe('context changed');
    expect(cluster.informerCount).toBe(0);
    const count = sink.events.length;
    drill.create('configmaps', configMap('after-switch'));
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.events.length).toBe(count);
    await expect(cluster.watch({ context: 'a', resource: 'pods', namespace: DRILL_NS }, recordingSink())).rejects.toMatchObject({ code: 'Conflict' });
  });

  it('Top: joins pod metrics with requests and limits', async () => {
    const service = await contexts();
    const cluster = new ClusterService({ contexts: service, logger });
    const sink = recordingSink<TopEvent>();
    disposables.push(await cluster.top({ context: 'drill', namespace: DRILL_NS }, sink));
    await expect.poll(() => sink.events.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const reading = sink.events[0]!;
    expect(reading.type).toBe('reading');
    if (reading.type !== 'reading') return;
    const api = reading.pods.find((p) => p.name.startsWith('codesign-api-'));
    expect(api).toMatchObject({ namespace: DRILL_NS, cpu: expect.any(Number), memory: expect.any(Number), memoryLimit: 2 * 2 ** 30, cpuLimit: 1 });
    expect(reading.nodes.length).toBeGreaterThan(0);
    expect(reading.nodes[0]!.cpuAllocatable).toBeGreaterThan(0);
  });
});
