import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { watch as watchPath, type FSWatcher } from 'node:fs';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ALL_NAMESPACES, type ContextAuth, type ContextHealth, type ContextInfo, type ContextList, type KubeconfigProblem } from '../../shared/contexts';
import { Disposable, DisposableStore, Emitter, toDisposable, type Event } from '../../shared/lifetimes';
import { CockpitFailure } from '../../shared/result';
import type { Logger } from '../app/logger';
import { KubeClient, KubeRequestFailure, type KubeClientOptions } from '../cluster/kube-client';

export const DRILL_CONTEXT = 'drill';
/** The drill's namespace, the runbook's `codesign-production`. */
const DRILL_SOURCE = 'drill cluster';

/** The kubeconfig files kubectl would read: every entry of KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPaths(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string[] {
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  return fromEnv.length ? fromEnv : [path.join(home, '.kube', 'config')];
}

interface LoadedContext {
  info: ContextInfo;
  /** A config holding only this context, its cluster and its user; stays in main (credentials). */
  config: KubeConfig;
  /** The context's cluster and user as loaded, to tell whether a reload changed them. */
  fingerprint: string;
}

/** What `onDidChangeContext` carries: the context now current and why it changed. */
export interface ContextChange {
  previous: string | undefined;
  current: string | undefined;
  namespace: string;
  reason: 'selected' | 'namespace' | 'reloaded' | 'removed';
}

interface ParsedFile {
  file: string;
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string | undefined;
  /** Users whose token comes from a `token-file`. */
  tokenFileUsers: Set<string>;
}

export interface ContextServiceDeps {
  paths: string[];
  logger: Logger;
  /** The drill cluster's kubeconfig, once it runs. */
  drillKubeconfig: () => Promise<string | undefined>;
  /** Watch the kubeconfig files and reload on change (default true). */
  watchFiles?: boolean;
  /** Debounce of file change events (default 150 ms). */
  reloadDelayMs?: number;
  /** Background health check of the current context (default 30 s; 0 turns it off). */
  healthIntervalMs?: number;
  client?: KubeClientOptions;
}

/**
 * Kubeconfig contexts merged by kubectl's rules (first file wins for a cluster, user or context
 * name; `current-context` from the first file that sets one), plus the drill cluster. Reads the
 * files once and again when they change on disk, holding one KubeConfig per context. The current
 * context owns a scope (`scope`): everything started for it (informers, polls) is registered
 * there and disposed when the context changes, so nothing of the old context keeps running.
 * Credentials never leave main: `list()` carries names, addresses and the kind of auth only.
 */
export class ContextService extends Disposable {
  private loaded = new Map<string, LoadedContext>();
  private problems: KubeconfigProblem[] = [];
  private currentName: string | undefined;
  private namespaceChoice = new Map<string, string>();
  private health = new Map<string, ContextHealth>();
  private currentScope = new DisposableStore();
  private loading: Promise<void> | undefined;
  private readonly watchers = new Map<string, FSWatcher>();
  private reloadTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private readonly didChangeContext = this.register(new Emitter<ContextChange>());
  private readonly didChangeList = this.register(new Emitter<ContextList>());

  /** The current context (or its namespace, or its credentials on disk) changed; its old scope is gone. */
  readonly onDidChangeContext: Event<ContextChange> = this.didChangeContext.event;
  /** Anything in the list changed: files edited, health checked, a selection. */
  readonly onDidChangeList: Event<ContextList> = this.didChangeList.event;

  constructor(private readonly deps: ContextServiceDeps) {
    super();
    this.register(toDisposable(() => this.currentScope.dispose()));
    this.register(
      toDisposable(() => {
        for (const watcher of this.watchers.values()) watcher.close();
        this.watchers.clear();
        clearTimeout(this.reloadTimer);
        clearInterval(this.healthTimer);
      }),
    );
    const interval = deps.healthIntervalMs ?? 30_000;
    if (interval > 0) {
      this.healthTimer = setInterval(() => {
        if (this.currentName) void this.checkHealth(this.currentName).catch(() => undefined);
      }, interval);
      this.healthTimer.unref();
    }
  }

  /** The current context's name (after the first load). */
  get current(): string | undefined {
    return this.currentName;
  }

  /** The namespace chosen for the current context; `""` is all namespaces. */
  get namespace(): string {
    return this.namespaceFor(this.currentName);
  }

  /** Where services register what they start for the current context; disposed when it changes. */
  get scope(): DisposableStore {
    return this.currentScope;
  }

  async list(): Promise<ContextList> {
    await this.ensureLoaded();
    return this.snapshot();
  }

  async select(name: string): Promise<ContextList> {
    await this.ensureLoaded();
    if (!this.loaded.has(name)) throw new CockpitFailure('NotFound', `no context "${name}" in ${this.deps.paths.join(', ')} or the drill cluster`, undefined, { context: name });
    if (name !== this.currentName) {
      this.switchTo(name, 'selected');
      this.deps.logger.info('context.selected', { name });
      void this.checkHealth(name).catch(() => undefined);
    }
    return this.snapshot();
  }

  /** Chooses the namespace for the current context (`""` for all); views follow through `onDidChangeContext`. */
  async selectNamespace(namespace: string): Promise<ContextList> {
    await this.ensureLoaded();
    const name = this.currentName;
    if (!name) throw new CockpitFailure('NotFound', 'no context is selected');
    if (this.namespaceFor(name) !== namespace) {
      this.namespaceChoice.set(name, namespace);
      this.deps.logger.info('context.namespace', { context: name, namespace: namespace || '(all)' });
      this.didChangeContext.fire({ previous: name, current: name, namespace, reason: 'namespace' });
      this.fireList();
    }
    return this.snapshot();
  }

  /** The context's config, for services in main (cluster, logs, terminal); the current one by default. */
  async kubeConfig(name = this.currentName): Promise<KubeConfig> {
    await this.ensureLoaded();
    const loaded = name ? this.loaded.get(name) : undefined;
    if (!loaded) throw new CockpitFailure('NotFound', `no context "${name ?? '(none selected)'}"`, undefined, name ? { context: name } : {});
    return loaded.config;
  }

  /** A client for the context's API server (the current one by default). */
  async client(name = this.currentName): Promise<KubeClient> {
    const config = await this.kubeConfig(name);
    return new KubeClient(name!, config, this.deps.client);
  }

  /** Asks the server for its version with the context's credentials, and names what went wrong. */
  async checkHealth(name: string): Promise<ContextHealth> {
    const client = await this.client(name);
    let health: ContextHealth;
    try {
      const version = await client.getJson<{ gitVersion?: string }>('/version');
      health = { state: 'reachable', version: version.gitVersion ?? 'unknown', message: `reachable, Kubernetes ${version.gitVersion ?? '(version not given)'}` };
    } catch (error) {
      health =
        error instanceof KubeRequestFailure
          ? { state: error.health === 'reachable' ? 'unreachable' : error.health, message: error.message }
          : { state: 'unreachable', message: error instanceof Error ? error.message : String(error) };
    } finally {
      client.dispose();
    }
    health.checkedAt = new Date().toISOString();
    const before = this.health.get(name);
    this.health.set(name, health);
    if (before?.state !== health.state || before.message !== health.message) {
      if (health.state !== 'reachable') this.deps.logger.warn('context.unhealthy', { context: name, state: health.state, message: health.message });
      this.fireList();
    }
    return health;
  }

  /** The namespaces the current context's cluster has (for the top bar). */
  async namespaces(): Promise<string[]> {
    const client = await this.client();
    const list = await client.getJson<{ items?: Array<{ metadata?: { name?: string } }> }>('/api/v1/namespaces', { resource: 'namespaces' }).finally(() => client.dispose());
    return (list.items ?? []).map((n) => n.metadata?.name ?? '').filter(Boolean).sort();
  }

  /** Reads every file again now (also done by the file watchers). */
  async reload(): Promise<void> {
    await this.ensureLoaded();
    await this.load();
  }

  private namespaceFor(name: string | undefined): string {
    if (!name) return ALL_NAMESPACES;
    return this.namespaceChoice.get(name) ?? this.loaded.get(name)?.info.namespace ?? 'default';
  }

  private snapshot(): ContextList {
    return {
      contexts: [...this.loaded.values()].map((l) => l.info),
      current: this.currentName,
      namespace: this.namespace,
      problems: this.problems,
      health: Object.fromEntries(this.health),
    };
  }

  private fireList(): void {
    this.didChangeList.fire(this.snapshot());
  }

  private switchTo(name: string | undefined, reason: ContextChange['reason']): void {
    const previous = this.currentName;
    this.currentScope.dispose();
    this.currentScope = new DisposableStore();
    this.currentName = name;
    this.didChangeContext.fire({ previous, current: name, namespace: this.namespace, reason });
    this.fireList();
  }

  private ensureLoaded(): Promise<void> {
    this.loading ??= this.load().then(() => {
      if (this.deps.watchFiles !== false) this.watchFiles();
    });
    return this.loading;
  }

  private watchFiles(): void {
    const dirs = new Map<string, Set<string>>();
    for (const file of this.deps.paths) {
      const dir = path.dirname(path.resolve(file));
      if (!dirs.has(dir)) dirs.set(dir, new Set());
      dirs.get(dir)!.add(path.basename(file));
    }
    for (const [dir, names] of dirs) {
      if (this.watchers.has(dir) || this.store.isDisposed) continue;
      try {
        // The directory, not the file: editors replace files (rename), and a missing file may appear later.
        const watcher = watchPath(dir, { persistent: false }, (_type, filename) => {
          if (!filename || names.has(String(filename))) this.scheduleReload();
        });
        watcher.on('error', (error) => this.deps.logger.warn('kubeconfig.watch-failed', { dir, message: error.message }));
        this.watchers.set(dir, watcher);
      } catch (error) {
        this.deps.logger.warn('kubeconfig.watch-failed', { dir, message: (error as Error).message });
      }
    }
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      void this.load().catch((error: unknown) => this.deps.logger.error('kubeconfig.reload-failed', { message: String(error) }));
    }, this.deps.reloadDelayMs ?? 150);
  }

  private async load(): Promise<void> {
    const problems: KubeconfigProblem[] = [];
    const parsed: ParsedFile[] = [];
    for (const file of this.deps.paths) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') problems.push({ file, message: `cannot read: ${code ?? String(error)}` });
        continue;
      }
      try {
        parsed.push(parseFile(text, file, problems));
      } catch (error) {
        problems.push({ file, message: `not a usable kubeconfig: ${firstLine(error)}` });
      }
    }
    const loaded = mergeKubeconfigs(parsed, problems);
    if (this.store.isDisposed) return;
    const drill = await this.deps.drillKubeconfig();
    if (drill) {
      try {
        const [c] = mergeKubeconfigs([parseFile(drill, DRILL_SOURCE, problems)], problems).values();
        if (c) {
          const { file: _file, isDefault: _default, ...info } = c.info;
          c.config.contexts = c.config.contexts.map((ctx) => ({ ...ctx, name: DRILL_CONTEXT }));
          c.config.setCurrentContext(DRILL_CONTEXT);
          loaded.set(DRILL_CONTEXT, { ...c, info: { ...info, name: DRILL_CONTEXT, source: 'drill', namespace: info.namespace } });
        }
      } catch (error) {
        problems.push({ file: DRILL_SOURCE, message: `not a usable kubeconfig: ${firstLine(error)}` });
      }
    }
    for (const problem of problems) {
      if (!this.problems.some((p) => p.file === problem.file && p.message === problem.message)) this.deps.logger.warn('kubeconfig.invalid', { ...problem });
    }
    const before = this.loaded;
    const listChanged =
      JSON.stringify([...before.values()].map((l) => [l.info, l.fingerprint])) !== JSON.stringify([...loaded.values()].map((l) => [l.info, l.fingerprint])) ||
      JSON.stringify(this.problems) !== JSON.stringify(problems);
    this.loaded = loaded;
    this.problems = problems;
    for (const name of this.health.keys()) if (!loaded.has(name)) this.health.delete(name);

    const current = this.currentName;
    if (!current || !loaded.has(current)) {
      const kubeconfigContexts = [...loaded.values()].filter((l) => l.info.source === 'kubeconfig');
      const next = kubeconfigContexts.find((l) => l.info.isDefault)?.info.name ?? (drill ? DRILL_CONTEXT : kubeconfigContexts[0]?.info.name);
      if (current) this.deps.logger.warn('context.removed', { name: current, next: next ?? '(none)' });
      if (next !== current) {
        this.switchTo(next, current ? 'removed' : 'selected');
        return;
      }
    } else if (before.get(current)?.fingerprint !== loaded.get(current)?.fingerprint) {
      // Its cluster or credentials changed on disk: restart what runs for it with the new ones.
      this.deps.logger.info('context.reloaded', { name: current });
      this.health.delete(current);
      this.switchTo(current, 'reloaded');
      return;
    }
    if (listChanged) this.fireList();
  }
}

/**
 * Parses one file; paths inside it (certificates, keys, token files) become absolute against its
 * directory, as kubectl resolves them. A token file that cannot be read is reported and its user
 * left out (client-node would otherwise fail the whole file).
 */
function parseFile(text: string, file: string, problems: KubeconfigProblem[]): ParsedFile {
  const document: unknown = parseYaml(text);
  if (!document || typeof document !== 'object' || Array.isArray(document)) throw new Error('the file is not a YAML mapping');
  const doc = document as { users?: unknown };
  const dir = path.dirname(path.resolve(file));
  const tokenFileUsers = new Set<string>();
  if (Array.isArray(doc.users)) {
    doc.users = doc.users.filter((entry: { name?: string; user?: Record<string, unknown> } | null) => {
      const tokenFile = entry?.user?.['token-file'];
      if (typeof tokenFile !== 'string' || entry?.user?.token) return true;
      const absolute = path.isAbsolute(tokenFile) ? tokenFile : path.join(dir, tokenFile);
      try {
        readFileSync(absolute);
      } catch (error) {
        problems.push({ file, message: `user "${entry?.name ?? '?'}": cannot read its token-file ${absolute} (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
        return false;
      }
      entry!.user!['token-file'] = absolute;
      tokenFileUsers.add(String(entry?.name));
      return true;
    });
  }
  const config = new KubeConfig();
  config.loadFromString(JSON.stringify(doc));
  if (file !== DRILL_SOURCE) config.makePathsAbsolute(dir);
  return { file, clusters: config.clusters, users: config.users, contexts: config.contexts, currentContext: config.getCurrentContext() || undefined, tokenFileUsers };
}

/**
 * kubectl's merge: the first file to define a cluster, user or context name wins, and
 * `current-context` comes from the first file that sets one. A context naming a cluster or user
 * that no file defines is reported against its file and left out; the others still work.
 */
export function mergeKubeconfigs(files: ParsedFile[], problems: KubeconfigProblem[]): Map<string, LoadedContext> {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, { context: Context; file: string }>();
  const tokenFileUsers = new Set<User>();
  let currentContext: string | undefined;
  for (const f of files) {
    for (const c of f.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of f.users) {
      if (users.has(u.name)) continue;
      users.set(u.name, u);
      if (f.tokenFileUsers.has(u.name)) tokenFileUsers.add(u);
    }
    for (const c of f.contexts) if (!contexts.has(c.name)) contexts.set(c.name, { context: c, file: f.file });
    currentContext ??= f.currentContext;
  }
  const loaded = new Map<string, LoadedContext>();
  for (const { context, file } of contexts.values()) {
    const cluster = clusters.get(context.cluster);
    if (!cluster) {
      problems.push({ file, message: `context "${context.name}" names cluster "${context.cluster}", which no kubeconfig file defines` });
      continue;
    }
    const user = context.user ? users.get(context.user) : undefined;
    if (context.user && !user) {
      problems.push({ file, message: `context "${context.name}" names user "${context.user}", which no kubeconfig file defines` });
      continue;
    }
    let server: string;
    try {
      server = new URL(cluster.server).host;
    } catch {
      problems.push({ file, message: `cluster "${cluster.name}" (used by context "${context.name}") has no valid server URL ("${cluster.server}")` });
      continue;
    }
    const config = new KubeConfig();
    config.loadFromOptions({ clusters: [cluster], users: user ? [user] : [], contexts: [context], currentContext: context.name });
    const notes: string[] = [];
    if (cluster.proxyUrl && !/^(https?|socks[45]?h?):/.test(cluster.proxyUrl)) notes.push(`proxy-url "${cluster.proxyUrl}" is not a scheme client-node can use (http, https, socks)`);
    if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) notes.push('plain http: client-node refuses it unless insecure-skip-tls-verify is set');
    const info: ContextInfo = {
      name: context.name,
      cluster: context.cluster,
      server,
      namespace: context.namespace ?? 'default',
      source: 'kubeconfig',
      file,
      isDefault: currentContext === context.name,
      auth: user && tokenFileUsers.has(user) ? 'bearer-file' : authOf(user),
    };
    if (notes.length) info.notes = notes;
    loaded.set(context.name, { info, config, fingerprint: JSON.stringify([cluster, user ?? null, context]) });
  }
  return loaded;
}

function authOf(user: User | undefined): ContextAuth {
  if (!user) return 'anonymous';
  if (user.exec) return 'exec';
  if (user.authProvider) return 'auth-provider';
  if (user.token) return 'bearer';
  if (user.certData || user.certFile) return 'client-certificate';
  if (user.username) return 'basic';
  return 'anonymous';
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}
