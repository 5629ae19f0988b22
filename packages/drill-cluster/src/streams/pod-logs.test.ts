import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DrillClock, DrillPodRef, LogProfile } from '../types';
import { rfc3339Nano } from './log-lines';
import { ContainerLog, DEFAULT_BACKLOG_LINES, parseLogQuery, serveLog, type PodLogServerOptions } from './pod-logs';

const NOW = Date.parse('2026-11-27T10:00:00.000Z');

function profile(overrides: Partial<LogProfile> = {}): LogProfile {
  return {
    linesPerSecond: 20,
    errorRatio: 0.01,
    latencyMs: { p50: 150, p95: 400 },
    authFailureRatio: 0.005,
    memoryMiB: 900,
    memoryLimitMiB: 2048,
    dbPool: { inUse: 8, size: 20, exhausted: false },
    crashLooping: false,
    ...overrides,
  };
}

function pod(overrides: Partial<DrillPodRef> = {}, logProfile = profile()): DrillPodRef {
  return {
    namespace: 'codesign-production',
    name: 'codesign-api-7d9f8c6b5-abcde',
    app: 'codesign-api',
    containers: [{ name: 'codesign-api', image: 'codesign-playground:v2.0.3', env: {}, ports: [8000] }],
    phase: 'Running',
    restartCount: 0,
    startedAt: NOW - 3600_000,
    logProfile: () => logProfile,
    ...overrides,
  };
}

function fixedClock(now = NOW): DrillClock {
  return { now: () => now, speed: 1, after: () => () => undefined, every: () => () => undefined };
}

function historyText(ref: DrillPodRef, tail?: number, since?: number): string[] {
  const log = new ContainerLog(ref, ref.containers[0]!.name, ref.logProfile());
  return log.history(NOW, tail, since).lines.map((l) => l.text);
}

describe('log generator', () => {
  it('writes request lines with status, duration, user and request id', () => {
    const lines = historyText(pod(), 200);
    expect(lines).toHaveLength(200);
    const request = lines.find((l) => l.includes('[gunicorn] GET'));
    expect(request).toMatch(/^2026-11-27T09:59:\d\d\.\d{3}Z INFO {2}\[gunicorn\] GET \/api\/v1\/\S+ status=200 duration=\d+ms user=u-\d{4} request_id=[0-9a-f]{16}$/);
  });

  it('is deterministic for the same pod, seed and time', () => {
    expect(historyText(pod(), 300)).toEqual(historyText(pod(), 300));
    const other = new ContainerLog(pod(), 'codesign-api', profile(), 42).history(NOW, 300, undefined).lines.map((l) => l.text);
    expect(other).not.toEqual(historyText(pod(), 300));
  });

  it('follows the profile: 5xx by errorRatio, 401s by authFailureRatio', () => {
    const quiet = historyText(pod(), 2000);
    const spike = historyText(pod({}, profile({ errorRatio: 0.3, authFailureRatio: 0.1 })), 2000);
    const share = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l)).length / lines.filter((l) => l.includes('status=')).length;
    expect(share(quiet, /status=5\d\d/)).toBeLessThan(0.05);
    expect(share(spike, /status=5\d\d/)).toBeGreaterThan(0.2);
    expect(share(spike, /status=5\d\d/)).toBeLessThan(0.4);
    expect(spike.some((l) => /^\S+ (ERROR|CRITICAL) /.test(l))).toBe(true);
    expect(spike.some((l) => l.startsWith('Traceback (most recent call last):'))).toBe(true);
    expect(share(spike, /status=401/)).toBeGreaterThan(0.05);
    expect(spike.some((l) => /authentication failed for user u-\d+/.test(l))).toBe(true);
    expect(spike.some((l) => /unauthorized/.test(l))).toBe(true);
  });

  it('puts latency into duration=...ms from the p50/p95 distribution', () => {
    const durations = (lines: string[]) => lines.flatMap((l) => /duration=(\d+)ms/.exec(l)?.[1] ?? []).map(Number).sort((a, b) => a - b);
    const slow = durations(historyText(pod({}, profile({ latencyMs: { p50: 1800, p95: 4500 } })), 3000));
    const p50 = slow[Math.floor(slow.length / 2)]!;
    expect(p50).toBeGreaterThan(1500);
    expect(p50).toBeLessThan(2200);
    expect(slow.filter((d) => d >= 2000).length).toBeGreaterThan(slow.length * 0.3);
  });

  it('reports the connection pool, and its exhaustion', () => {
    const normal = historyText(pod(), 3000);
    expect(normal.some((l) => /connection pool: \d+\/20 in use/.test(l))).toBe(true);
    const exhausted = historyText(pod({}, profile({ dbPool: { inUse: 20, size: 20, exhausted: true }, errorRatio: 0.2 })), 3000);
    expect(exhausted.some((l) => l.includes('FATAL: sorry, too many clients already'))).toBe(true);
    expect(exhausted.some((l) => /QueuePool limit of size 20 overflow 0 reached, connection timed out/.test(l))).toBe(true);
  });

  it('reports memory usage as it grows', () => {
    const lines = historyText(pod({}, profile({ memoryMiB: 1834 })), 3000);
    expect(lines.some((l) => /memory usage 18\d\d MB/.test(l))).toBe(true);
    const near = historyText(pod({}, profile({ memoryMiB: 2000 })), 3000);
    expect(near.some((l) => /CRITICAL \[monitoring\] memory usage \d+ MB exceeds 95% of limit 2048 MB/.test(l))).toBe(true);
  });

  it('shows a crash-looping container booting, failing with a traceback, and nothing after', () => {
    const lines = historyText(pod({}, profile({ crashLooping: true })));
    expect(lines[0]).toContain('Starting gunicorn');
    expect(lines).toContain('Traceback (most recent call last):');
    expect(lines.at(-1)).toContain('Reason: Worker failed to boot.');
  });

  it('writes each app in its own format', () => {
    const celery = historyText(pod({ app: 'celery-worker' }), 50);
    expect(celery.some((l) => /^\[2026-11-27 09:59:\d\d,\d{3}: INFO\/ForkPoolWorker-\d\] Task codesign\.tasks\.\w+\[[0-9a-f-]{36}\] succeeded in/.test(l))).toBe(true);
    const postgres = historyText(pod({ app: 'postgres' }), 50);
    expect(postgres.every((l) => /^2026-11-27 \d\d:\d\d:\d\d\.\d{3} UTC \[\d+\] (LOG|FATAL): {2}/.test(l))).toBe(true);
    const redis = historyText(pod({ app: 'redis' }), 50);
    expect(redis.every((l) => /^\d+:[MC] 27 Nov 2026 \d\d:\d\d:\d\d\.\d{3} [*#] /.test(l))).toBe(true);
    const coredns = historyText(pod({ app: 'coredns', namespace: 'kube-system', name: 'coredns-abc' }), 20);
    expect(coredns.every((l) => /^I1127 \d\d:\d\d:\d\d\.\d{6} {7}1 \w+\.go:\d+\] /.test(l))).toBe(true);
  });

  it('writes a finished backup job ending with "backup completed ... uploaded"', () => {
    const job = pod({ app: 'backup', name: 'backup-job-20261127-x1', startedAt: NOW - 600_000, phase: 'Succeeded' });
    const lines = historyText(job);
    expect(lines[0]).toContain('starting daily backup of codesign_db');
    expect(lines.at(-1)).toMatch(/backup completed: codesign_db_20261127\.sql\.gz uploaded to s3:\/\//);
  });
});

describe('log query', () => {
  it('caps the backlog and honours tailLines and sinceSeconds', () => {
    const fast = pod({}, profile({ linesPerSecond: 1000 }));
    expect(historyText(fast)).toHaveLength(DEFAULT_BACKLOG_LINES);
    expect(historyText(fast, 10)).toHaveLength(10);
    expect(historyText(fast, 0)).toHaveLength(0);
    const since = NOW - 2000;
    const recent = new ContainerLog(fast, 'codesign-api', fast.logProfile()).history(NOW, undefined, since).lines;
    expect(recent.length).toBeGreaterThan(1500);
    expect(recent.every((l) => l.timeMs >= since)).toBe(true);
  });

  it('starts with the start-up lines when the whole life fits', () => {
    const young = pod({ startedAt: NOW - 2000 });
    const lines = historyText(young);
    expect(lines[0]).toContain('Starting gunicorn');
    expect(lines.length).toBe(6 + 40);
  });

  it('refuses previous without a restart, and an unknown or missing container', () => {
    const single = pod();
    expect(parseLogQuery(single, new URLSearchParams('previous=true'), NOW)).toBe(
      'previous terminated container "codesign-api" in pod "codesign-api-7d9f8c6b5-abcde" not found',
    );
    expect(parseLogQuery(single, new URLSearchParams('container=nginx'), NOW)).toBe('container nginx is not valid for pod codesign-api-7d9f8c6b5-abcde');
    const two = pod({ containers: [...single.containers, { name: 'metrics-sidecar', image: 'x', env: {}, ports: [] }] });
    expect(parseLogQuery(two, new URLSearchParams(''), NOW)).toBe(
      'a container name must be specified for pod codesign-api-7d9f8c6b5-abcde, choose one of: [codesign-api metrics-sidecar]',
    );
    expect(parseLogQuery(pod({ phase: 'Pending' }), new URLSearchParams(''), NOW)).toBe(
      'container "codesign-api" in pod "codesign-api-7d9f8c6b5-abcde" is waiting to start: ContainerCreating',
    );
    expect(parseLogQuery(two, new URLSearchParams('container=metrics-sidecar&tailLines=5&timestamps=true'), NOW)).toMatchObject({
      container: 'metrics-sidecar',
      tailLines: 5,
      timestamps: true,
    });
  });

  it('gives the previous instance ending with the OOM kill, or the traceback', () => {
    const oom = pod({ restartCount: 1, lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: NOW - 60_000 } });
    const lines = ContainerLog.previous(oom, 'codesign-api', oom.logProfile(), 0, undefined).map((l) => l.text);
    expect(lines.at(-1)).toContain('was sent SIGKILL! Perhaps out of memory?');
    const crashed = pod({ restartCount: 4, lastTermination: { reason: 'Error', exitCode: 3, finishedAt: NOW - 10_000 } }, profile({ crashLooping: true }));
    const crash = ContainerLog.previous(crashed, 'codesign-api', crashed.logProfile(), 0, undefined).map((l) => l.text);
    expect(crash).toContain('Traceback (most recent call last):');
    expect(crash.at(-1)).toContain('Worker failed to boot');
  });

  it('formats timestamps as RFC3339Nano', () => {
    expect(rfc3339Nano(Date.parse('2026-11-27T10:00:00.123Z'), 456789)).toBe('2026-11-27T10:00:00.123456789Z');
    expect(rfc3339Nano(Date.parse('2026-11-27T10:00:00.000Z'))).toBe('2026-11-27T10:00:00Z');
    expect(rfc3339Nano(Date.parse('2026-11-27T10:00:00.120Z'))).toBe('2026-11-27T10:00:00.12Z');
  });
});

describe('serveLog over HTTP', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function start(ref: DrillPodRef, options: Partial<PodLogServerOptions> = {}): Promise<string> {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      serveLog({ clock: fixedClock(), ...options }, req, res, ref, url.searchParams);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  function get(url: string, maxBytes = Infinity): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length >= maxBytes) {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, body });
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers 400 with a Status for a bad request', async () => {
    const base = await start(pod());
    const { status, body } = await get(`${base}/?previous=true`);
    expect(status).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
  });

  it('prefixes timestamps and stops at limitBytes', async () => {
    const base = await start(pod());
    const stamped = await get(`${base}/?tailLines=3&timestamps=true`);
    const lines = stamped.body.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^2026-11-27T09:59:59\.\d{1,9}Z 2026-11-27T09:59:59\.\d{3}Z /);
    const limited = await get(`${base}/?limitBytes=100`);
    expect(Buffer.byteLength(limited.body)).toBe(100);
  });

  it('follows with new lines at the profile rate and ends when the pod restarts', async () => {
    let current: DrillPodRef | undefined = pod({}, profile({ linesPerSecond: 5000 }));
    const base = await start(current, { podLookup: () => current, podCheckIntervalMs: 20 });
    const followed = await get(`${base}/?follow=true&tailLines=0`, 20_000);
    expect(followed.body.split('\n').length).toBeGreaterThan(50);
    const ended = get(`${base}/?follow=true&tailLines=0`);
    setTimeout(() => {
      current = { ...current!, restartCount: 1 };
    }, 50);
    const result = await ended;
    expect(result.status).toBe(200);
    expect(result.body.length).toBeGreaterThan(0);
  });
});
