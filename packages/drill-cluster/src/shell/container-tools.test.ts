import * as tarStream from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerLog } from '../streams/pod-logs';
import { ContainerFileSystems } from './container-tools';
import { grepPatternSource } from './text-tools';
import { startStubApp, testContext, TestShell, TEST_NOW, TEST_PROFILE } from './shell-testing';

async function tarEntries(archive: Buffer): Promise<Array<{ name: string; type: string; body: string }>> {
  const extract = tarStream.extract();
  const entries: Array<{ name: string; type: string; body: string }> = [];
  const done = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      entries.push({ name: entry.header.name, type: entry.header.type, body: Buffer.concat(parts).toString('utf8') });
    }
  })();
  extract.end(archive);
  await done;
  return entries;
}

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const [name, body] of Object.entries(files)) pack.entry({ name }, body);
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

describe('text tools', () => {
  it('grep: BRE alternation, -E, -i, -v, -c, -n, -o and exit codes', async () => {
    const sh = new TestShell();
    const input = 'INFO ok\nERROR db timeout\nCRITICAL disk\ninfo lower\n';
    expect((await sh.run('grep "ERROR\\|CRITICAL"', { stdin: input })).stdout).toBe('ERROR db timeout\nCRITICAL disk\n');
    expect((await sh.run('grep -E "(ERROR|CRITICAL)" -c', { stdin: input })).stdout).toBe('2\n');
    expect((await sh.run('grep -i info -n', { stdin: input })).stdout).toBe('1:INFO ok\n4:info lower\n');
    expect((await sh.run('grep -v -e INFO -e info', { stdin: input })).stdout).toBe('ERROR db timeout\nCRITICAL disk\n');
    expect((await sh.run('grep -o "[[:digit:]]\\+ms"', { stdin: 'took 2345ms\n' })).stdout).toBe('2345ms\n');
    expect((await sh.run('grep nothing', { stdin: input })).code).toBe(1);
    expect((await sh.run('grep x /nope')).code).toBe(2);
    expect(grepPatternSource('duration.*[2-9][0-9][0-9][0-9]ms', 'basic')).toBe('duration.*[2-9][0-9][0-9][0-9]ms');
  });

  it('head, tail and wc count as GNU does', async () => {
    const sh = new TestShell();
    const input = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    expect((await sh.run('head -n 2', { stdin: input })).stdout).toBe('line 1\nline 2\n');
    expect((await sh.run('head -3', { stdin: input })).stdout).toBe('line 1\nline 2\nline 3\n');
    expect((await sh.run('tail -n 2', { stdin: input })).stdout).toBe('line 19\nline 20\n');
    expect((await sh.run('tail -n +19', { stdin: input })).stdout).toBe('line 19\nline 20\n');
    expect((await sh.run('wc -l', { stdin: input })).stdout).toBe('20\n');
    expect((await sh.run('echo hello world | wc')).stdout).toBe('      1       2      12\n');
    expect((await sh.run('wc -l /etc/hostname')).stdout).toBe('1 /etc/hostname\n');
    expect(await sh.run('head /nope')).toMatchObject({ code: 1, stderr: "head: cannot open '/nope' for reading: No such file or directory\n" });
  });
});

describe('filters', () => {
  it('awk prints fields with -F, conditions and NR; sed substitutes and deletes; find walks the files', async () => {
    const sh = new TestShell();
    const input = 'a 1 x\nb 22 y\nc 3 z\n';
    expect((await sh.run(`awk '{print $2}'`, { stdin: input })).stdout).toBe('1\n22\n3\n');
    expect((await sh.run(`awk '$2 > 2 {print $1, $NF}'`, { stdin: input })).stdout).toBe('b y\nc z\n');
    expect((await sh.run(`awk '/^c/'`, { stdin: input })).stdout).toBe('c 3 z\n');
    expect((await sh.run(`awk -F: 'NR==1 {print $1}' /etc/passwd`)).stdout).toBe('root\n');
    expect((await sh.run(`awk 'BEGIN { x = 1 }'`)).code).toBe(2);
    expect((await sh.run(`sed 's/a/A/g; 2d'`, { stdin: 'banana\nxx\nab\n' })).stdout).toBe('bAnAnA\nAb\n');
    expect((await sh.run(`sed -n '/2/p'`, { stdin: input })).stdout).toBe('b 22 y\n');
    expect((await sh.run(`sed -E 's/([a-z]) ([0-9]+)/\\2-\\1/'`, { stdin: input })).stdout).toBe('1-a x\n22-b y\n3-c z\n');
    expect((await sh.run('find /app/config -name "*.py"')).stdout).toBe('/app/config/gunicorn.conf.py\n');
    expect((await sh.run('find /var/log -type f')).stdout).toBe('/var/log/app/app.log\n/var/log/security/auth.log\n');
    expect((await sh.run('ss -tlnp | grep -c LISTEN')).stdout).toBe('2\n');
  });
});

describe('the container files', () => {
  it('hold /etc/hostname, the mounted config and a log with the lines kubectl logs shows', async () => {
    const ctx = testContext();
    const sh = new TestShell(ctx);
    expect((await sh.run('cat /etc/hostname')).stdout).toBe('codesign-api-abc\n');
    expect((await sh.run('grep workers /app/config/gunicorn.conf.py')).stdout).toBe('workers = 3\n');
    const log = new ContainerLog(ctx.pod, 'codesign-api', TEST_PROFILE, 0).history(TEST_NOW, 3, undefined).lines.map((l) => `${l.text}\n`).join('');
    expect((await sh.run('tail -n 3 /var/log/app/app.log')).stdout).toBe(log);
    expect(Number((await sh.run('cat /sys/fs/cgroup/memory.max')).stdout)).toBe(2048 * 1024 * 1024);
    // auth.log reaches further back than app.log's last 2,000 lines, and holds only the failures.
    const failures = Number((await sh.run('grep -c "authentication failed" /var/log/app/app.log')).stdout);
    expect(failures).toBeGreaterThan(0);
    expect(Number((await sh.run('grep -c FAIL /var/log/security/auth.log')).stdout)).toBeGreaterThanOrEqual(failures);
    expect((await sh.run('grep -vc FAIL /var/log/security/auth.log')).stdout).toBe('0\n');
    expect((await sh.run('head -n 1 /var/log/security/auth.log')).stdout).toMatch(/^\S+Z codesign-api auth\[1\]: FAIL login user=u-\d+ rhost=\S+ reason="invalid or expired token"\n$/);
    expect((await sh.run('grep MemTotal /proc/meminfo')).code).toBe(0);
  });

  it('are writable, except mounts and /proc, and kept per container instance', async () => {
    const ctx = testContext();
    const kept = new ContainerFileSystems();
    const first = new TestShell({ ...ctx, fileSystem: () => kept.for(ctx) });
    expect((await first.run('echo note > /tmp/n && mkdir -p /tmp/a/b && touch /tmp/a/b/c')).code).toBe(0);
    expect((await first.run('echo x > /app/config/gunicorn.conf.py')).code).toBe(2);
    const again = new TestShell({ ...ctx, fileSystem: () => kept.for(ctx) });
    expect((await again.run('cat /tmp/n; ls /tmp/a/b')).stdout).toBe('note\nc\n');
    const restarted = { ...ctx, pod: { ...ctx.pod, restartCount: 1, startedAt: TEST_NOW } };
    const fresh = new TestShell({ ...restarted, fileSystem: () => kept.for(restarted) });
    expect((await fresh.run('cat /tmp/n')).code).toBe(1);
  });
});

describe('system tools', () => {
  it('ls lists, -l with sizes, and a missing path is exit 2', async () => {
    const sh = new TestShell();
    expect((await sh.run('ls /app/config')).stdout).toBe('gunicorn.conf.py\n');
    expect((await sh.run('ls -l /etc/hostname')).stdout).toMatch(/^-rw-r--r-- 1 root root +17 Nov 27 23:05 \/etc\/hostname\n$/);
    expect((await sh.run('ls /nope')).code).toBe(2);
  });

  it('ps shows the app processes sized by the profile, df and free the disks and memory', async () => {
    const sh = new TestShell();
    const ps = await sh.run('ps aux');
    expect(ps.stdout.split('\n')[0]).toMatch(/^USER +PID %CPU %MEM +VSZ +RSS TTY +STAT START +TIME COMMAND$/);
    expect(ps.stdout.split('\n').filter((l) => l.includes('gunicorn'))).toHaveLength(4);
    expect((await sh.run('ps -ef | grep -c gunicorn')).stdout).toBe('4\n');
    expect((await sh.run('df -h /')).stdout).toMatch(/^Filesystem +Size +Used +Avail +Use% +Mounted on\noverlay +98G +42G +57G +43% \/\n$/);
    expect((await sh.run('free -m | grep Mem')).code).toBe(0);
  });

  it('test and [ check files and compare', async () => {
    const sh = new TestShell();
    expect((await sh.run('test -d /tmp && [ -f /etc/hostname ] && [ "a" = "a" ] && [ 3 -gt 2 ]; echo $?')).stdout).toBe('0\n');
    expect((await sh.run('test -d /etc/hostname; echo $?')).stdout).toBe('1\n');
  });

  it('date formats the simulated clock; which finds the tools', async () => {
    const sh = new TestShell();
    expect((await sh.run('date; date +%Y%m%d; date -u +%s')).stdout).toBe(`Sat Nov 28 00:05:05 UTC 2026\n20261128\n${TEST_NOW / 1000}\n`);
    expect((await sh.run('which grep tar curl python')).stdout).toBe('/usr/bin/grep\n/usr/bin/tar\n/usr/bin/curl\n/usr/bin/python\n');
    expect((await new TestShell(testContext({ app: 'redis' })).run('which python')).code).toBe(1);
  });
});

describe('tar', () => {
  it('creates an archive of a directory as kubectl cp reads it', async () => {
    const sh = new TestShell();
    const result = await sh.run('tar cf - /app/config');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("tar: Removing leading `/' from member names\n");
    const entries = await tarEntries(result.bytes);
    expect(entries.map((e) => e.name)).toEqual(['app/config/', 'app/config/gunicorn.conf.py']);
    expect(entries[1]!.body).toContain('workers = 3');
  });

  it('extracts what kubectl cp sends, under -C', async () => {
    const sh = new TestShell();
    const archive = await tarOf({ 'notes/a.txt': 'alpha\n', 'notes/b.txt': 'beta\n' });
    expect((await sh.run('tar -xmf - -C /tmp', { stdin: archive })).code).toBe(0);
    expect((await sh.run('cat /tmp/notes/a.txt /tmp/notes/b.txt')).stdout).toBe('alpha\nbeta\n');
    expect((await sh.run('tar xf -', { stdin: 'not a tar' })).code).toBe(2);
    expect((await sh.run('tar cf - /nope')).code).toBe(2);
  });
});

describe('curl', () => {
  let app: Awaited<ReturnType<typeof startStubApp>>;
  beforeAll(async () => {
    app = await startStubApp();
  });
  afterAll(async () => app?.close());

  it('reaches what listens in the pod and refuses the rest with curl exit codes', async () => {
    const sh = new TestShell(testContext({ connect: async (port) => (port === 8000 ? { host: '127.0.0.1', port: app.port } : undefined) }));
    expect(await sh.run('curl -s localhost:8000/health')).toMatchObject({ code: 0, stdout: '{"status":"ok"}\n' });
    expect((await sh.run('curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:8000/nope')).stdout).toBe('404');
    expect((await sh.run('curl -sf localhost:8000/nope')).code).toBe(22);
    expect(await sh.run('curl localhost:5432')).toMatchObject({ code: 7, stderr: "curl: (7) Failed to connect to localhost port 5432 after 0 ms: Couldn't connect to server\n" });
    expect((await sh.run('curl http://example.com/')).code).toBe(6);
    expect((await sh.run('curl -sI localhost:8000/health')).stdout).toMatch(/^HTTP\/1.1 200 OK\r\n/);
  });
});
