import { execFile } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { spawn as spawnPty } from 'node-pty';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeTunnels, terminalFixture, waitUntil, type TerminalFixture } from './terminal-harness';

const run = promisify(execFile);

function inPty(file: string, args: string[], env: Record<string, string>): Promise<{ stdout: string; exitCode: number }> {
  return new Promise((resolve) => {
    const child = spawnPty(file, args, { cols: 120, rows: 40, env });
    let stdout = '';
    child.onData((d) => (stdout += d));
    child.onExit(({ exitCode }) => resolve({ stdout, exitCode }));
  });
}

/** Every live (not zombie) process of the shell's session, as `ps` sees it. */
async function sessionProcesses(sid: number): Promise<string[]> {
  const { stdout } = await run('ps', ['-e', '-o', 'pid=,sid=,stat=,args=']);
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && Number(line.split(/\s+/)[1]) === sid && !line.split(/\s+/)[2]!.startsWith('Z'));
}

describe('terminal sessions (node-pty)', () => {
  let fixture: TerminalFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  it('runs printf and stty size in the user\'s shell with TERM=xterm-256color, and a resize reaches the pty', async () => {
    fixture = await terminalFixture();
    const tab = await fixture.openTab('work', { cols: 100, rows: 30 });
    await tab.waitFor(/ready\$ $/);
    tab.type("printf 'hello %s\\n' \"$TERM\"; stty size\r");
    await tab.waitFor(/hello xterm-256color\r\n30 100\r\n/);
    fixture.service.resize(tab.id, tab.key, 132, 43);
    tab.type('stty size\r');
    await tab.waitFor(/43 132\r\n/);
    expect(fixture.service.list()[0]).toMatchObject({ cols: 132, rows: 43, state: 'running', shell: '/bin/bash', context: 'work', namespace: 'codesign-production' });
  });

  it('shows the exit code when the shell exits', async () => {
    fixture = await terminalFixture();
    const tab = await fixture.openTab();
    await tab.waitFor(/ready\$ $/);
    tab.type('exit 7\r');
    await waitUntil(() => tab.sink.endedWith, 'the output stream to end');
    expect(tab.sink.endedWith).toBe('the shell exited with code 7');
    expect(fixture.service.list()[0]).toMatchObject({ state: 'exited', exitCode: 7 });
    expect(() => tab.type('ls\r')).toThrow(/exited/);
  });

  it('closing a tab kills the shell and every job it started (checked with ps)', async () => {
    fixture = await terminalFixture();
    const tab = await fixture.openTab();
    await tab.waitFor(/ready\$ $/);
    tab.type('sleep 4242 & sleep 4343 & sleep 4444\r');
    const before = await waitUntil(async () => {
      const list = await sessionProcesses(tab.pid);
      return list.filter((p) => /sleep 4[234]4[234]/.test(p)).length === 3 ? list : undefined;
    }, 'three sleeps in the shell session');
    expect(before.length).toBeGreaterThanOrEqual(4);
    await fixture.service.close(tab.id, tab.key);
    expect(await sessionProcesses(tab.pid)).toEqual([]);
    const { stdout } = await run('ps', ['-e', '-o', 'stat=,args=']);
    expect(stdout.split('\n').filter((l) => !l.trim().startsWith('Z') && /sleep 4[234]4[234]/.test(l))).toEqual([]);
    expect(fixture.service.list()).toEqual([]);
    expect(tab.sink.endedWith).toBe('closed');
  });

  it('gives each tab a 0600 kubeconfig with only its context, namespace set and credentials intact, gone after close', async () => {
    fixture = await terminalFixture();
    const tab = await fixture.openTab('work');
    await tab.waitFor(/ready\$ $/);
    tab.type('echo "KC=$KUBECONFIG"\r');
    const file = (await tab.waitFor(/KC=\/\S+\r\n/)).slice(3).trim();
    expect(path.dirname(file)).toBe(fixture.service.kubeconfigDir);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    const config = parse(await readFile(file, 'utf8'));
    expect(config['current-context']).toBe('work');
    expect(config.contexts).toEqual([{ name: 'work', context: { cluster: 'work-cluster', user: 'work-user', namespace: 'codesign-production' } }]);
    expect(config.clusters).toEqual([
      { name: 'work-cluster', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority': path.join(fixture.dir, 'certs/ca.crt'), 'proxy-url': 'http://proxy.internal:3128' } },
    ]);
    expect(config.users[0].user).toEqual({
      'client-certificate': path.join(fixture.dir, 'certs/client.crt'),
      'client-key': path.join(fixture.dir, 'certs/client.key'),
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: path.join(fixture.dir, 'bin/get-token'),
        args: ['--cluster', 'work'],
        env: [{ name: 'AWS_PROFILE', value: 'oncall' }],
        interactiveMode: 'Never',
      },
    });
    expect(await readFile(file, 'utf8')).not.toContain('other-token-should-not-leak');
    await fixture.service.close(tab.id, tab.key);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });

  it('removes a stale kubeconfig left by a crashed run at the next start', async () => {
    const first = await terminalFixture();
    fixture = first;
    const dataDir = path.join(first.dir, 'data');
    // What a run killed with -9 leaves: a folder named by a pid that no longer runs.
    const stale = path.join(dataDir, 'terminal', '999999', 'term-0123456789abcdef.kubeconfig');
    await mkdir(path.dirname(stale), { recursive: true });
    await writeFile(stale, 'token: left-behind', { mode: 0o600 });
    const second = await terminalFixture({ dataDir });
    try {
      await expect(stat(stale)).rejects.toThrow(/ENOENT/);
      await expect(stat(path.dirname(stale))).rejects.toThrow(/ENOENT/);
    } finally {
      await second.dispose();
    }
  });

  it('says when the shell startup file overrides KUBECONFIG', async () => {
    fixture = await terminalFixture({ bashrc: "PS1='ready$ '\nexport KUBECONFIG=$HOME/.kube/elsewhere\n" });
    const tab = await fixture.openTab();
    const info = await waitUntil(() => fixture!.service.list().find((s) => s.id === tab.id && s.kubeconfigOverride), 'the override to be seen');
    expect(info.kubeconfigOverride).toBe(path.join(fixture.home, '.kube/elsewhere'));
  });

  it('refuses input, resize and close without the opener\'s key', async () => {
    fixture = await terminalFixture();
    const tab = await fixture.openTab();
    const other = 'A'.repeat(32);
    expect(() => fixture!.service.input(tab.id, other, 'rm -rf ~\r')).toThrow(/belongs to another window/);
    expect(() => fixture!.service.resize(tab.id, other, 10, 10)).toThrow(/belongs to another window/);
    await expect(fixture.service.close(tab.id, other)).rejects.toThrow(/belongs to another window/);
    expect(() => fixture!.service.attach(tab.id, tab.key, tab.sink)).toThrow(/already shown/);
    expect(fixture.logger.entries.some((e) => e.event === 'terminal.foreign-input')).toBe(true);
  });

  it('pauses the pty while the reader is behind, and Ctrl-C during a flood reaches the shell', async () => {
    fixture = await terminalFixture();
    const tab = await fixture.openTab();
    await tab.waitFor(/ready\$ $/);
    tab.type('yes\r');
    await waitUntil(() => tab.sink.bytes > 200_000, 'the flood');
    tab.sink.pause();
    await new Promise((r) => setTimeout(r, 100));
    const whilePaused = tab.sink.bytes;
    await new Promise((r) => setTimeout(r, 300));
    // A paused pty is not read: at most what was already in flight arrives.
    expect(tab.sink.bytes - whilePaused).toBeLessThan(256 * 1024);
    tab.type('\x03');
    tab.sink.resume();
    tab.type('echo after-$((40+2))\r');
    await tab.waitFor(/after-42/);
  });

  it('exports the open tunnels\' ports into a new tab, says when one opens later, and drops anything but host and port', async () => {
    const tunnels = new FakeTunnels();
    tunnels.environment.work = { PGHOST: '127.0.0.1', PGPORT: '54321', PGPASSWORD: 'must-not-pass', REDIS_PORT: '6380; rm -rf ~' };
    fixture = await terminalFixture({ tunnels });
    const tab = await fixture.openTab('work');
    await tab.waitFor(/ready\$ $/);
    tab.type('echo "pg=$PGHOST:$PGPORT pw=${PGPASSWORD-none} redis=${REDIS_PORT-none}"\r');
    await tab.waitFor(/pg=127\.0\.0\.1:54321 pw=none redis=none\r\n/);
    expect(fixture.service.list()[0]).toMatchObject({ tunnelVariables: { PGHOST: '127.0.0.1', PGPORT: '54321' } });
    expect(fixture.service.list()[0]!.tunnelChange).toBeUndefined();
    expect(fixture.logger.entries.find((e) => e.event === 'terminal.tunnel-variables-refused')).toMatchObject({ fields: { names: 'PGPASSWORD,REDIS_PORT' } });

    // A Redis tunnel opens after the shell started: the tab says a new shell gets it.
    tunnels.set('work', { PGHOST: '127.0.0.1', PGPORT: '54321', REDIS_HOST: '127.0.0.1', REDIS_PORT: '46379' });
    expect(fixture.service.list()[0]!.tunnelChange).toEqual({ added: { REDIS_HOST: '127.0.0.1', REDIS_PORT: '46379' }, gone: [] });
    const second = await fixture.openTab('work');
    await second.waitFor(/ready\$ $/);
    second.type('echo "redis=$REDIS_HOST:$REDIS_PORT"\r');
    await second.waitFor(/redis=127\.0\.0\.1:46379\r\n/);
    expect(fixture.service.list().find((s) => s.id === second.id)!.tunnelChange).toBeUndefined();

    // The postgres tunnel closes: the first tab says its PGPORT is stale; another context's tab is not told.
    const other = await fixture.openTab('other');
    tunnels.set('work', { REDIS_HOST: '127.0.0.1', REDIS_PORT: '46379' });
    expect(fixture.service.list().find((s) => s.id === tab.id)!.tunnelChange).toEqual({ added: { REDIS_HOST: '127.0.0.1', REDIS_PORT: '46379' }, gone: ['PGHOST', 'PGPORT'] });
    expect(fixture.service.list().find((s) => s.id === other.id)!.tunnelChange).toBeUndefined();

    // A tunnel service that fails costs a new tab nothing but its variables.
    tunnels.failing = true;
    const third = await fixture.openTab('work');
    expect(fixture.service.list().find((s) => s.id === third.id)!.tunnelVariables).toBeUndefined();
    expect(fixture.logger.entries.some((e) => e.event === 'terminal.tunnel-environment-failed')).toBe(true);
    tunnels.dispose();
  });

  it('holds several tabs at once, each its own shell, and deletes every tab kubeconfig at quit', async () => {
    fixture = await terminalFixture();
    const first = await fixture.openTab('work');
    const second = await fixture.openTab('other');
    await first.waitFor(/ready\$ $/);
    await second.waitFor(/ready\$ $/);
    first.type('echo "ctx=$(kubectl config current-context) kc=$KUBECONFIG"\r');
    second.type('echo "ctx=$(kubectl config current-context) kc=$KUBECONFIG"\r');
    const a = await first.waitFor(/ctx=\S+ kc=\S+\r\n/);
    const b = await second.waitFor(/ctx=\S+ kc=\S+\r\n/);
    expect(a).toMatch(/^ctx=work /);
    expect(b).toMatch(/^ctx=other /);
    expect(first.pid).not.toBe(second.pid);
    const files = [a, b].map((line) => line.trim().split('kc=')[1]!);
    expect(files[0]).not.toBe(files[1]);
    for (const file of files) expect((await stat(file)).mode & 0o777).toBe(0o600);
    await fixture.service.dispose();
    for (const file of files) await expect(stat(file)).rejects.toThrow(/ENOENT/);
    await expect(stat(fixture.service.kubeconfigDir)).rejects.toThrow(/ENOENT/);
    expect(await sessionProcesses(first.pid)).toEqual([]);
    expect(await sessionProcesses(second.pid)).toEqual([]);
  });

  it('closing the output stream (page gone) closes the tab', async () => {
    fixture = await terminalFixture();
    const tab = await fixture.openTab();
    await tab.waitFor(/ready\$ $/);
    tab.attached.dispose();
    await waitUntil(() => fixture!.service.list().length === 0, 'the tab to close');
    expect(await sessionProcesses(tab.pid)).toEqual([]);
  });
});

describe('terminal recordings (asciicast v2 into the evidence)', () => {
  let fixture: TerminalFixture | undefined;
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  const JWT =
    'eyJhbGciOiJSUzI1NiIsImtpZCI6ImRyaWxsIn0.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50OmNvZGVzaWduIn0.c2lnbmF0dXJlLW9mLXRoZS1kcmlsbC10b2tlbi1mb3ItdGVzdHM';

  it('seals a cast that asciinema cat prints, with secrets redacted and password input left out', async () => {
    fixture = await terminalFixture();
    const incidentId = 'inc-20261201-term01';
    const tab = await fixture.openTab();
    await tab.waitFor(/ready\$ $/);
    await fixture.service.record(tab.id, tab.key, incidentId, true);
    tab.type(`echo "token=${JWT.slice(0, 20)}""${JWT.slice(20)}"\r`);
    await tab.waitFor(/token=eyJ\S+\r\n/);
    tab.type("read -s -p 'Password: ' pw; echo; echo \"got ${#pw} chars\"\r");
    await tab.waitFor(/Password: $/);
    tab.type('hunter2-secret');
    tab.type('\r');
    await tab.waitFor(/got 14 chars/);
    fixture.service.resize(tab.id, tab.key, 90, 20);
    tab.type('printf "done-%s\\n" recording\r');
    await tab.waitFor(/done-recording/);
    const sealed = await fixture.service.stopRecording(tab.id, tab.key);
    expect(sealed).toMatchObject({ incidentId, name: expect.stringMatching(/^terminal-work-.*\.cast$/) });

    const { name, cast } = await fixture.service.recording(incidentId, sealed.sha256);
    expect(name).toBe(sealed.name);
    const [headerLine, ...eventLines] = cast.trimEnd().split('\n');
    const header = JSON.parse(headerLine!);
    expect(header).toMatchObject({ version: 2, width: 80, height: 24, env: { SHELL: '/bin/bash', TERM: 'xterm-256color' } });
    expect(typeof header.timestamp).toBe('number');
    const events = eventLines.map((l) => JSON.parse(l) as [number, string, string]);
    expect(events.some((e) => e[1] === 'r' && e[2] === '90x20')).toBe(true);
    expect(events.some((e) => e[1] === 'i')).toBe(true);
    expect(events.every((e, i) => i === 0 || e[0] >= events[i - 1]![0])).toBe(true);
    expect(cast).not.toContain(JWT);
    expect(cast).not.toContain('hunter2');
    expect(cast).toMatch(/\[REDACTED:[a-z0-9-]+\]/);

    const file = path.join(fixture.dir, name);
    await writeFile(file, cast);
    // asciinema cat reads /dev/tty, so it runs in a pty of its own.
    const { stdout, exitCode } = await inPty('asciinema', ['cat', file], { ...process.env, HOME: fixture.home } as Record<string, string>);
    expect(exitCode).toBe(0);
    expect(stdout).toContain('done-recording');
    expect(stdout).toContain('14 chars');
    const attachments = await fixture.evidence.service.attachments(incidentId);
    expect(attachments.map((a) => a.name)).toContain(name);
  });

  it('seals a running recording when the tab is closed, and refuses to record while the vault is locked', async () => {
    fixture = await terminalFixture();
    const incidentId = 'inc-20261201-term02';
    const tab = await fixture.openTab();
    await tab.waitFor(/ready\$ $/);
    await fixture.service.record(tab.id, tab.key, incidentId, false);
    tab.type('echo closing-now\r');
    await tab.waitFor(/\rclosing-now\r\n/);
    const { recording } = await fixture.service.close(tab.id, tab.key);
    expect(recording?.incidentId).toBe(incidentId);
    const { cast } = await fixture.service.recording(incidentId, recording!.sha256);
    expect(cast).toContain('closing-now');
    expect(cast).not.toMatch(/,\s*"i",/);

    const second = await fixture.openTab();
    await fixture.evidence.vault.lock();
    await expect(fixture.service.record(second.id, second.key, incidentId, false)).rejects.toThrow(/open the evidence store first/);
  });
});
