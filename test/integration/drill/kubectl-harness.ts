/**
 * Runs the real kubectl against a started drill cluster: a temp KUBECONFIG (mode 0600), a temp
 * HOME and discovery cache so runs never share state, and `--request-timeout` on every call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../../packages/drill-cluster/src/backends/free-port';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** What the harness needs of a cluster: `DrillCluster` fits. */
export interface KubectlTarget {
  kubeconfig(contextName?: string): string;
}

export interface KubectlRunOptions {
  /** Written to kubectl's stdin, then closed. */
  input?: string;
  /** Kills kubectl after this many ms (default 60,000); the result then has code -1. */
  timeoutMs?: number;
  /** `--request-timeout` (default `30s`); `false` leaves it out (for `logs -f`, `port-forward`). */
  requestTimeout?: string | false;
  env?: Record<string, string>;
}

/** The kubectl binary: `$KUBECTL`, else `/usr/bin/kubectl`, else `kubectl` on PATH. */
export const KUBECTL_BINARY = process.env.KUBECTL ?? (existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl' : 'kubectl');

export class KubectlHarness {
  private constructor(
    readonly dir: string,
    readonly kubeconfigPath: string,
  ) {}

  /** Writes the target's kubeconfig to a fresh temp dir. Call `dispose()` when done. */
  static async create(target: KubectlTarget | string): Promise<KubectlHarness> {
    const dir = await mkdtemp(path.join(tmpdir(), 'drill-kubectl-'));
    const kubeconfigPath = path.join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, typeof target === 'string' ? target : target.kubeconfig(), { mode: 0o600 });
    await chmod(kubeconfigPath, 0o600);
    return new KubectlHarness(dir, kubeconfigPath);
  }

  /** The environment kubectl runs with: only PATH plus the temp KUBECONFIG, HOME and cache. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.dir,
      KUBECONFIG: this.kubeconfigPath,
      KUBECACHEDIR: path.join(this.dir, 'cache'),
      ...extra,
    };
  }

  /** Runs kubectl to completion and answers its exit code and output. */
  run(args: string[], options: KubectlRunOptions = {}): Promise<KubectlResult> {
    const child = this.spawn(args, options);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({
          code: code ?? -1,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
        });
      });
    });
  }

  /** Starts kubectl and hands back the process, for long-running commands (`logs -f`, `port-forward`). */
  spawn(args: string[], options: KubectlRunOptions = {}): ChildProcess {
    const requestTimeout = options.requestTimeout ?? '30s';
    const fullArgs = requestTimeout === false ? args : [`--request-timeout=${requestTimeout}`, ...args];
    return spawn(KUBECTL_BINARY, fullArgs, { env: this.env(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /**
   * `kubectl port-forward -n NAMESPACE TARGET LOCAL:REMOTE` on a free local port: waits until kubectl
   * says it is forwarding, hands `use` the local base URL, and stops the forward after.
   */
  async forward<T>(namespace: string, target: string, remotePort: number, use: (base: string) => Promise<T>): Promise<T> {
    const localPort = await freePort();
    const child = this.spawn(['port-forward', '-n', namespace, target, `${localPort}:${remotePort}`], { requestTimeout: false });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      const deadline = Date.now() + 20_000;
      while (!out.includes('Forwarding from')) {
        if (Date.now() > deadline) throw new Error(`port-forward did not listen: ${out}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return await use(`http://127.0.0.1:${localPort}`);
    } finally {
      child.kill('SIGTERM');
    }
  }

  /** Runs kubectl and parses its stdout as JSON (for `-o json`); throws with stderr on failure. */
  async json<T = unknown>(args: string[], options: KubectlRunOptions = {}): Promise<T> {
    const result = await this.run([...args, '-o', 'json'], options);
    if (result.code !== 0) {
      throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    }
    return JSON.parse(result.stdout) as T;
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
