import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
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
  const service = (paths: string[], drill: string | undefined = DRILL) => new ContextService({ paths, logger, drillKubeconfig: async () => drill });

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
      { file: broken, message: expect.stringMatching(/^not a usable kubeconfig: .*\(2:\d+\)/) },
      { file: dangling, message: 'not a usable kubeconfig: context "ghost" names cluster "nowhere", which the file does not define' },
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
