/**
 * The procedure model shared by main (the engine, the CLI) and the renderer (the run dialog):
 * which steps the engine runs, the risk that gates each one, what a responder must type, the
 * equivalent kubectl command, and the shape of a run. Pure TypeScript.
 */
import { ACTION_PARAMS, describeAction, minimumRisk, namedQuerySql, riskAtLeast, type Action, type ActionType, type Risk } from '../runbook/actions';
import type { Procedure, Runbook, Step } from '../runbook/schema';
import type { DiffLine } from './diff';

/**
 * An action as the engine runs it: a runbook action, or `health.check`, the composite that
 * stands in for the runbook's `./scripts/health-check.sh` (which does not exist).
 */
export type EngineAction =
  | Action
  | { type: 'health.check'; params: { namespace: string } }
  /** Sets and unsets variables at once (`kubectl set env A=1 B-`): a form edit with `B-`, or a revert. */
  | { type: 'k8s.env'; params: { namespace: string; deployment: string; container?: string | undefined; set: Record<string, string>; unset: string[] } };
export type EngineActionType = EngineAction['type'];

/** The runbook's missing script; a `host.command` naming it runs as `health.check`. */
export const HEALTH_CHECK_SCRIPT = './scripts/health-check.sh';

/** Action types the engine executes. Others (prom.*, terminal) belong to other panels. */
export const ENGINE_ACTIONS: ReadonlySet<EngineActionType> = new Set<EngineActionType>([
  'k8s.pods',
  'k8s.rolloutHistory',
  'k8s.rolloutStatus',
  'k8s.rolloutRestart',
  'k8s.rolloutUndo',
  'k8s.scale',
  'k8s.setEnv',
  'k8s.env',
  'k8s.setImage',
  'k8s.patchResources',
  'k8s.deletePods',
  'k8s.exec',
  'k8s.getCustom',
  'k8s.describeCustom',
  'k8s.deleteCustom',
  'k8s.deleteSecret',
  'k8s.rotateSecret',
  'k8s.hpa',
  'k8s.pv',
  'k8s.top',
  'k8s.logs',
  'http.check',
  'evidence.capture',
  'compliance.script',
  'health.check',
  'pg.ready',
  'pg.query',
  'pg.dump',
  'redis.info',
]);

/** The action a step runs in the engine (`host.command ./scripts/health-check.sh` becomes `health.check`). */
export function engineActionOf(step: Step, namespace: string): EngineAction {
  if (step.action.type === 'host.command' && step.action.params.program === HEALTH_CHECK_SCRIPT) {
    return { type: 'health.check', params: { namespace } };
  }
  return step.action;
}

/** Whether the engine can run this step (a Run button is offered). */
export function isRunnable(step: Step, namespace = 'default'): boolean {
  return ENGINE_ACTIONS.has(engineActionOf(step, namespace).type);
}

const RISK_ORDER: Risk[] = ['read', 'change', 'destructive'];
const stronger = (a: Risk, b: Risk): Risk => (riskAtLeast(a, b) ? a : b);

/**
 * The risk that gates a run: the step's declared risk, raised to what the action is (the issue's
 * list: scale to 0, deleting pods, certificates or secrets, rotating a secret and rollout undo
 * are destructive whatever the YAML says).
 */
export function gatingRisk(step: Pick<Step, 'risk'>, action: EngineAction): Risk {
  if (action.type === 'health.check') return step.risk;
  if (action.type === 'k8s.env') return stronger(step.risk, 'change');
  let floor = minimumRisk(action);
  if (action.type === 'k8s.rolloutUndo') floor = 'destructive';
  return stronger(step.risk, floor);
}

/** What the responder must type to confirm a destructive run: the step's target, else the object's name. */
export function confirmationTarget(step: Pick<Step, 'target'>, action: EngineAction): string | undefined {
  if (step.target) return step.target;
  const p = action.params as Record<string, unknown>;
  if (typeof p.deployment === 'string') return p.deployment;
  if (typeof p.name === 'string') return p.name;
  if (typeof p.labelSelector === 'string') return p.labelSelector.replace(/^app=/, '');
  return undefined;
}

/** Why a run may not go ahead yet; undefined when the confirmation satisfies the risk. */
export function gateRefusal(risk: Risk, target: string | undefined, confirmation: { confirmed: boolean; typedName?: string | undefined }): string | undefined {
  if (risk === 'read') return undefined;
  if (!confirmation.confirmed) return 'This step changes the cluster: confirm it after reading the preview.';
  if (risk === 'destructive') {
    if (!target) return 'This destructive step names no target to confirm, so it cannot run.';
    if (confirmation.typedName?.trim() !== target) return `This step is destructive: type "${target}" to confirm.`;
  }
  return undefined;
}

export const riskIndex = (risk: Risk): number => RISK_ORDER.indexOf(risk);

const q = (value: string) => (/^[A-Za-z0-9@%+=:,./_-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`);

/** The kubectl command that does the same as the action, for the responder to check or repeat by hand. */
export function kubectlCommand(action: EngineAction): string {
  const n = (ns: string | undefined) => (ns ? ` -n ${q(ns)}` : '');
  switch (action.type) {
    case 'k8s.pods': {
      const p = action.params;
      return `kubectl get pods${n(p.namespace)}${p.labelSelector ? ` -l ${q(p.labelSelector)}` : ''}${
        p.fieldSelector ? ` --field-selector=${q(p.fieldSelector)}` : ''
      }${p.excludeStatus ? ` | grep -v ${q(p.excludeStatus)}` : ''}`;
    }
    case 'k8s.rolloutHistory':
      return `kubectl rollout history deployment/${action.params.deployment}${n(action.params.namespace)}`;
    case 'k8s.rolloutStatus':
      return `kubectl rollout status deployment/${action.params.deployment}${n(action.params.namespace)}${
        action.params.timeoutSeconds ? ` --timeout=${action.params.timeoutSeconds}s` : ''
      }`;
    case 'k8s.rolloutRestart':
      return `kubectl rollout restart deployment/${action.params.deployment}${n(action.params.namespace)}`;
    case 'k8s.rolloutUndo':
      return `kubectl rollout undo deployment/${action.params.deployment}${
        action.params.toRevision ? ` --to-revision=${action.params.toRevision}` : ''
      }${n(action.params.namespace)}`;
    case 'k8s.scale':
      return `kubectl scale deployment ${action.params.deployment} --replicas=${action.params.replicas}${n(action.params.namespace)}`;
    case 'k8s.setEnv': {
      const pairs = Object.entries(action.params.env).map(([k, v]) => q(`${k}=${v}`));
      return `kubectl set env deployment/${action.params.deployment}${action.params.container ? ` -c ${q(action.params.container)}` : ''} ${pairs.join(' ')}${n(action.params.namespace)}`;
    }
    case 'k8s.env': {
      const pairs = [...Object.entries(action.params.set).map(([k, v]) => q(`${k}=${v}`)), ...action.params.unset.map((k) => `${k}-`)];
      return `kubectl set env deployment/${action.params.deployment}${action.params.container ? ` -c ${q(action.params.container)}` : ''} ${pairs.join(' ')}${n(action.params.namespace)}`;
    }
    case 'k8s.setImage':
      return `kubectl set image deployment/${action.params.deployment} ${q(`${action.params.container}=${action.params.image}`)}${n(action.params.namespace)}`;
    case 'k8s.patchResources': {
      const container: Record<string, unknown> = { name: action.params.container, resources: resourcesPatch(action.params) };
      return `kubectl patch deployment ${action.params.deployment}${n(action.params.namespace)} -p ${q(
        JSON.stringify({ spec: { template: { spec: { containers: [container] } } } }),
      )}`;
    }
    case 'k8s.deletePods':
      return `kubectl delete pod -l ${q(action.params.labelSelector)}${n(action.params.namespace)}${
        action.params.fieldSelector ? ` --field-selector=${q(action.params.fieldSelector)}` : ''
      }`;
    case 'k8s.exec': {
      const target = action.params.target.kind === 'pod' ? action.params.target.name : `deployment/${action.params.target.name}`;
      return `kubectl exec ${target}${n(action.params.namespace)}${action.params.container ? ` -c ${q(action.params.container)}` : ''} -- ${action.params.command
        .map(q)
        .join(' ')}`;
    }
    case 'k8s.getCustom':
      return `kubectl get ${action.params.plural}.${action.params.group}${action.params.name ? ` ${action.params.name}` : ''}${n(action.params.namespace)}`;
    case 'k8s.describeCustom':
      return `kubectl describe ${action.params.plural}.${action.params.group} ${action.params.name}${n(action.params.namespace)}`;
    case 'k8s.deleteCustom':
      return `kubectl delete ${action.params.plural}.${action.params.group} ${action.params.name}${n(action.params.namespace)}`;
    case 'k8s.deleteSecret':
      return `kubectl delete secret ${action.params.name}${n(action.params.namespace)}`;
    case 'k8s.rotateSecret':
      return `kubectl create secret generic ${action.params.name}${n(action.params.namespace)} ${action.params.keys
        .map((k) => `--from-literal=${k.key}="$(openssl rand -base64 ${k.bytes})"`)
        .join(' ')} --dry-run=client -o yaml | kubectl apply -f -`;
    case 'k8s.hpa':
      return `kubectl describe hpa${action.params.name ? ` ${action.params.name}` : ''}${n(action.params.namespace)}`;
    case 'k8s.pv':
      return 'kubectl get pv';
    case 'k8s.top':
      return action.params.resource === 'nodes' ? 'kubectl top nodes' : `kubectl top pods${n(action.params.namespace)}${action.params.containers ? ' --containers' : ''}`;
    case 'k8s.logs': {
      const p = action.params;
      const target = p.target.kind === 'pod' ? p.target.name : `${p.target.kind}/${p.target.name}`;
      return `kubectl logs${n(p.namespace)} ${target}${p.container ? ` -c ${q(p.container)}` : ''}${p.tail !== undefined ? ` --tail=${p.tail}` : ''}${p.previous ? ' --previous' : ''}${
        p.filter ? ` | grep${p.filter.ignoreCase ? ' -i' : ''} -E ${q(p.filter.regex)}` : ''
      }`;
    }
    case 'http.check':
      return `curl -s -o /dev/null -w '%{http_code} %{time_total}s' ${action.params.method === 'HEAD' ? '-I ' : ''}${q(action.params.url)}`;
    case 'evidence.capture': {
      const s = action.params.source;
      return `kubectl logs${n(s.namespace)} ${s.target.kind === 'pod' ? s.target.name : `${s.target.kind}/${s.target.name}`} > ${q(action.params.fileName)}`;
    }
    case 'compliance.script': {
      const p = action.params;
      const target = p.target.kind === 'pod' ? p.target.name : `deployment/${p.target.name}`;
      return `kubectl exec ${target}${n(p.namespace)} -- python -c ${q(p.python)}`;
    }
    case 'pg.query': {
      // What the run sends (SQL of a 13+ server, the idle age given), one statement per psql -c.
      const p = action.params;
      const sql = p.queries.map((query) => namedQuerySql(query, p.database, 130000, { idleMinutes: p.idleMinutes }));
      const dq = (text: string) => `"${text.replace(/["$`\\]/g, '\\$&')}"`;
      return `kubectl exec -it ${p.pod}${n(p.namespace)} -- psql -U ${q(p.user)} -d ${q(p.database)}${sql.map((s) => ` -c ${dq(`${s};`)}`).join('')}`;
    }
    case 'health.check':
      return `kubectl get pods,deployments,nodes${n(action.params.namespace)} && kubectl get events --field-selector=type=Warning${n(action.params.namespace)}`;
    default:
      return '';
  }
}

/** The resources block a `k8s.patchResources` sends (only the fields it sets). */
export function resourcesPatch(p: { limits?: { cpu?: string | undefined; memory?: string | undefined } | undefined; requests?: { cpu?: string | undefined; memory?: string | undefined } | undefined }): Record<string, Record<string, string>> {
  const clean = (r?: { cpu?: string | undefined; memory?: string | undefined }) =>
    Object.fromEntries(Object.entries(r ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return {
    ...(p.limits ? { limits: clean(p.limits) } : {}),
    ...(p.requests ? { requests: clean(p.requests) } : {}),
  };
}

/** Where a runnable step sits in the runbook, so a run names it by id (`rollback-process.undo`). */
export interface LocatedStep {
  step: Step;
  /** The procedure it belongs to, when it belongs to one. */
  procedure?: Procedure;
}

/** Every step of the runbook by id: checks, incident process, procedures, aliases. */
export function runbookSteps(runbook: Runbook): Map<string, LocatedStep> {
  const steps = new Map<string, LocatedStep>();
  for (const step of [...runbook.checks.daily, ...runbook.checks.weekly]) steps.set(step.id, { step });
  for (const stage of runbook.incidentProcess) for (const step of stage.steps) steps.set(step.id, { step });
  for (const procedure of runbook.procedures) {
    for (const section of procedure.sections) for (const step of section.steps) steps.set(step.id, { step, procedure });
  }
  for (const alias of runbook.aliases) for (const step of alias.steps) steps.set(step.id, { step });
  return steps;
}

/** The steps a whole procedure runs, in order (every section). */
export const procedureSteps = (procedure: Procedure): Step[] => procedure.sections.flatMap((s) => s.steps);

/** Whether `type` has a parameter schema in the catalogue (the engine's own `health.check` has none). */
export const isCatalogued = (type: string): type is ActionType => Object.hasOwn(ACTION_PARAMS, type);

export type RunStatus = 'running' | 'awaiting-confirmation' | 'succeeded' | 'failed' | 'aborted';
export type RunStepStatus = 'pending' | 'preparing' | 'awaiting-confirmation' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'aborted';

/** A pass / warn / fail line of the health check (and of any check-like output). */
export interface CheckLine {
  name: string;
  status: 'pass' | 'warn' | 'fail' | 'skipped';
  detail: string;
}

/** What a change replaced, and the action that puts it back. */
export interface RevertOffer {
  /** `replicas 3`, `image codesign-api:1.4.2`, `revision 2`, ... */
  replaced: string;
  action: EngineAction;
  title: string;
}

export interface RunStepState {
  stepId: string;
  title: string;
  action: EngineAction;
  risk: Risk;
  /** What to type when `risk` is destructive. */
  target?: string;
  kubectl: string;
  description: string;
  status: RunStepStatus;
  /** The server-side dry run compared with the object now (change and destructive steps). */
  preview?: { diff: DiffLine[]; summary: string };
  /** Live progress ("3 of 5 updated"). */
  progress?: string;
  /** Bounded output text (the whole output goes to the evidence store as an attachment). */
  output?: string;
  checks?: CheckLine[];
  error?: { code: string; message: string };
  startedAt?: string;
  durationMs?: number;
  revert?: RevertOffer;
  /** How it was confirmed: `confirmed` or `typed codesign-api`. */
  confirmation?: string;
}

/** A run of one step or a whole procedure. It lives in main, so a page reload finds it again. */
export interface ProcedureRun {
  id: string;
  title: string;
  /** The runbook procedure, when the run is a whole one. */
  procedureId?: string;
  context: string;
  namespace: string;
  /** Where it is recorded: the incident, or the session log. */
  incidentId?: string;
  actor: string;
  status: RunStatus;
  /** The step the run is at (awaiting confirmation, running, or where it stopped). */
  current: number;
  steps: RunStepState[];
  startedAt: string;
  endedAt?: string;
  /** Why it stopped, when it failed or was aborted. */
  reason?: string;
  /** Bumped on every change, so a client keeps the newest of two snapshots. */
  version: number;
  /** Once the run ended: where it was recorded, or why it was not (the evidence store was locked). */
  recorded?: { logId: string } | { notRecorded: string };
}

/** The body of a `procedure.run` record: what the timeline shows and what a revert reads. */
export interface ProcedureRunRecord {
  runId: string;
  title: string;
  procedureId?: string;
  context: string;
  namespace: string;
  status: RunStatus;
  reason?: string;
  startedAt: string;
  endedAt?: string;
  steps: Array<Omit<RunStepState, 'status'> & { status: RunStepStatus }>;
}

export const PROCEDURE_RUN_RECORD = 'procedure.run';
/** Bounded output kept in the record and the run; the whole output goes into an attachment. */
export const MAX_RECORDED_OUTPUT = 8_000;

/** A run's one-line summary for the timeline: `Rollback Process: succeeded (4 steps)`. */
export function describeRun(run: Pick<ProcedureRunRecord, 'title' | 'status' | 'steps' | 'reason'>): string {
  const done = run.steps.filter((s) => s.status === 'succeeded').length;
  const steps = run.steps.length > 1 ? ` (${done} of ${run.steps.length} steps)` : '';
  return `Ran ${run.title}: ${run.status}${steps}${run.reason ? ` — ${run.reason}` : ''}`;
}

/** A one-line description of any engine action (the catalogue's, plus the engine's own). */
export function describeEngineAction(action: EngineAction): string {
  if (action.type === 'health.check') return `Health check of ${action.params.namespace}: pods, deployments, warning events, nodes`;
  if (action.type === 'k8s.env') {
    const parts = [...Object.entries(action.params.set).map(([k, v]) => `${k}=${v}`), ...action.params.unset.map((k) => `unset ${k}`)];
    return `Set ${parts.join(', ')} on deployment ${action.params.deployment}`;
  }
  return describeAction(action);
}
