/**
 * A container to run shell scripts in for the shell's unit tests: a codesign-api pod with a
 * fixed clock and profile, its own filesystem and tools, and an app server stub for curl.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DrillPodRef, LogProfile } from '../types';
import type { CommandContext } from '../streams/simulated-commands';
import { CollectingSink, FixedSource } from './byte-streams';
import { containerShellHost, processEnvironment } from './container-tools';
import { ShellInterpreter, type ShellHost } from './shell-interpreter';

export const TEST_PROFILE: LogProfile = {
  linesPerSecond: 20,
  errorRatio: 0.01,
  latencyMs: { p50: 80, p95: 300 },
  authFailureRatio: 0.01,
  memoryMiB: 900,
  memoryLimitMiB: 2048,
  dbPool: { inUse: 4, size: 10, exhausted: false },
  crashLooping: false,
};

export const TEST_NOW = Date.parse('2026-11-28T00:05:05Z');

export function testContext(options: { app?: string; connect?: CommandContext['connect']; profile?: LogProfile } = {}): CommandContext {
  const app = options.app ?? 'codesign-api';
  const profile = options.profile ?? TEST_PROFILE;
  const pod: DrillPodRef = {
    namespace: 'codesign-production',
    name: `${app}-abc`,
    app,
    podIp: '10.244.1.7',
    containers: [
      {
        name: app,
        image: `${app}:1`,
        env: { LOG_LEVEL: 'INFO', DB_POOL_SIZE: '10' },
        ports: [8000],
        mounts: [{ path: '/app/config', readOnly: true, files: { 'gunicorn.conf.py': 'bind = "0.0.0.0:8000"\nworkers = 3\n' } }],
      },
    ],
    phase: 'Running',
    restartCount: 0,
    startedAt: TEST_NOW - 3_600_000,
    logProfile: () => profile,
  };
  return {
    pod,
    container: pod.containers[0]!,
    clock: { now: () => TEST_NOW, speed: 1000, after: () => () => undefined, every: () => () => undefined },
    profile,
    tty: false,
    postgres: async () => undefined,
    redis: async () => undefined,
    ...(options.connect ? { connect: options.connect } : {}),
  };
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
  bytes: Buffer;
}

/** A shell in one test container; `run` keeps state (files, variables, cwd) between scripts. */
export class TestShell {
  readonly host: ShellHost;
  readonly shell: ShellInterpreter;

  constructor(readonly ctx: CommandContext = testContext(), shellName = 'sh') {
    this.host = containerShellHost(ctx);
    this.shell = new ShellInterpreter(this.host, processEnvironment(ctx), shellName);
  }

  async run(script: string, options: { stdin?: Buffer | string; signal?: AbortSignal } = {}): Promise<ScriptResult> {
    const stdout = new CollectingSink();
    const stderr = new CollectingSink();
    const stdin = new FixedSource(Buffer.from(options.stdin ?? ''));
    const code = await this.shell.run(script, { stdin, stdout, stderr }, options.signal);
    const bytes = stdout.bytes();
    return { code, stdout: bytes.toString('utf8'), stderr: stderr.bytes().toString('utf8'), bytes };
  }
}

/** An HTTP server that answers like the app's /health, for curl tests. */
export async function startStubApp(): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const body = req.url === '/health' ? '{"status":"ok"}\n' : '{"detail":"Not found."}\n';
    res.writeHead(req.url === '/health' ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
