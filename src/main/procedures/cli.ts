import { KubeConfig } from '@kubernetes/client-node';
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDiff } from '../../shared/procedures/diff';
import { ENGINE_ACTIONS, engineActionOf, procedureSteps, runbookSteps, type ProcedureRun } from '../../shared/procedures/model';
import { parameterFields, parseSetArguments } from '../../shared/procedures/parameters';
import { CockpitFailure } from '../../shared/result';
import type { Runbook } from '../../shared/runbook/schema';
import type { Logger } from '../app/logger';
import { defaultDataDir } from '../app/paths';
import { EvidenceStore } from '../evidence/evidence-store';
import { EvidenceVault } from '../evidence/evidence-vault';
import { loadRunbookFile } from '../runbook/loader';
import { DatabaseActions } from '../databases/database-actions';
import { DatabaseService } from '../databases/database-service';
import { tunnelEndpoints } from '../databases/endpoints';
import { TunnelService } from '../tunnels/tunnel-service';
import { ClusterActions } from './cluster-actions';
import { ProcedureService, type RunRecorder } from './procedure-service';

/** Exit codes, as `--help` prints them. */
export const EXIT = { ok: 0, failed: 1, usage: 2, needsConfirmation: 3, forbidden: 4 } as const;

export const HELP = `usage: runbook list
       runbook show <step-or-procedure-id>
       runbook run <step-or-procedure-id> [--context C] [--namespace N] [--kubeconfig F]
                   [--set name=value ...] [--dry-run] [--confirm <typed name>] [--yes]
                   [--runbook F] [--data-dir D --passphrase-file F]

Runs runbook steps (e.g. response.scale-up, rollback-process.undo) or whole procedures
(rollback-process) through the same engine as the cockpit: the same parameter validation,
server-side dry-run preview (printed as a diff), gating and recording.
  --set name=value   a parameter (replicas=5, image=..., env=KEY=value, input.USER_ID=42)
  --dry-run          validate and preview only; nothing changes
  --yes              confirm change steps (read steps need nothing)
  --confirm NAME     confirm a destructive step: NAME must be its target (implies --yes)
  --passphrase-file  unlock the evidence store under --data-dir to record the run in its session log

exit codes:
  0  done (or, with --dry-run, previewed)
  1  a step failed (the reason is printed)
  2  usage: unknown id, bad parameter, unknown flag
  3  a change or destructive step needs a confirmation that was not given (prints what to type)
  4  the cluster forbids or refuses the credentials`;

export interface RunbookCliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

const quiet: Logger = { info() {}, warn() {}, error() {} };
const VALUE_FLAGS = new Set(['context', 'namespace', 'kubeconfig', 'set', 'confirm', 'runbook', 'data-dir', 'passphrase-file']);
const BOOLEAN_FLAGS = new Set(['dry-run', 'yes', 'help']);

interface Parsed {
  positional: string[];
  flags: Map<string, string[]>;
}

function parseArgs(argv: string[]): Parsed | string {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      flags.set('help', ['true']);
      continue;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (BOOLEAN_FLAGS.has(name)) flags.set(name, ['true']);
    else if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) return `--${name} needs a value`;
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else return `unknown flag --${name}`;
  }
  return { positional, flags };
}

function listRunbook(runbook: Runbook, io: RunbookCliIo): void {
  io.out('PROCEDURES');
  for (const p of runbook.procedures) io.out(`  ${p.id.padEnd(36)} ${p.title} (${procedureSteps(p).length} steps)`);
  io.out('STEPS (runnable by the cockpit)');
  for (const [id, { step }] of runbookSteps(runbook)) {
    const action = engineActionOf(step, runbook.service.namespace);
    if (ENGINE_ACTIONS.has(action.type)) io.out(`  ${id.padEnd(46)} ${step.risk.padEnd(11)} ${step.title}`);
  }
}

function show(runbook: Runbook, id: string, io: RunbookCliIo): number {
  const procedure = runbook.procedures.find((p) => p.id === id);
  if (procedure) {
    io.out(`${procedure.title} (${procedure.category})`);
    for (const step of procedureSteps(procedure)) io.out(`  ${step.id}  [${step.risk}]  ${step.title}\n    ${step.command.split('\n')[0]}`);
    return EXIT.ok;
  }
  const located = runbookSteps(runbook).get(id);
  if (!located) {
    io.err(`no step or procedure "${id}" in ${runbook.id} (try: runbook list)`);
    return EXIT.usage;
  }
  const { step } = located;
  io.out(`${step.title}\n  risk: ${step.risk}${step.target ? ` (confirm by typing ${step.target})` : ''}\n  action: ${step.action.type}\n  command: ${step.command}`);
  for (const field of parameterFields(step)) io.out(`  --set ${field.name}=${field.value || '<value>'}   ${field.label}${field.required ? '' : ' (optional)'}`);
  return EXIT.ok;
}

function printRun(run: ProcedureRun, io: RunbookCliIo): void {
  for (const step of run.steps) {
    if (step.status === 'pending') continue;
    io.out(`${step.status === 'succeeded' ? '✓' : step.status === 'failed' ? '✗' : '•'} ${step.title} [${step.risk}] ${step.status}${step.durationMs !== undefined ? ` (${step.durationMs} ms)` : ''}`);
    io.out(`  $ ${step.kubectl}`);
    if (step.preview) io.out(renderDiff(step.preview.diff).replace(/^/gm, '  '));
    if (step.output) io.out(step.output.replace(/^/gm, '  '));
    if (step.error) io.out(`  ${step.error.message}`);
  }
}

async function settle(service: ProcedureService, runId: string): Promise<ProcedureRun> {
  for (;;) {
    const run = service.get(runId);
    // A finished run is recorded just after it ends: wait for that too before exiting.
    if (run.status === 'awaiting-confirmation' || (run.status !== 'running' && run.recorded)) return run;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function recorderFor(flags: Map<string, string[]>, io: RunbookCliIo): Promise<{ recorder: RunRecorder; note: string }> {
  const passphraseFile = flags.get('passphrase-file')?.[0];
  if (!passphraseFile) {
    return { recorder: { writable: async () => false, read: async () => [], append: () => Promise.reject(new Error('not recording')) }, note: 'not recorded (no --passphrase-file)' };
  }
  const dataDir = flags.get('data-dir')?.[0] ?? io.env.COCKPIT_DATA_DIR ?? defaultDataDir();
  const vault = new EvidenceVault({ dir: path.join(dataDir, 'evidence'), safeStorageUnavailableReason: 'the runbook command line uses the passphrase' });
  await vault.unlock((await readFile(passphraseFile, 'utf8')).trim());
  const store = new EvidenceStore({ vault });
  return {
    recorder: { writable: async () => true, read: (id) => store.read(id), append: (id, r) => store.append(id, r), putAttachment: (id, s, o) => store.putAttachment(id, s, o) },
    note: `recorded in the session log of ${path.join(dataDir, 'evidence')}`,
  };
}

/** The `runbook` command; answers its exit code. */
export async function runbookCli(argv: string[], io: RunbookCliIo): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string') {
    io.err(`${parsed}\n${HELP}`);
    return EXIT.usage;
  }
  const { positional, flags } = parsed;
  const [command, id] = positional;
  if (flags.has('help') || !command) {
    io.out(HELP);
    return command || flags.has('help') ? EXIT.ok : EXIT.usage;
  }
  const runbookPath = flags.get('runbook')?.[0] ?? io.env.COCKPIT_RUNBOOK ?? path.resolve('resources/runbooks/codesign-playground.yaml');
  let runbook: Runbook;
  try {
    runbook = await loadRunbookFile(runbookPath);
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    return EXIT.usage;
  }
  if (command === 'list') {
    listRunbook(runbook, io);
    return EXIT.ok;
  }
  if (command === 'show' && id) return show(runbook, id, io);
  if (command !== 'run' || !id) {
    io.err(HELP);
    return EXIT.usage;
  }

  const set = parseSetArguments(flags.get('set') ?? []);
  if (set.issues.length) {
    io.err(set.issues.join('\n'));
    return EXIT.usage;
  }
  const kubeconfigFile = flags.get('kubeconfig')?.[0] ?? io.env.KUBECONFIG?.split(path.delimiter)[0];
  const kubeConfig = new KubeConfig();
  try {
    if (kubeconfigFile) kubeConfig.loadFromFile(kubeconfigFile);
    else kubeConfig.loadFromDefault();
  } catch (error) {
    io.err(`cannot read the kubeconfig ${kubeconfigFile ?? '(default)'}: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.usage;
  }
  const context = flags.get('context')?.[0] ?? kubeConfig.getCurrentContext();
  if (!kubeConfig.getContextObject(context)) {
    io.err(`no context "${context}" in ${kubeconfigFile ?? 'the kubeconfig'}`);
    return EXIT.usage;
  }
  kubeConfig.setCurrentContext(context);
  const namespace = flags.get('namespace')?.[0];
  const dryRun = flags.has('dry-run');
  const typed = flags.get('confirm')?.[0];
  const yes = flags.has('yes') || typed !== undefined;

  let recording: Awaited<ReturnType<typeof recorderFor>>;
  try {
    recording = await recorderFor(flags, io);
  } catch (error) {
    io.err(`cannot open the evidence store: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.usage;
  }
  // pg.* and redis.* steps reach their servers through port-forwards, as the app's do; the
  // tunnels live as long as this command.
  const tunnels = new TunnelService({ kubeConfig: async () => kubeConfig, logger: quiet });
  const databaseActions = new DatabaseActions(new DatabaseService({ endpoints: tunnelEndpoints(tunnels), runbook, logger: quiet }));
  const service = new ProcedureService({
    runbook,
    currentContext: async () => context,
    kubeConfig: async () => kubeConfig,
    recorder: recording.recorder,
    actor: io.env.USER ?? 'cli',
    logger: quiet,
    createActions: (kc) => new ClusterActions(kc, { prepare: (ctx, action) => databaseActions.prepare(ctx, action) }),
  });
  try {
    const isProcedure = runbook.procedures.some((p) => p.id === id);
    let run: ProcedureRun;
    try {
      run = await service.start({ ...(isProcedure ? { procedureId: id } : { stepId: id }), values: set.values, context, ...(namespace ? { namespace } : {}) });
    } catch (error) {
      io.err(error instanceof Error ? error.message : String(error));
      return error instanceof CockpitFailure && error.code !== 'Invalid' && error.code !== 'NotFound' ? EXIT.failed : EXIT.usage;
    }
    run = await settle(service, run.id);
    while (run.status === 'awaiting-confirmation') {
      const step = run.steps[run.current]!;
      printRun({ ...run, steps: [step] }, io);
      if (dryRun) {
        io.out(`dry run: stopped before "${step.title}"; nothing changed.`);
        await service.abort(run.id);
        return EXIT.ok;
      }
      if (!yes || (step.risk === 'destructive' && typed?.trim() !== step.target)) {
        io.err(
          step.risk === 'destructive'
            ? `"${step.title}" is destructive: run again with --confirm ${step.target}`
            : `"${step.title}" changes the cluster: run again with --yes after reading the preview`,
        );
        await service.abort(run.id);
        return EXIT.needsConfirmation;
      }
      await service.confirm(run.id, typed);
      run = await settle(service, run.id);
    }
    printRun(run, io);
    io.out(`${run.title}: ${run.status}${run.reason ? ` — ${run.reason}` : ''} (${recording.note})`);
    if (run.status === 'succeeded') return EXIT.ok;
    const code = run.steps[run.current]?.error?.code;
    return code === 'Forbidden' || code === 'Unauthorized' ? EXIT.forbidden : EXIT.failed;
  } finally {
    service.dispose();
    tunnels.dispose();
  }
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  const io: RunbookCliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`), env: process.env };
  runbookCli(process.argv.slice(2), io).then(
    (code) => process.exit(code),
    (error: unknown) => {
      io.err(error instanceof Error ? error.message : String(error));
      process.exit(EXIT.failed);
    },
  );
}
