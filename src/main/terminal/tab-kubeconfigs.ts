import type { KubeConfig } from '@kubernetes/client-node';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { ensurePrivateDir, writeFileDurably } from '../evidence/durable-files';

/**
 * Each terminal tab's own kubeconfig: only the tab's context, its namespace set, its cluster
 * and user with every credential field kept (exec plugin, client certificate and key, token,
 * `proxy-url`, CA), relative paths made absolute against the file the context came from.
 * Files are 0600 in a 0700 folder per running app (`<dataDir>/terminal/<pid>/`), deleted when
 * the tab closes, when the app quits, and at the next start after a crash.
 */
export class TabKubeconfigs {
  readonly dir: string;

  constructor(private readonly root: string) {
    this.dir = path.join(root, String(process.pid));
  }

  /**
   * Removes what a previous run left (a crash, a kill -9): every folder whose process is gone,
   * and this pid's own folder (a reused pid means its first owner is gone). Answers the paths removed.
   */
  async removeStale(): Promise<string[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of names) {
      const pid = /^\d+$/.test(name) ? Number(name) : undefined;
      if (pid !== undefined && pid !== process.pid && isAlive(pid)) continue;
      const target = path.join(this.root, name);
      await rm(target, { recursive: true, force: true });
      removed.push(target);
    }
    return removed;
  }

  /** Writes the tab's kubeconfig and answers its path. */
  async write(sessionId: string, config: KubeConfig, options: { namespace?: string; sourceFile?: string }): Promise<string> {
    await ensurePrivateDir(this.root);
    await ensurePrivateDir(this.dir);
    const file = path.join(this.dir, `${sessionId}.kubeconfig`);
    await writeFileDurably(file, stringify(singleContextConfig(config, options)));
    return file;
  }

  async remove(file: string): Promise<void> {
    await rm(file, { force: true });
  }

  /** Every tab file of this run is removed (quit). */
  async removeAll(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  async exists(file: string): Promise<boolean> {
    return (await stat(file).catch(() => undefined)) !== undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type Plain = Record<string, unknown>;

/** Drops null / undefined fields, so the file holds only what the source had. */
function clean(value: Plain): Plain {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined && v !== ''));
}

/**
 * The kubeconfig kubectl should see in the tab: one cluster, one user, one context, current.
 * Exported from client-node's model, which keeps exec, certificates, token and proxy-url.
 */
export function singleContextConfig(config: KubeConfig, options: { namespace?: string; sourceFile?: string }): Plain {
  const contextName = config.getCurrentContext();
  const context = config.getContextObject(contextName);
  if (!context) throw new Error(`context "${contextName}" is not in its kubeconfig`);
  const cluster = config.getCluster(context.cluster);
  if (!cluster) throw new Error(`context "${contextName}" names cluster "${context.cluster}", which is not defined`);
  const user = context.user ? config.getUser(context.user) : undefined;
  const base = options.sourceFile ? path.dirname(options.sourceFile) : undefined;
  const absolute = (p: string | undefined): string | undefined => (p && base && !path.isAbsolute(p) ? path.resolve(base, p) : p);
  const exec = user?.exec ? { ...(user.exec as Plain) } : undefined;
  // kubectl resolves a relative exec command that has a path separator against the kubeconfig's folder.
  if (exec && typeof exec.command === 'string' && exec.command.includes('/')) exec.command = absolute(exec.command);
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster.name,
        cluster: clean({
          server: cluster.server,
          'certificate-authority-data': cluster.caData,
          'certificate-authority': absolute(cluster.caFile),
          'insecure-skip-tls-verify': cluster.skipTLSVerify || undefined,
          'tls-server-name': cluster.tlsServerName,
          'proxy-url': cluster.proxyUrl,
        }),
      },
    ],
    users: user
      ? [
          {
            name: user.name,
            user: clean({
              'client-certificate-data': user.certData,
              'client-certificate': absolute(user.certFile),
              'client-key-data': user.keyData,
              'client-key': absolute(user.keyFile),
              token: user.token,
              username: user.username,
              password: user.password,
              as: user.impersonateUser,
              'auth-provider': user.authProvider,
              exec,
            }),
          },
        ]
      : [],
    contexts: [
      {
        name: contextName,
        context: clean({ cluster: cluster.name, user: user?.name, namespace: options.namespace ?? context.namespace ?? 'default' }),
      },
    ],
    'current-context': contextName,
    preferences: {},
  };
}
