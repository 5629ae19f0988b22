import { KubeConfig } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ContextInfo, ContextList, KubeconfigProblem } from '../../shared/contexts';
import { CockpitFailure } from '../../shared/result';
import type { Logger } from '../app/logger';

export const DRILL_CONTEXT = 'drill';

/** The kubeconfig files kubectl would read: every entry of KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPaths(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string[] {
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  return fromEnv.length ? fromEnv : [path.join(home, '.kube', 'config')];
}

interface LoadedContext {
  info: ContextInfo;
  /** The file's whole config, with this context current; stays in main (it holds credentials). */
  config: KubeConfig;
}

/**
 * Kubeconfig contexts, by name only: credentials stay in the main process. Each file is read on
 * its own, so one broken file is reported (file and reason) without hiding the others. The drill
 * context is always there, and is the default when no kubeconfig has a context.
 */
export class ContextService {
  private loaded = new Map<string, LoadedContext>();
  private problems: KubeconfigProblem[] = [];
  private current: string | undefined;

  constructor(
    private readonly deps: {
      paths: string[];
      logger: Logger;
      /** The drill cluster's kubeconfig, once it runs. */
      drillKubeconfig: () => Promise<string | undefined>;
    },
  ) {}

  async list(): Promise<ContextList> {
    await this.reload();
    return { contexts: [...this.loaded.values()].map((l) => l.info), current: this.current, problems: this.problems };
  }

  async select(name: string): Promise<ContextList> {
    await this.reload();
    if (!this.loaded.has(name)) throw new CockpitFailure('NotFound', `no context "${name}" in ${this.deps.paths.join(', ')} or the drill cluster`);
    this.current = name;
    this.deps.logger.info('context.selected', { name });
    return this.list();
  }

  /** The chosen context's config, for services in main (cluster, logs, terminal). */
  async kubeConfig(name = this.current): Promise<KubeConfig> {
    await this.reload();
    const loaded = name ? this.loaded.get(name) : undefined;
    if (!loaded) throw new CockpitFailure('NotFound', `no context "${name ?? '(none selected)'}"`);
    return loaded.config;
  }

  private async reload(): Promise<void> {
    const loaded = new Map<string, LoadedContext>();
    const problems: KubeconfigProblem[] = [];
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
        for (const loadedContext of contextsOf(text, file)) {
          if (!loaded.has(loadedContext.info.name)) loaded.set(loadedContext.info.name, loadedContext);
        }
      } catch (error) {
        problems.push({ file, message: `not a usable kubeconfig: ${firstLine(error)}` });
      }
    }
    const drill = await this.deps.drillKubeconfig();
    if (drill) {
      for (const c of contextsOf(drill, 'drill cluster')) {
        const { file: _file, ...info } = c.info;
        loaded.set(DRILL_CONTEXT, { ...c, info: { ...info, name: DRILL_CONTEXT, source: 'drill' } });
      }
    }
    for (const problem of problems) {
      if (!this.problems.some((p) => p.file === problem.file && p.message === problem.message)) this.deps.logger.warn('kubeconfig.invalid', { ...problem });
    }
    this.loaded = loaded;
    this.problems = problems;
    const kubeconfigContexts = [...loaded.values()].filter((l) => l.info.source === 'kubeconfig');
    if (!this.current || !loaded.has(this.current)) {
      this.current = kubeconfigContexts.find((l) => l.info.isDefault)?.info.name ?? (drill ? DRILL_CONTEXT : kubeconfigContexts[0]?.info.name);
    }
  }
}

function contextsOf(text: string, file: string): LoadedContext[] {
  const whole = new KubeConfig();
  whole.loadFromString(text);
  const contexts = whole.getContexts();
  if (contexts.length === 0 && file !== 'drill cluster') return [];
  return contexts.map((context) => {
    const config = new KubeConfig();
    config.loadFromString(text);
    config.setCurrentContext(context.name);
    const cluster = whole.getCluster(context.cluster);
    if (!cluster) throw new Error(`context "${context.name}" names cluster "${context.cluster}", which the file does not define`);
    if (!whole.getUser(context.user)) throw new Error(`context "${context.name}" names user "${context.user}", which the file does not define`);
    let server = cluster.server;
    try {
      server = new URL(cluster.server).host;
    } catch {
      throw new Error(`cluster "${cluster.name}" has no valid server URL ("${cluster.server}")`);
    }
    return {
      config,
      info: {
        name: context.name,
        cluster: context.cluster,
        server,
        namespace: context.namespace ?? 'default',
        source: 'kubeconfig' as const,
        file,
        isDefault: whole.getCurrentContext() === context.name,
      },
    };
  });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}
