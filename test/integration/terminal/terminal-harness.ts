import { KubeConfig } from '@kubernetes/client-node';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryLogger } from '../../../src/main/app/logger';
import type { StreamSink } from '../../../src/main/host/dispatcher';
import { TerminalService } from '../../../src/main/terminal/terminal-service';
import type { ContextList } from '../../../src/shared/contexts';
import { Emitter, type IDisposable } from '../../../src/shared/lifetimes';
import { makeStore, type StoreFixture } from '../evidence/store-fixture';

/** A kubeconfig with every credential kind FreeLens #1671 lost: exec plugin, client cert files, proxy-url. */
export function kubeconfigText(dir: string): string {
  return `apiVersion: v1
kind: Config
current-context: work
clusters:
  - name: work-cluster
    cluster:
      server: https://127.0.0.1:6443
      certificate-authority: certs/ca.crt
      proxy-url: http://proxy.internal:3128
  - name: other-cluster
    cluster: { server: https://10.0.0.2:6443 }
users:
  - name: work-user
    user:
      client-certificate: certs/client.crt
      client-key: ${path.join(dir, 'certs', 'client.key')}
      exec:
        apiVersion: client.authentication.k8s.io/v1
        command: ./bin/get-token
        args: [--cluster, work]
        env: [{ name: AWS_PROFILE, value: oncall }]
        interactiveMode: Never
  - name: other-user
    user: { token: other-token-should-not-leak }
contexts:
  - name: work
    context: { cluster: work-cluster, user: work-user, namespace: codesign-production }
  - name: other
    context: { cluster: other-cluster, user: other-user }
`;
}

/** A sink that collects what a stream provider emits, with pause / resume under the test's control. */
export class CollectingSink implements StreamSink<Uint8Array> {
  private readonly decoder = new TextDecoder();
  text = '';
  bytes = 0;
  endedWith: string | undefined;
  failedWith: Error | undefined;
  private isPaused = false;
  private readonly pauses = new Emitter<void>();
  private readonly resumes = new Emitter<void>();
  readonly onDidPause = this.pauses.event;
  readonly onDidResume = this.resumes.event;

  get paused(): boolean {
    return this.isPaused;
  }
  get closed(): boolean {
    return this.endedWith !== undefined || this.failedWith !== undefined;
  }
  emit(event: Uint8Array): void {
    this.bytes += event.byteLength;
    this.text += this.decoder.decode(event, { stream: true });
    if (this.text.length > 4 * 1024 * 1024) this.text = this.text.slice(-1024 * 1024);
  }
  end(reason?: string): void {
    this.endedWith ??= reason ?? 'ended';
  }
  fail(error: Error): void {
    this.failedWith ??= error;
  }
  pause(): void {
    this.isPaused = true;
    this.pauses.fire();
  }
  resume(): void {
    this.isPaused = false;
    this.resumes.fire();
  }
  dispose(): void {
    this.pauses.dispose();
    this.resumes.dispose();
  }
}

export interface TerminalFixture {
  dir: string;
  home: string;
  evidence: StoreFixture;
  logger: MemoryLogger;
  service: TerminalService;
  /** Opens a tab and attaches a collecting sink to it. */
  openTab(context?: string, size?: { cols: number; rows: number }): Promise<Tab>;
  dispose(): Promise<void>;
}

export interface Tab {
  id: string;
  key: string;
  pid: number;
  sink: CollectingSink;
  attached: IDisposable;
  type(text: string): void;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export async function waitUntil<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** A stand-in for the TunnelService: what `environmentFor` answers, and a way to say it changed. */
export class FakeTunnels {
  private readonly changes = new Emitter<void>();
  readonly onDidChange = this.changes.event;
  environment: Record<string, Record<string, string>> = {};
  failing = false;
  environmentFor(context: string): Record<string, string> {
    if (this.failing) throw new Error('the tunnel service is shut down');
    return { ...this.environment[context] };
  }
  set(context: string, env: Record<string, string>): void {
    this.environment[context] = env;
    this.changes.fire();
  }
  dispose(): void {
    this.changes.dispose();
  }
}

export async function terminalFixture(options: { dataDir?: string; bashrc?: string; tunnels?: FakeTunnels } = {}): Promise<TerminalFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'terminal-it-'));
  const home = path.join(dir, 'home');
  await mkdir(path.join(dir, 'certs'), { recursive: true });
  await mkdir(home, { recursive: true });
  // A plain prompt, so tests can wait for it.
  await writeFile(path.join(home, '.bashrc'), options.bashrc ?? "PS1='ready$ '\n");
  const kubeconfigFile = path.join(dir, 'config');
  await writeFile(kubeconfigFile, kubeconfigText(dir));
  const evidence = await makeStore('terminal-evidence-');
  const logger = new MemoryLogger();
  const contextsOf = (): ContextList => ({
    contexts: [
      { name: 'work', cluster: 'work-cluster', server: '127.0.0.1:6443', namespace: 'codesign-production', source: 'kubeconfig', file: kubeconfigFile },
      { name: 'other', cluster: 'other-cluster', server: '10.0.0.2:6443', namespace: 'default', source: 'kubeconfig', file: kubeconfigFile },
    ],
    current: 'work',
    namespace: 'codesign-production',
    problems: [],
    health: {},
  });
  const service = new TerminalService({
    contexts: {
      list: async () => contextsOf(),
      kubeConfig: async (name) => {
        const config = new KubeConfig();
        config.loadFromString(kubeconfigText(dir));
        config.setCurrentContext(name);
        return config;
      },
    },
    evidence: evidence.service,
    redactor: evidence.store.redactor,
    dataDir: options.dataDir ?? path.join(dir, 'data'),
    logger,
    ...(options.tunnels ? { tunnels: options.tunnels } : {}),
    env: { PATH: process.env.PATH, HOME: home, SHELL: '/bin/bash', LANG: 'C.UTF-8', USER: process.env.USER ?? 'oncall' },
    cwd: home,
  });
  await service.start();
  const tabs: Tab[] = [];
  return {
    dir,
    home,
    evidence,
    logger,
    service,
    async openTab(context = 'work', size = { cols: 80, rows: 24 }) {
      const opened = await service.open({ context, ...size });
      const sink = new CollectingSink();
      const attached = service.attach(opened.session.id, opened.key, sink);
      const tab: Tab = {
        id: opened.session.id,
        key: opened.key,
        pid: opened.session.pid,
        sink,
        attached,
        type: (text) => service.input(opened.session.id, opened.key, text),
        waitFor: async (pattern, timeoutMs = 15_000) => {
          const found = await waitUntil(() => pattern.exec(sink.text), `${pattern} in the terminal (got ${JSON.stringify(sink.text.slice(-300))})`, timeoutMs);
          return found[0];
        },
      };
      tabs.push(tab);
      return tab;
    },
    async dispose() {
      await service.dispose();
      for (const tab of tabs) tab.sink.dispose();
      await evidence.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
