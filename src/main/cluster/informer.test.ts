import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/k8s/objects';
import { MemoryLogger } from '../app/logger';
import { Informer, slim } from './informer';
import { KubeRequestFailure, type KubeClient, type WatchHandle } from './kube-client';

const pod = (name: string, rv: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', resourceVersion: rv } });

/** A client whose lists and watches the test scripts. */
class ScriptedClient {
  lists: string[] = [];
  refuseWatches = 0;
  watches: string[] = [];
  listAnswer: () => Promise<unknown> = async () => ({ items: [pod('a', '5')], metadata: { resourceVersion: '10' } });
  openWatch: (onEvent: (e: unknown) => void, end: (error?: Error) => void) => void = () => undefined;
  async getJson(path: string) {
    this.lists.push(path);
    return this.listAnswer();
  }
  async watch(path: string, onEvent: (e: unknown) => void, _scope: unknown, onOpen?: () => void): Promise<WatchHandle> {
    this.watches.push(path);
    if (this.refuseWatches > 0) {
      this.refuseWatches--;
      throw new KubeRequestFailure('Unreachable', 'drill: cannot reach: connection refused', 'unreachable', { context: 'drill' });
    }
    onOpen?.();
    let settle!: (error?: Error) => void;
    const done = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())));
    this.openWatch(onEvent, settle);
    return { done, abort: () => settle(), pause: () => undefined, resume: () => undefined };
  }
  dispose() {}
}

const informers: Informer[] = [];
afterEach(() => informers.splice(0).forEach((i) => i.dispose()));
const start = (client: ScriptedClient, options = {}) => {
  const informer = new Informer(client as unknown as KubeClient, 'pods', 'ns', new MemoryLogger(), { initialBackoffMs: 5, maxBackoffMs: 20, deniedRetryMs: 60_000, ...options }).start();
  informers.push(informer);
  return informer;
};

describe('Informer', () => {
  it('lists, then watches from the list’s resourceVersion with bookmarks, and resumes from the last bookmark', async () => {
    const client = new ScriptedClient();
    let round = 0;
    client.openWatch = (onEvent, end) => {
      round++;
      if (round === 1) {
        onEvent({ type: 'ADDED', object: pod('b', '11') });
        onEvent({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } });
        setTimeout(() => end(), 10); // the server's timeoutSeconds
      }
    };
    const informer = start(client);
    await expect.poll(() => client.watches.length).toBe(2);
    expect(client.watches[0]).toContain('resourceVersion=10');
    expect(client.watches[0]).toContain('allowWatchBookmarks=true');
    expect(client.watches[1]).toContain('resourceVersion=20');
    expect(client.lists).toHaveLength(1);
    expect([...informer.list.items.keys()]).toEqual(['ns/a', 'ns/b']);
  });

  it('relists on an ERROR 410 event and publishes only the difference', async () => {
    const client = new ScriptedClient();
    let send: ((e: unknown) => void) | undefined;
    client.openWatch = (onEvent) => (send = onEvent);
    const informer = start(client);
    await expect.poll(() => send !== undefined && informer.synced).toBe(true);
    const changes: Array<{ upserted: string[]; deleted: string[] }> = [];
    informer.onDidChange((c) => changes.push({ upserted: c.upserted.map((o) => o.metadata.name), deleted: c.deleted }));
    client.listAnswer = async () => ({ items: [pod('c', '30')], metadata: { resourceVersion: '31' } });
    send!({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    await expect.poll(() => informer.stats.relists).toBe(1);
    await expect.poll(() => changes).toEqual([{ upserted: ['c'], deleted: ['ns/a'] }]);
    expect(informer.list.resourceVersion).toBe('31');
    expect(client.lists).toHaveLength(2);
  });

  it('backs off while the server refuses, reporting each attempt, and is watching again once it answers', async () => {
    const client = new ScriptedClient();
    client.refuseWatches = 3;
    const informer = start(client);
    const states: string[] = [];
    informer.onDidChangeStatus((s) => states.push(`${s.state}${s.attempt ? `#${s.attempt}` : ''}`));
    await expect.poll(() => client.watches.length).toBe(4);
    await expect.poll(() => informer.state.state).toBe('watching');
    expect(states).toEqual(['reconnecting#1', 'reconnecting#2', 'reconnecting#3', 'watching']);
    expect(client.lists).toHaveLength(1);
  });

  it('a 403 on the kind fails that informer with Forbidden and waits long before trying again', async () => {
    const client = new ScriptedClient();
    client.listAnswer = async () => {
      throw new KubeRequestFailure('Forbidden', 'prod: not allowed to list pods in ns (403 Forbidden)', 'forbidden', { context: 'prod', resource: 'pods', namespace: 'ns' }, 403);
    };
    const informer = start(client);
    await expect.poll(() => informer.state.state).toBe('failed');
    expect(informer.state.error).toEqual({ code: 'Forbidden', message: 'prod: not allowed to list pods in ns (403 Forbidden)', context: 'prod', resource: 'pods', namespace: 'ns' });
    await new Promise((r) => setTimeout(r, 50));
    expect(client.lists).toHaveLength(1);
  });

  it('stops everything on dispose: no more lists or watches', async () => {
    const client = new ScriptedClient();
    const informer = start(client);
    await expect.poll(() => client.watches.length).toBe(1);
    informer.dispose();
    await new Promise((r) => setTimeout(r, 30));
    expect(client.watches).toHaveLength(1);
    expect(client.lists).toHaveLength(1);
  });
});

describe('slim', () => {
  it('drops managedFields and the last-applied annotation, and masks env values that look secret', () => {
    const object = slim({
      metadata: { name: 'p', managedFields: [{}], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{...}', keep: 'yes' } },
      spec: { containers: [{ name: 'c', env: [{ name: 'DB_PASSWORD', value: 'hunter2' }, { name: 'LOG_LEVEL', value: 'info' }, { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 's' } } }] }] },
    } as KubeObject);
    expect(object.metadata).toEqual({ name: 'p', annotations: { keep: 'yes' } });
    expect(JSON.stringify(object)).not.toContain('hunter2');
    expect(JSON.stringify(object)).toContain('"LOG_LEVEL","value":"info"');
    expect(JSON.stringify(object)).toContain('secretKeyRef');
  });
});
