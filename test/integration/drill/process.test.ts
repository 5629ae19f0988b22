/**
 * The drill cluster in its own process, as the app runs it (`DrillContext` over
 * `child_process.fork`): it starts and announces itself, the real kubectl reaches it through the
 * kubeconfig it wrote (0600), scenarios go through its control API (token required, followed
 * live), a crash is reported with its signal and a restart brings it back, and it exits when its
 * parent is SIGKILLed.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/main/app/logger';
import { DrillContext } from '../../../src/main/contexts/drill-context';
import type { DrillStatus } from '../../../src/shared/contexts';
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';

/** Running (a zombie waiting for a reaper that a container's PID 1 may never be counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, limitMs = 60_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the drill cluster as a child process', () => {
  let dataDir: string;
  let drill: DrillContext;
  const logger = new MemoryLogger();
  const seen: DrillStatus[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'drill-process-'));
    drill = new DrillContext(dataDir, logger, { child: { postgres: 'none', redis: 'none' } });
    drill.onDidChange((status) => seen.push(status));
    drill.start();
  });

  afterAll(async () => {
    await drill?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers status at once, before it is ready, then runs in a process of its own', async () => {
    expect(drill.status()).toMatchObject({ state: 'starting', running: false });
    const running = await drill.whenReady();
    expect(running).toBeDefined();
    const status = drill.status();
    expect(status).toMatchObject({ state: 'running', running: true, url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/) });
    expect(status.pid).toBeGreaterThan(0);
    expect(status.pid).not.toBe(process.pid);
    expect(alive(status.pid as number)).toBe(true);
    expect(seen.map((s) => s.state)).toEqual(expect.arrayContaining(['starting', 'running']));
  });

  it('writes a kubeconfig (0600, under <data>/drill) that the real kubectl uses', async () => {
    expect(drill.kubeconfigPath).toBe(path.join(dataDir, 'drill', 'kubeconfig'));
    expect((await stat(drill.kubeconfigPath)).mode & 0o777).toBe(0o600);
    const kubectl = await KubectlHarness.create((await drill.kubeconfig()) as string);
    try {
      const pods = await kubectl.run(['get', 'pods', '-n', NS, '-o', 'name']);
      expect(pods.stderr).toBe('');
      expect(pods.stdout).toMatch(/pod\/codesign-api-/);
    } finally {
      await kubectl.dispose();
    }
  });

  it('switches a scenario on through the control API, and kubectl sees it', async () => {
    const before = seen.length;
    const status = await drill.setScenario('bad-deploy', true);
    expect(status.scenarios.find((s) => s.name === 'bad-deploy')).toMatchObject({ active: true, since: expect.any(Number) });
    expect(seen.length).toBeGreaterThan(before);
    const kubectl = await KubectlHarness.create((await drill.kubeconfig()) as string);
    try {
      const image = await kubectl.run(['get', 'deployment', 'codesign-api', '-n', NS, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
      expect(image.stdout).toBe('codesign-playground:v2.1.0-bad');
    } finally {
      await kubectl.dispose();
    }
    await drill.setScenario('bad-deploy', false);
    expect(drill.status().scenarios.find((s) => s.name === 'bad-deploy')?.active).toBe(false);
  });

  it('refuses control calls without its token', async () => {
    const running = (await drill.whenReady())!;
    const url = running.client.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const anonymous = await fetch(`${url}/v1/state`);
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(`${url}/v1/state`, { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('reports a crash with its signal and the app keeps going; restart brings it back', async () => {
    const pid = drill.status().pid as number;
    process.kill(pid, 'SIGKILL');
    const crashed = await until('the crash to be reported', () => (drill.status().state === 'crashed' ? drill.status() : undefined));
    expect(crashed).toMatchObject({ running: false, exit: { code: null, signal: 'SIGKILL' }, error: expect.stringContaining('killed by SIGKILL') });
    await expect(drill.setScenario('high-latency', true)).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringContaining('crashed') });

    const restarted = await drill.restart();
    expect(restarted).toMatchObject({ state: 'starting', restarts: 1 });
    await drill.whenReady();
    const status = drill.status();
    expect(status).toMatchObject({ state: 'running', running: true });
    expect(status.pid).not.toBe(pid);
    const kubectl = await KubectlHarness.create((await drill.kubeconfig()) as string);
    try {
      expect((await kubectl.run(['get', 'namespace', NS, '-o', 'name'])).stdout.trim()).toBe(`namespace/${NS}`);
    } finally {
      await kubectl.dispose();
    }
  });
});

describe('the drill process and its parent', () => {
  it('exits when its parent is SIGKILLed', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'drill-orphan-'));
    const parent = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'drill-parent.ts'), dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: parent.stdout! });
      const childPid = await new Promise<number>((resolve, reject) => {
        lines.on('line', (line) => {
          const match = /^drill-pid (\d+)$/.exec(line);
          if (match) resolve(Number(match[1]));
        });
        parent.once('exit', (code) => reject(new Error(`the parent exited early (${code})`)));
      });
      expect(alive(childPid)).toBe(true);
      process.kill(parent.pid as number, 'SIGKILL');
      await until('the drill child to exit after its parent was killed', () => !alive(childPid), 30_000);
      expect(alive(childPid)).toBe(false);
    } finally {
      if (parent.exitCode === null) parent.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
