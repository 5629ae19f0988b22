import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface RunningWebHost {
  url: string;
  origin: string;
  dataDir: string;
  output(): string;
  /** False once the host process has exited. */
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * Starts the built web host (`out/main/web.js`, as `npm run start:web` does) on a free port and
 * waits for the URL it prints. Needs `npm run build` first.
 */
export async function startWebHost(options: { dataDir?: string; env?: NodeJS.ProcessEnv; /** 'previous': as `npm start` does, reuse the last port when free. */ port?: 'previous' } = {}): Promise<RunningWebHost> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'cockpit-e2e-')));
  const portArgs = options.port === 'previous' ? [] : ['--port', '0'];
  const child: ChildProcess = spawn(process.execPath, ['out/main/web.js', '--data-dir', dataDir, ...portArgs], {
    cwd: path.resolve(import.meta.dirname, '..', '..', '..'),
    // Tests that want the drill's own Prometheus say COCKPIT_DRILL_MONITORING=on.
    env: { ...process.env, COCKPIT_DRILL_MONITORING: 'off', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`web host exited with ${code}:\n${output}`)));
    setTimeout(() => reject(new Error(`web host printed no URL within 30 s:\n${output}`)), 30_000).unref();
  });
  return {
    url,
    origin: new URL(url).origin,
    dataDir,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
