import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../app/logger';
import { ContextService, kubeconfigPaths } from './context-service';

const SECRET = 'sekret-token-do-not-leak';
const kubeconfig = (contexts: Array<{ name: string; cluster?: string }>, current?: string) => `
apiVersion: v1
kind: Config
clusters:
  - name: prod
    cluster: { server: https://prod.example.com:6443 }
users:
  - name: alice
    user: { token: ${SECRET} }
contexts:
${contexts.map((c) => `  - name: ${c.name}\n    context: { cluster: ${c.cluster ?? 'prod'}, user: alice, namespace: codesign-production }`).join('\n')}
${current ? `current-context: ${current}` : ''}
`;
const DRILL = `
apiVersion: v1
kind: Config
clusters: [{ name: codesign-drill, cluster: { server: 'https://127.0.0.1:40001' } }]
users: [{ name: drill-user, user: { token: drill-token } }]
contexts: [{ name: drill, context: { cluster: codesign-drill, user: drill-user, namespace: codesign-production } }]
current-context: drill
`;

describe('ContextService', () => {
  let dir: string;
  let logger: MemoryLogger;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kube-'));
    logger = new MemoryLogger();
  });
  const services: ContextService[] = [];
  afterEach(() => {
    for (const s of services.splice(0)) s.dispose();
  });
  const service = (paths: string[], drill: string | undefined = DRILL, watchFiles = false) => {
    const s = new ContextService({ paths, logger, drillKubeconfig: async () => drill, watchFiles, reloadDelayMs: 20, healthIntervalMs: 0 });
    services.push(s);
    return s;
  };

  it('makes the drill cluster the default when there is no kubeconfig', async () => {
    const list = await service([path.join(dir, 'missing')]).list();
    expect(list.current).toBe('drill');
    expect(list.contexts).toEqual([expect.objectContaining({ name: 'drill', source: 'drill', server: '127.0.0.1:40001', namespace: 'codesign-production' })]);
    expect(list.problems).toEqual([]);
  });

  it('lists every file’s contexts, prefers the kubeconfig’s current-context, and keeps drill as an extra', async () => {
    const a = path.join(dir, 'a');
    await writeFile(a, kubeconfig([{ name: 'prod-eu' }, { name: 'prod-us' }], 'prod-us'));
    const list = await service([a]).list();
    expect(list.contexts.map((c) => c.name)).toEqual(['prod-eu', 'prod-us', 'drill']);
    expect(list.current).toBe('prod-us');
    expect(list.contexts[0]).toMatchObject({ server: 'prod.example.com:6443', file: a, source: 'kubeconfig' });
    expect(JSON.stringify(list)).not.toContain(SECRET);
    expect(JSON.stringify(list)).not.toContain('drill-token');
  });

  it('reports a broken file with its path and the parser’s reason, and still serves the good ones', async () => {
    const good = path.join(dir, 'good');
    const broken = path.join(dir, 'broken');
    const dangling = path.join(dir, 'dangling');
    await writeFile(good, kubeconfig([{ name: 'prod-eu' }]));
    await writeFile(broken, 'apiVersion: v1\nclusters: [}\n');
    await writeFile(dangling, kubeconfig([{ name: 'ghost', cluster: 'nowhere' }]));
    const list = await service([good, broken, dangling]).list();
    expect(list.contexts.map((c) => c.name)).toEqual(['prod-eu', 'drill']);
    expect(list.problems).toEqual([
      { file: broken, message: expect.stringMatching(/^not a usable kubeconfig: .*line 2, column \d+/) },
      { file: dangling, message: 'context "ghost" names cluster "nowhere", which no kubeconfig file defines' },
    ]);
    expect(logger.entries.filter((e) => e.event === 'kubeconfig.invalid')).toHaveLength(2);
  });

  it('selects a context, refuses one that does not exist, and hands main its config', async () => {
    const a = path.join(dir, 'a');
    await writeFile(a, kubeconfig([{ name: 'prod-eu' }]));
    const s = service([a]);
    expect((await s.select('drill')).current).toBe('drill');
    expect((await s.kubeConfig()).getCurrentCluster()?.server).toBe('https://127.0.0.1:40001');
    await expect(s.select('nope')).rejects.toMatchObject({ code: 'NotFound', message: expect.stringContaining('"nope"') });
  });

  it('reads KUBECONFIG entries like kubectl, else ~/.kube/config', () => {
    expect(kubeconfigPaths({ KUBECONFIG: `/a${path.delimiter}/b` }, '/home/x')).toEqual(['/a', '/b']);
    expect(kubeconfigPaths({}, '/home/x')).toEqual(['/home/x/.kube/config']);
  });
});

describe('ContextService: kubectl merge rules', () => {
  let dir: string;
  const services: ContextService[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kube-merge-'));
  });
  afterEach(() => {
    for (const s of services.splice(0)) s.dispose();
  });
  const service = (paths: string[], logger = new MemoryLogger()) => {
    const s = new ContextService({ paths, logger, drillKubeconfig: async () => undefined, watchFiles: false, healthIntervalMs: 0 });
    services.push(s);
    return s;
  };
  const write = async (name: string, text: string) => {
    const file = path.join(dir, name);
    await writeFile(file, text);
    return file;
  };

  it('first file wins for a name, current-context comes from the first file that sets one, references cross files', async () => {
    const a = await write('a', `
clusters: [{ name: shared, cluster: { server: 'https://first.example:6443' } }]
users: [{ name: u, user: { token: aaaa } }]
contexts: [{ name: dup, context: { cluster: shared, user: u } }]
`);
    const b = await write('b', `
clusters: [{ name: shared, cluster: { server: 'https://second.example:6443' } }, { name: only-b, cluster: { server: 'https://b.example' } }]
users: [{ name: u, user: { token: bbbb } }]
contexts:
  - { name: dup, context: { cluster: only-b, user: u } }
  - { name: uses-a, context: { cluster: shared, user: u, namespace: team } }
current-context: uses-a
`);
    const s = service([a, b]);
    const list = await s.list();
    expect(list.problems).toEqual([]);
    expect(list.current).toBe('uses-a');
    expect(list.namespace).toBe('team');
    expect(list.contexts.map((c) => [c.name, c.server, c.file, c.auth])).toEqual([
      ['dup', 'first.example:6443', a, 'bearer'],
      ['uses-a', 'first.example:6443', b, 'bearer'],
    ]);
    const config = await s.kubeConfig('uses-a');
    expect(config.getCurrentUser()?.token).toBe('aaaa');
  });

  it('reports a missing user, an unreadable token file and a bad server URL, each against its file', async () => {
    const f = await write('f', `
clusters: [{ name: c, cluster: { server: 'https://c.example' } }, { name: bad, cluster: { server: 'not a url' } }]
users: [{ name: filed, user: { token-file: ./missing-token } }, { name: good, user: { token-file: ./tok } }]
contexts:
  - { name: no-user, context: { cluster: c, user: nobody } }
  - { name: gone-file, context: { cluster: c, user: filed } }
  - { name: bad-url, context: { cluster: bad, user: good } }
  - { name: ok, context: { cluster: c, user: good } }
`);
    await write('tok', 'file-token-value');
    const list = await service([f]).list();
    expect(list.contexts.map((c) => [c.name, c.auth])).toEqual([['ok', 'bearer-file']]);
    expect(list.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^user "filed": cannot read its token-file .*missing-token \(ENOENT\)$/),
      'context "no-user" names user "nobody", which no kubeconfig file defines',
      'context "gone-file" names user "filed", which no kubeconfig file defines',
      'cluster "bad" (used by context "bad-url") has no valid server URL ("not a url")',
    ]);
    expect(list.problems.every((p) => p.file === f)).toBe(true);
    expect(JSON.stringify(list)).not.toContain('file-token-value');
  });

  it('names an unreadable file and a file that is not a mapping', async () => {
    const notMapping = await write('list', '- a\n- b\n');
    const unreadable = await write('locked', 'clusters: []');
    const { chmod } = await import('node:fs/promises');
    await chmod(unreadable, 0o000);
    const list = await service([notMapping, unreadable]).list();
    expect(list.problems[0]).toEqual({ file: notMapping, message: 'not a usable kubeconfig: the file is not a YAML mapping' });
    if (process.getuid?.() !== 0) expect(list.problems[1]).toEqual({ file: unreadable, message: 'cannot read: EACCES' });
  });

  it('tells the auth kind without its value: client certificates, exec plugins, auth providers', async () => {
    const f = await write('auth', `
clusters: [{ name: c, cluster: { server: 'https://c.example', proxy-url: 'ftp://proxy' } }]
users:
  - { name: cert, user: { client-certificate-data: Y2VydA==, client-key-data: a2V5 } }
  - { name: exec, user: { exec: { apiVersion: client.authentication.k8s.io/v1, command: /bin/true } } }
  - { name: oidc, user: { auth-provider: { name: oidc, config: { client-id: x } } } }
contexts:
  - { name: cert, context: { cluster: c, user: cert } }
  - { name: exec, context: { cluster: c, user: exec } }
  - { name: oidc, context: { cluster: c, user: oidc } }
`);
    const list = await service([f]).list();
    expect(list.contexts.map((c) => c.auth)).toEqual(['client-certificate', 'exec', 'auth-provider']);
    expect(list.contexts[0]!.notes).toEqual(['proxy-url "ftp://proxy" is not a scheme client-node can use (http, https, socks)']);
  });
});

describe('ContextService: lifetimes', () => {
  it('disposes the old context’s scope on switch and fires onDidChangeContext', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kube-scope-'));
    const a = path.join(dir, 'a');
    await writeFile(a, kubeconfig([{ name: 'prod-eu' }], 'prod-eu'));
    const s = new ContextService({ paths: [a], logger: new MemoryLogger(), drillKubeconfig: async () => DRILL, watchFiles: false, healthIntervalMs: 0 });
    try {
      await s.list();
      const changes: string[] = [];
      s.onDidChangeContext((c) => changes.push(`${c.previous}->${c.current}:${c.reason}:${c.namespace}`));
      let stopped = 0;
      s.scope.addFn(() => stopped++);
      const oldScope = s.scope;
      await s.select('drill');
      expect(stopped).toBe(1);
      expect(oldScope.isDisposed).toBe(true);
      expect(s.scope.isDisposed).toBe(false);
      await s.select('drill');
      await s.selectNamespace('');
      expect(changes).toEqual(['prod-eu->drill:selected:codesign-production', 'drill->drill:namespace:']);
      expect((await s.list()).namespace).toBe('');
    } finally {
      s.dispose();
    }
  });

  it('picks up a kubeconfig edited on disk: new contexts listed, the current one restarted when its credentials change', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kube-edit-'));
    const a = path.join(dir, 'config');
    await writeFile(a, kubeconfig([{ name: 'prod-eu' }], 'prod-eu'));
    const s = new ContextService({ paths: [a], logger: new MemoryLogger(), drillKubeconfig: async () => undefined, reloadDelayMs: 20, healthIntervalMs: 0 });
    try {
      await s.list();
      const lists: string[][] = [];
      const reasons: string[] = [];
      s.onDidChangeList((l) => lists.push(l.contexts.map((c) => c.name)));
      s.onDidChangeContext((c) => reasons.push(c.reason));
      let stopped = 0;
      s.scope.addFn(() => stopped++);
      await writeFile(a, kubeconfig([{ name: 'prod-eu' }, { name: 'prod-us' }], 'prod-eu'));
      await expect.poll(() => lists.at(-1), { timeout: 5000 }).toEqual(['prod-eu', 'prod-us']);
      expect(stopped).toBe(0);
      await writeFile(a, kubeconfig([{ name: 'prod-eu' }, { name: 'prod-us' }], 'prod-eu').replace(SECRET, 'rotated-token'));
      await expect.poll(() => reasons, { timeout: 5000 }).toContain('reloaded');
      expect(stopped).toBe(1);
      expect((await s.kubeConfig()).getCurrentUser()?.token).toBe('rotated-token');
    } finally {
      s.dispose();
    }
  });
});
