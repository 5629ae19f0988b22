/**
 * The drill cluster's process entry, forked by the app (`child_process.fork` in the web host,
 * `utilityProcess.fork` in Electron). Starts the cluster and its control API, writes the
 * kubeconfig (0600) into the configured directory, announces itself to the parent once, and
 * exits when the parent goes: on the IPC channel's `disconnect` (which also fires after a SIGKILL
 * of the parent), or when its parent pid changes, whichever is noticed first.
 */
import path from 'node:path';
import { DrillControlServer } from './control-server';
import { DrillRuntime } from './drill-runtime';
import { DRILL_CHILD_CONFIG_ENV, isScenarioName, type DrillChildConfig, type DrillChildMessage } from './protocol';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: unknown) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const FORCED_EXIT_MS = 5_000;
const PARENT_CHECK_MS = 1_000;

function tell(message: DrillChildMessage): void {
  if (parentPort) parentPort.postMessage(message);
  else if (process.send && process.connected) process.send(message);
}

function readConfig(): DrillChildConfig {
  const text = process.env[DRILL_CHILD_CONFIG_ENV];
  if (!text) throw new Error(`${DRILL_CHILD_CONFIG_ENV} is not set: this module is forked by the cockpit (npm run drill runs the cluster on its own)`);
  const config = JSON.parse(text) as DrillChildConfig;
  if (typeof config.dir !== 'string' || !path.isAbsolute(config.dir)) throw new Error(`${DRILL_CHILD_CONFIG_ENV}.dir must be an absolute path`);
  for (const name of config.scenarios ?? []) if (!isScenarioName(name)) throw new Error(`unknown scenario ${name}`);
  return config;
}

async function main(): Promise<void> {
  const config = readConfig();
  const runtime = await DrillRuntime.start({
    kubeconfigPath: path.join(config.dir, 'kubeconfig'),
    ...(config.persist !== false
      ? { stateFile: path.join(config.dir, 'state.json'), identityFile: path.join(config.dir, 'identity.json'), dataDir: config.dir }
      : {}),
    ...(config.speed !== undefined ? { speed: config.speed } : {}),
    ...(config.logLinesPerSecond !== undefined ? { logLinesPerSecond: config.logLinesPerSecond } : {}),
    ...(config.postgres ? { postgres: config.postgres } : {}),
    ...(config.redis ? { redis: config.redis } : {}),
    ...(config.scenarios ? { scenarios: config.scenarios } : {}),
    ...(config.monitoring ? { monitoringStack: { ...config.monitoring, dir: path.join(config.dir, 'monitoring') } } : {}),
  });
  const control = await DrillControlServer.listen(runtime);

  let stopping = false;
  const stop = (why: string, code = 0): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`drill: stopping (${why})\n`);
    setTimeout(() => process.exit(code), FORCED_EXIT_MS).unref();
    void Promise.allSettled([control.close(), runtime.stop()]).then(() => process.exit(code));
  };
  process.on('disconnect', () => stop('the parent disconnected'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const parentPid = process.ppid;
  setInterval(() => {
    if (process.ppid !== parentPid) stop(`the parent ${parentPid} is gone`);
  }, PARENT_CHECK_MS).unref();
  // Without an IPC channel (started by hand) there is no parent to follow.
  if (!parentPort && !process.connected) stop('no parent IPC channel', 1);

  tell({
    type: 'ready',
    apiUrl: runtime.cluster.url,
    controlUrl: control.url,
    controlToken: control.token,
    kubeconfigPath: runtime.kubeconfigPath,
    pid: process.pid,
  });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`drill: ${message}\n`);
  tell({ type: 'failed', message });
  setTimeout(() => process.exit(1), 100);
});
