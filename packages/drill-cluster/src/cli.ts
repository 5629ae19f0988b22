/**
 * `npm run drill`: starts the drill cluster standalone, writes a kubeconfig (mode 0600) and
 * prints how to point kubectl at it; stops cleanly on SIGINT / SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DRILL_NAMESPACE, DrillCluster } from './cluster';

const USAGE = `Usage: npm run drill -- [--port N] [--speed X] [--kubeconfig PATH] [--log-rate N]

  --port N           listen on 127.0.0.1:N (default: a free port)
  --speed X          simulated seconds per real second (default 1)
  --kubeconfig PATH  where to write the kubeconfig (default: a new temp file)
  --log-rate N       log lines per second a followed pod writes
  --postgres H:P     front postgres-0 with this PostgreSQL (default: embedded PGlite)
  --redis H:P        front redis-0 with this Redis (default: redis-server from PATH, if any)
`;

function address(text: string | undefined, flag: string): { host: string; port: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^(127\.0\.0\.1|localhost|\[::1\]|::1):(\d+)$/.exec(text);
  if (!match) throw new Error(`${flag} must be 127.0.0.1:PORT (got ${text})`);
  return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

function positiveNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${flag} must be a non-negative number (got ${text})`);
  return value;
}

/** Parses the command line, starts the cluster and keeps it running until a signal. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      speed: { type: 'string' },
      kubeconfig: { type: 'string' },
      'log-rate': { type: 'string' },
      postgres: { type: 'string' },
      redis: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = positiveNumber(values.port, '--port');
  const speed = positiveNumber(values.speed, '--speed');
  const logLinesPerSecond = positiveNumber(values['log-rate'], '--log-rate');
  const postgres = address(values.postgres, '--postgres');
  const redis = address(values.redis, '--redis');

  const tempDir = values.kubeconfig ? undefined : await mkdtemp(path.join(tmpdir(), 'codesign-drill-'));
  const kubeconfigPath = path.resolve(values.kubeconfig ?? path.join(tempDir as string, 'kubeconfig'));

  const cluster = await DrillCluster.start({
    ...(port !== undefined ? { port } : {}),
    ...(speed !== undefined ? { speed } : {}),
    ...(logLinesPerSecond !== undefined ? { logLinesPerSecond } : {}),
    ...(postgres ? { postgres } : {}),
    ...(redis ? { redis } : {}),
  });
  await cluster.writeKubeconfig(kubeconfigPath);

  process.stdout.write(
    [
      `Drill cluster codesign-drill listening on ${cluster.url}`,
      `Kubeconfig (mode 0600): ${kubeconfigPath}`,
      '',
      `  KUBECONFIG=${kubeconfigPath} kubectl get pods -n ${DRILL_NAMESPACE}`,
      '',
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the drill cluster\n`);
    try {
      await cluster.stop();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
}

const invokedDirectly = process.argv[1] !== undefined && /(^|[\\/])(cli\.(ts|js|mjs)|drill\.(js|mjs))$/.test(process.argv[1]);
if (invokedDirectly) {
  main().catch((error: unknown) => {
    process.stderr.write(`drill: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
