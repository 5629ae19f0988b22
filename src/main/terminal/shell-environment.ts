import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The user's `$SHELL` when it is an executable file, else bash, else sh. */
export function chooseShell(env: NodeJS.ProcessEnv): string {
  if (process.platform === 'win32') return env.ComSpec ?? 'cmd.exe';
  for (const candidate of [env.SHELL, '/bin/bash', '/usr/bin/bash', '/bin/sh']) {
    if (!candidate || !path.isAbsolute(candidate)) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there, try the next
    }
  }
  return '/bin/sh';
}

/** Variables of our own process a user's shell should not inherit. */
const NOT_INHERITED = /^(ELECTRON_|npm_|VITEST|COCKPIT_|NODE_OPTIONS$|NODE_ENV$|KUBECONFIG$)/;

/**
 * The tab's environment: the app's own, minus its internals, with the open tunnels' variables
 * (`PGHOST`, `PGPORT`...), and the tab's KUBECONFIG and TERM, which nothing overrides.
 */
export function tabEnvironment(
  base: NodeJS.ProcessEnv,
  tab: { kubeconfig: string; context: string; namespace: string; shell: string; tunnels?: Record<string, string> },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !NOT_INHERITED.test(key)) env[key] = value;
  }
  Object.assign(env, tab.tunnels);
  env.SHELL = tab.shell;
  env.TERM = 'xterm-256color';
  env.COLORTERM = 'truecolor';
  env.KUBECONFIG = tab.kubeconfig;
  env.COCKPIT_CONTEXT = tab.context;
  env.COCKPIT_NAMESPACE = tab.namespace;
  return env;
}

const MARK = '__COCKPIT_KUBECONFIG__=';

/**
 * What KUBECONFIG is once the user's interactive startup files ran (~/.bashrc, ~/.zshrc,
 * config.fish): the shell is run once more with `-i -c` in the tab's environment and prints it.
 * Answers undefined when the probe could not tell (timed out, odd shell). Lens #5783: a
 * startup file that exports KUBECONFIG silently points the tab at another cluster.
 */
export function probeKubeconfig(shell: string, env: Record<string, string>, cwd: string, timeoutMs = 5000): { result: Promise<string | undefined>; cancel(): void } {
  let cancel = () => {};
  const result = new Promise<string | undefined>((resolve) => {
    // detached: its own session, so an interactive shell cannot take over the terminal the app was started from.
    const child = spawn(shell, ['-i', '-c', `printf '%s%s\\n' '${MARK}' "$KUBECONFIG"`], { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true });
    let stdout = '';
    const timer = setTimeout(() => cancel(), timeoutMs);
    const finish = (value: string | undefined) => {
      clearTimeout(timer);
      resolve(value);
    };
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (stdout.length < 1024 * 1024) stdout += chunk;
    });
    child.on('error', () => finish(undefined));
    child.on('close', () => {
      const line = stdout.split('\n').find((l) => l.startsWith(MARK));
      finish(line === undefined ? undefined : line.slice(MARK.length).replace(/\r$/, ''));
    });
    cancel = () => {
      try {
        if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
      finish(undefined);
    };
  });
  return { result, cancel: () => cancel() };
}
