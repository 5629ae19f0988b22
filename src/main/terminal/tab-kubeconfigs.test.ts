import { KubeConfig } from '@kubernetes/client-node';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { singleContextConfig, TabKubeconfigs } from './tab-kubeconfigs';

function config(current: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'a', server: 'https://a.example:6443', caFile: 'ca.crt', proxyUrl: 'socks5://127.0.0.1:1080' },
      { name: 'b', server: 'https://b.example:6443' },
    ],
    users: [
      { name: 'ua', token: 'token-a' },
      { name: 'ub', token: 'token-b-should-not-leak' },
    ],
    contexts: [
      { name: 'ctx-a', cluster: 'a', user: 'ua', namespace: 'codesign-production' },
      { name: 'ctx-b', cluster: 'b', user: 'ub' },
      { name: 'ctx-broken', cluster: 'missing', user: 'ua' },
    ],
    currentContext: current,
  });
  return kc;
}

describe('a tab kubeconfig', () => {
  it('holds the one context, its cluster and user, with the namespace asked for and relative files made absolute', () => {
    const file = singleContextConfig(config('ctx-a'), { namespace: 'monitoring', sourceFile: '/home/oncall/.kube/config' });
    expect(file).toMatchObject({
      'current-context': 'ctx-a',
      contexts: [{ name: 'ctx-a', context: { cluster: 'a', user: 'ua', namespace: 'monitoring' } }],
      clusters: [{ name: 'a', cluster: { server: 'https://a.example:6443', 'certificate-authority': '/home/oncall/.kube/ca.crt', 'proxy-url': 'socks5://127.0.0.1:1080' } }],
      users: [{ name: 'ua', user: { token: 'token-a' } }],
    });
    expect(JSON.stringify(file)).not.toContain('token-b');
  });

  it("uses the context's own namespace, else default", () => {
    expect((singleContextConfig(config('ctx-a'), {}).contexts as Array<{ context: { namespace: string } }>)[0]!.context.namespace).toBe('codesign-production');
    expect((singleContextConfig(config('ctx-b'), {}).contexts as Array<{ context: { namespace: string } }>)[0]!.context.namespace).toBe('default');
  });

  it('refuses a context whose cluster is not defined, naming both', () => {
    expect(() => singleContextConfig(config('ctx-broken'), {})).toThrow('context "ctx-broken" names cluster "missing", which is not defined');
  });
});

describe('TabKubeconfigs', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'tab-kubeconfigs-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes 0600 files in a 0700 folder of this run, and removes them', async () => {
    const files = new TabKubeconfigs(root);
    const file = await files.write('term-0123456789abcdef', config('ctx-a'), {});
    expect(path.dirname(file)).toBe(path.join(root, String(process.pid)));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(parse(await readFile(file, 'utf8'))['current-context']).toBe('ctx-a');
    await files.remove(file);
    expect(await files.exists(file)).toBe(false);
    await files.write('term-fedcba9876543210', config('ctx-b'), {});
    await files.removeAll();
    await expect(stat(files.dir)).rejects.toThrow(/ENOENT/);
  });

  it("at start removes what crashed runs left, and keeps the folders of runs still alive", async () => {
    const alive = path.join(root, String(process.ppid));
    const dead = path.join(root, '999999');
    const mine = path.join(root, String(process.pid));
    const odd = path.join(root, 'not-a-pid');
    for (const dir of [alive, dead, mine, odd]) {
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'term-0000000000000000.kubeconfig'), 'token: left', { mode: 0o600 });
    }
    const removed = await new TabKubeconfigs(root).removeStale();
    expect(removed.sort()).toEqual([dead, mine, odd].sort());
    expect(await readdir(root)).toEqual([String(process.ppid)]);
  });

  it('starts fine when no run ever wrote a tab kubeconfig', async () => {
    expect(await new TabKubeconfigs(path.join(root, 'never-made')).removeStale()).toEqual([]);
  });
});
