import { describe, expect, it } from 'vitest';
import type { DrillPodRef, LogProfile } from '../types';
import { ExecSession } from './exec-session';
import type { CommandContext } from './simulated-commands';

const profile: LogProfile = {
  linesPerSecond: 20,
  errorRatio: 0.2,
  latencyMs: { p50: 150, p95: 400 },
  authFailureRatio: 0,
  memoryMiB: 1834,
  memoryLimitMiB: 2048,
  dbPool: { inUse: 8, size: 20, exhausted: false },
  crashLooping: false,
};

function context(app: string, name: string): CommandContext {
  const pod: DrillPodRef = {
    namespace: 'codesign-production',
    name,
    app,
    containers: [{ name: app, image: `${app}:1`, env: { LOG_LEVEL: 'info', DB_POOL_SIZE: '20' }, ports: [] }],
    phase: 'Running',
    restartCount: 0,
    startedAt: Date.parse('2026-11-27T09:00:00Z'),
    logProfile: () => profile,
  };
  return {
    pod,
    container: pod.containers[0]!,
    clock: { now: () => Date.parse('2026-11-28T00:05:05Z'), speed: 1, after: () => () => undefined, every: () => () => undefined },
    profile,
    tty: false,
    postgres: async () => undefined,
    redis: async () => undefined,
  };
}

async function run(argv: string[], options: { app?: string; tty?: boolean; stdin?: string } = {}) {
  const out = { stdout: '', stderr: '' };
  const ctx = { ...context(options.app ?? 'codesign-api', 'codesign-api-abc'), tty: options.tty ?? false };
  const session = new ExecSession(argv, ctx, {
    tty: options.tty ?? false,
    stdin: options.stdin !== undefined,
    write: (stream, text) => {
      out[stream] += text;
    },
  });
  const done = session.run();
  if (options.stdin !== undefined) {
    session.stdinBuffer.push(options.stdin);
    session.stdinBuffer.end();
  }
  const code = await done;
  return { code, ...out };
}

describe('simulated commands', () => {
  it('answers an unknown executable as the runtime does, exit 127', async () => {
    const result = await run(['kubectl-debug']);
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('exec: "kubectl-debug": executable file not found in $PATH');
  });

  it('prints the container environment', async () => {
    const result = await run(['printenv']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('HOSTNAME=codesign-api-abc\n');
    expect(result.stdout).toContain('DB_POOL_SIZE=20\n');
    expect((await run(['printenv', 'LOG_LEVEL'])).stdout).toBe('info\n');
    expect((await run(['printenv', 'NOPE'])).code).toBe(1);
  });

  it('answers the runbook python snippets from the profile', async () => {
    const memory = await run(['python', '-c', "import gc\nimport psutil\nprocess = psutil.Process()\nprint(f'Memory usage: {process.memory_info().rss / 1024 / 1024:.2f} MB')\nprint(f'Objects in memory: {len(gc.get_objects())}')"]);
    expect(memory.stdout).toMatch(/^Memory usage: 1834\.\d\d MB\nObjects in memory: \d+\n$/);
    const health = await run(['python', '-c', 'from backend.codesign_playground.utils.monitoring import get_health_status\nprint(get_health_status())']);
    expect(health.stdout).toContain("'status': 'degraded'");
    expect(health.stdout).toContain("'design-renderer': 'open'");
    const erasure = await run(['python', '-c', "response = manager.handle_data_subject_request(user_id='u-1', request_type='erasure')\nprint(f'Deleted {response[\"deleted_records\"]} records')"]);
    expect(erasure.stdout).toMatch(/^Deleted \d+ records\n$/);
    const report = await run(['python', '-c', 'report = manager.generate_compliance_report(start_time, end_time)\nimport json\nprint(json.dumps(report, indent=2))']);
    expect(JSON.parse(report.stdout)).toHaveProperty('total_audit_events');
    expect((await run(['python', '-c', 'import os; os.system("rm -rf /")'])).code).toBe(1);
    expect((await run(['python', '-c', 'print(1)'], { app: 'postgres' })).code).toBe(127);
  });

  it('reports pg_isready "no response" (exit 2) when no PostgreSQL is reachable', async () => {
    const result = await run(['pg_isready', '-U', 'codesign'], { app: 'postgres' });
    expect(result).toMatchObject({ code: 2, stdout: '/var/run/postgresql:5432 - no response\n' });
  });

  it('runs sh -c scripts with exit codes', async () => {
    expect(await run(['sh', '-c', 'echo one; exit 3'])).toMatchObject({ code: 3, stdout: 'one\n' });
    const missing = await run(['sh', '-c', 'nosuch']);
    expect(missing).toMatchObject({ code: 127, stderr: 'sh: 1: nosuch: not found\n' });
  });

  it('gives an interactive shell on a TTY: banner, prompt, echo, CRLF, exit', async () => {
    const result = await run(['bash'], { tty: true, stdin: 'hostname\rech\x7fho $HOSTNAME\rexit 4\r' });
    expect(result.code).toBe(4);
    expect(result.stdout).toContain('This is a simulated shell');
    expect(result.stdout).toContain('root@codesign-api-abc:/# hostname\r\ncodesign-api-abc\r\n');
    expect(result.stdout).toContain('ech\b \bho $HOSTNAME\r\ncodesign-api-abc\r\n');
    expect(result.stderr).toBe('');
  });

  it('reads commands from piped stdin without a TTY', async () => {
    const result = await run(['sh'], { stdin: 'echo a\ndate\nfalse\n' });
    expect(result).toMatchObject({ code: 1, stdout: 'a\nSat Nov 28 00:05:05 UTC 2026\n' });
  });

  it('interrupts a command with Ctrl-C on a TTY and continues an open quote on the next line', async () => {
    const out = { stdout: '', stderr: '' };
    const session = new ExecSession(['sh'], { ...context('codesign-api', 'codesign-api-abc'), tty: true }, {
      tty: true,
      stdin: true,
      write: (stream, text) => {
        out[stream] += typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
      },
    });
    const done = session.run();
    session.stdinBuffer.push('tail -f /var/log/app/app.log\r');
    await new Promise((resolve) => setTimeout(resolve, 300));
    session.stdinBuffer.push('\x03');
    await new Promise((resolve) => setTimeout(resolve, 50));
    session.stdinBuffer.push('echo "a\rb"\rexit $?\r');
    expect(await done).toBe(0);
    expect(out.stdout).toContain('^C\r\n');
    expect(out.stdout).toContain('> b"\r\na\r\nb\r\n');
  });
});
