/**
 * `npm run start:web`: the cockpit in a browser. Serves the built renderer from a local web host
 * on 127.0.0.1 and prints the URL with its per-start token.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Cockpit } from '../app/cockpit';
import { acquireInstanceLock } from '../app/instance-lock';
import { CockpitFailure } from '../../shared/result';
import { FileLogger } from '../app/logger';
import { appRoot, BUNDLED_RUNBOOK, defaultDataDir } from '../app/paths';
import { PendingDispatcher } from './dispatcher';
import { WebHost } from './web-host';
import { WebHostAddress } from './web-host-address';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    runbook: { type: 'string' },
  },
});

const root = appRoot(import.meta.url);
const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : defaultDataDir();
// One cockpit per data directory: a second one says who holds it, in one line, and stops.
const instance = await acquireInstanceLock(dataDir, 'web host').catch((error: unknown) => {
  console.error(error instanceof CockpitFailure ? error.message : `Cannot lock the data directory ${dataDir}: ${String(error)}`);
  process.exit(1);
});
const logger = new FileLogger(path.join(dataDir, 'logs'));
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
const runbookPath = values.runbook ?? process.env.COCKPIT_RUNBOOK ?? path.join(root, BUNDLED_RUNBOOK);

// The services (and the packages they load, which hold the event loop for a second) start once
// a page has painted and opened its socket, or two seconds after start, whichever is first: the
// URL is printed and the shell paints at once; the page's first requests wait for them.
let startServices: () => void = () => undefined;
const servicesMayStart = new Promise<void>((resolve) => (startServices = resolve));
const cockpitReady: Promise<Cockpit> = servicesMayStart
  .then(() => import('../app/cockpit'))
  .then(({ createCockpit }) => createCockpit({ host: 'web', version, dataDir, runbookPath, logger, drill: process.env.COCKPIT_DRILL !== 'off' }));
cockpitReady.catch((error: unknown) => {
  logger.error('web.start-failed', { message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  console.error(`Incident Cockpit could not start its services: ${error instanceof Error ? error.message : String(error)}`);
});
const address = new WebHostAddress(dataDir);
const startOn = (port: number | undefined) =>
  WebHost.start({
    onSocket: () => startServices(),
    dispatcher: new PendingDispatcher(
      cockpitReady.then((cockpit) => cockpit.dispatcher),
      logger,
    ),
    rendererDir: path.join(root, 'out', 'renderer'),
    bridgeFile: path.join(root, 'out', 'web-bridge', 'web-bridge.js'),
    logger,
    ...(port === undefined ? {} : { port }),
  });
// The previous start's port, when it is free, so a tab left open finds this host again.
const preferred = values.port !== undefined ? Number(values.port) : await address.previousPort();
const host = await startOn(preferred).catch((error: NodeJS.ErrnoException) => {
  if (values.port !== undefined || error.code !== 'EADDRINUSE') throw error;
  logger.info('web.port-taken', { port: preferred });
  return startOn(undefined);
});
await address.remember(host);
logger.info('web.started', { port: host.port, dataDir });
console.log(`Incident Cockpit (web host) data: ${dataDir}`);
console.log(`Open ${host.url}`);
setTimeout(() => startServices(), 2000).unref();

const stop = async () => {
  await host.close('The cockpit host was stopped.');
  await cockpitReady.then((cockpit) => cockpit.dispose(), () => undefined);
  await address.forget();
  await instance.release();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
