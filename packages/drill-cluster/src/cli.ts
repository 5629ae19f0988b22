/**
 * `npm run drill`: starts the drill cluster standalone, writes a kubeconfig (mode 0600), switches
 * on the `--scenario`s asked for, serves the control API, and prints how to point kubectl at it;
 * stops cleanly on SIGINT / SIGTERM.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DRILL_NAMESPACE } from './cluster';
import { DrillControlServer } from './control-server';
import { DrillRuntime } from './drill-runtime';
import { isScenarioName, SCENARIO_NAMES, SCENARIO_SUMMARIES, type ScenarioName } from './protocol';

const USAGE = `Usage: npm run drill -- [--port N] [--speed X] [--kubeconfig PATH] [--log-rate N] [--scenario NAME]...

  --port N           listen on 127.0.0.1:N (default: a free port)
  --speed X          simulated seconds per real second (default 1)
  --kubeconfig PATH  where to write the kubeconfig (default: a new temp file, or DIR/kubeconfig)
  --data-dir DIR     keep the cluster's state in DIR/state.json across runs (default: none, seeded fresh)
  --log-rate N       log lines per second a followed pod writes
  --postgres H:P     front postgres-0 with this PostgreSQL (default: Debian's server from
                     /usr/lib/postgresql/*/bin in DIR/postgres, else embedded PGlite;
                     pglite: always PGlite; none: no server)
  --redis H:P        front redis-0 with this Redis (default: redis-server from PATH, if any; none: no server)
  --scenario NAME    switch a fault scenario on at start (repeatable):
${SCENARIO_NAMES.map((name) => `                       ${name.padEnd(25)} ${SCENARIO_SUMMARIES[name]}`).join('\n')}
`;

function scenarios(names: string[] | undefined): ScenarioName[] {
  const picked: ScenarioName[] = [];
  for (const name of names ?? []) {
    if (!isScenarioName(name)) throw new Error(`--scenario: unknown scenario "${name}"; known: ${SCENARIO_NAMES.join(', ')}`);
    if (!picked.includes(name)) picked.push(name);
  }
  return picked;
}

function address(text: string | undefined, flag: string): { host: string; port: number } | 'none' | 'pglite' | undefined {
  if (text === undefined) return undefined;
  if (text === 'none') return 'none';
  if (text === 'pglite' && flag === '--postgres') return 'pglite';
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
      'data-dir': { type: 'string' },
      'log-rate': { type: 'string' },
      postgres: { type: 'string' },
      redis: { type: 'string' },
      scenario: { type: 'string', multiple: true },
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
  const initialScenarios = scenarios(values.scenario);

  const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : undefined;
  if (dataDir) await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const tempDir = values.kubeconfig || dataDir ? undefined : await mkdtemp(path.join(tmpdir(), 'codesign-drill-'));
  const kubeconfigPath = path.resolve(values.kubeconfig ?? path.join(dataDir ?? (tempDir as string), 'kubeconfig'));

  const runtime = await DrillRuntime.start({
    kubeconfigPath,
    ...(dataDir ? { stateFile: path.join(dataDir, 'state.json'), identityFile: path.join(dataDir, 'identity.json'), dataDir } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(speed !== undefined ? { speed } : {}),
    ...(logLinesPerSecond !== undefined ? { logLinesPerSecond } : {}),
    ...(postgres ? { postgres } : {}),
    ...(redis && redis !== 'pglite' ? { redis } : {}),
    scenarios: initialScenarios,
  });
  const control = await DrillControlServer.listen(runtime);
  const active = runtime.cluster.world.scenarios.active();
  await writeFile(`${kubeconfigPath}.control-token`, `${control.token}\n`, { mode: 0o600 });

  process.stdout.write(
    [
      `Drill cluster codesign-drill listening on ${runtime.cluster.url}`,
      `Kubeconfig (mode 0600): ${kubeconfigPath}`,
      `Scenarios on: ${active.length > 0 ? active.join(', ') : 'none'}`,
      dataDir
        ? `State: ${path.join(dataDir, 'state.json')} (${runtime.cluster.persistence.restored ? 'restored from the last run' : runtime.cluster.persistence.problem ?? 'new'})`
        : 'State: not kept (--data-dir DIR keeps it)',
      `Control API: ${control.url} (curl -H "Authorization: Bearer $TOKEN" ${control.url}/v1/state; the token is in ${kubeconfigPath}.control-token)`,
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
      await control.close();
      await runtime.stop();
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
