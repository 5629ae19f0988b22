/**
 * The shell host of one container: its filesystem and the executables its image has. Every
 * image gets the coreutils-style tools, tar and curl; each app's image adds its own (psql,
 * pg_dump and pg_isready in postgres, redis-cli in redis, python in the codesign images), which
 * are the simulated commands that reach the real PostgreSQL and Redis.
 */
import { readAll } from './byte-streams';
import { makeCurl } from './curl-tool';
import { filterTools, listeningPorts } from './filter-tools';
import { buildPodFileSystem } from './pod-files';
import type { ShellHost, Tool } from './shell-interpreter';
import { systemTools, type ContainerFacts } from './system-tools';
import { tar } from './tar-tool';
import { TEXT_TOOLS } from './text-tools';
import type { VirtualFileSystem } from './virtual-fs';
import { appCommandNames, runSimpleCommand, type CommandContext } from '../streams/simulated-commands';
import type { DrillPodRef } from '../types';

/** A shell as an executable: `sh -c 'script' [name args]`, or a script on stdin. */
const shellTool: Tool = async (inv) => {
  if (inv.args[0] === '-c') return inv.runShell(inv.args[1] ?? '', inv, inv.args.slice(3));
  return inv.runShell((await readAll(inv.stdin)).toString('utf8'), inv, inv.args);
};

/** The simulated image command `name` (psql, redis-cli, ...) as a tool of the shell. */
function imageCommand(name: string, ctx: CommandContext): Tool {
  return async (inv) => {
    const { PWD: _pwd, ...env } = inv.env;
    const status = await runSimpleCommand(
      [name, ...inv.args],
      { ...ctx, container: { ...ctx.container, env } },
      { stdout: (text) => inv.stdout.write(text), stderr: (text) => inv.stderr.write(text) },
      async () => (await readAll(inv.stdin)).toString('utf8'),
    );
    return status ?? 127;
  };
}

/** The environment a process of the container starts with: PATH, HOSTNAME, the pod spec's env, the service links, HOME. */
export function processEnvironment(ctx: Pick<CommandContext, 'pod' | 'container'>): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: ctx.pod.name,
    ...ctx.container.env,
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443',
    HOME: '/root',
  };
}

/** The tools of the container in `ctx`, by name. */
export function containerTools(ctx: CommandContext): Record<string, Tool> {
  const current = (): DrillPodRef => ctx.current?.() ?? ctx.pod;
  const names: string[] = [];
  const facts: ContainerFacts = {
    namespace: ctx.pod.namespace,
    podName: ctx.pod.name,
    app: ctx.pod.app,
    containerName: ctx.container.name,
    image: ctx.container.image,
    now: () => ctx.clock.now(),
    speed: ctx.clock.speed,
    startedAt: ctx.pod.startedAt,
    profile: () => current().logProfile(),
    podIp: ctx.pod.podIp ?? '10.244.0.2',
    connect: async (port) => (ctx.connect ? ctx.connect(port) : undefined),
    commandNames: () => names,
  };
  const ports = () => listeningPorts(ctx.pod.app, current().phase === 'Running' && !current().logProfile().crashLooping);
  const tools: Record<string, Tool> = { ...TEXT_TOOLS, ...systemTools(facts), ...filterTools(ports), tar, curl: makeCurl(facts), sh: shellTool, dash: shellTool };
  if (!/alpine/.test(ctx.container.image)) tools.bash = shellTool;
  for (const name of appCommandNames(ctx.pod.app)) tools[name] = imageCommand(name, ctx);
  names.push(...Object.keys(tools).filter((n) => /^[a-z]/.test(n)).sort());
  return tools;
}

/** A fresh filesystem for the container in `ctx` (what a new container instance starts with). */
export function freshFileSystem(ctx: CommandContext, commandNames: string[]): VirtualFileSystem {
  return buildPodFileSystem({
    current: () => ctx.current?.() ?? ctx.pod,
    containerName: ctx.container.name,
    now: () => ctx.clock.now(),
    logSeed: ctx.logSeed ?? 0,
    podIp: ctx.pod.podIp ?? '10.244.0.2',
    commandNames,
  });
}

/** The shell host for the container in `ctx`: its kept filesystem (or a fresh one) and its tools. */
export function containerShellHost(ctx: CommandContext): ShellHost {
  const tools = containerTools(ctx);
  const fs = ctx.fileSystem?.() ?? freshFileSystem(ctx, Object.keys(tools).filter((n) => /^[a-z]/.test(n)));
  return { fs, findTool: (name) => tools[name] };
}

/**
 * The writable top layer of each container: kept while the container instance lives, so what an
 * exec writes is there for the next exec, and gone once the pod is recreated or the container
 * restarts, as with a real runtime.
 */
export class ContainerFileSystems {
  private readonly byInstance = new Map<string, VirtualFileSystem>();

  constructor(
    private readonly podLookup?: (namespace: string, name: string) => DrillPodRef | undefined,
    private readonly limit = 256,
  ) {}

  for(ctx: CommandContext): VirtualFileSystem {
    const key = `${ctx.pod.namespace}/${ctx.pod.name}/${ctx.container.name}#${ctx.pod.restartCount}@${ctx.pod.startedAt}`;
    let fs = this.byInstance.get(key);
    if (!fs) {
      this.forgetGone();
      fs = freshFileSystem(ctx, Object.keys(containerTools(ctx)).filter((n) => /^[a-z]/.test(n)));
      this.byInstance.set(key, fs);
    }
    return fs;
  }

  private forgetGone(): void {
    for (const key of this.byInstance.keys()) {
      const [namespace, rest] = key.split('/') as [string, string];
      const [name] = rest.split('/') as [string];
      const instance = key.slice(key.lastIndexOf('#') + 1);
      const pod = this.podLookup?.(namespace, name);
      if (this.podLookup && (!pod || `${pod.restartCount}@${pod.startedAt}` !== instance)) this.byInstance.delete(key);
    }
    while (this.byInstance.size >= this.limit) this.byInstance.delete(this.byInstance.keys().next().value!);
  }
}
