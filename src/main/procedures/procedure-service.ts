import type { KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Disposable, Emitter, toDisposable, type Event } from '../../shared/lifetimes';
import type { DiffLine } from '../../shared/procedures/diff';
import {
  confirmationTarget,
  describeEngineAction,
  engineActionOf,
  ENGINE_ACTIONS,
  gateRefusal,
  gatingRisk,
  kubectlCommand,
  MAX_RECORDED_OUTPUT,
  PROCEDURE_RUN_RECORD,
  procedureSteps,
  runbookSteps,
  type EngineAction,
  type ProcedureRun,
  type ProcedureRunRecord,
  type RunStepState,
} from '../../shared/procedures/model';
import { parameterFields, validateParameters, type ParameterField, type ParameterIssue } from '../../shared/procedures/parameters';
import { CockpitFailure } from '../../shared/result';
import { expandTemplate, type Risk } from '../../shared/runbook/actions';
import type { Runbook, Step } from '../../shared/runbook/schema';
import type { Logger } from '../app/logger';
import type { RecordLog } from '../incidents/record-log';
import { apiStatus, explainApiError } from './api-errors';
import { ClusterActions, type AccessVerdict, type ActionEvidence, type DatabaseActionRunner, type PreparedAction } from './cluster-actions';

/** Where runs are recorded: the evidence store's append and attachments (an incident's log or `session`). */
export interface RunRecorder {
  append: RecordLog['append'];
  putAttachment?(logId: string, source: AsyncIterable<Buffer>, options: { text: boolean }): Promise<{ sha256: string }>;
  read: RecordLog['read'];
  /** False when nothing can be recorded now (the vault is locked): the run still happens, and says so. */
  writable(): Promise<boolean>;
}

export interface ProcedureServiceDeps {
  runbook: Runbook;
  /** The selected context's name, and any context's KubeConfig (from ContextService). */
  currentContext(): Promise<string>;
  kubeConfig(context: string): Promise<KubeConfig>;
  recorder: RunRecorder;
  actor: string;
  logger: Logger;
  /** Runs finished more than this many ago are forgotten (they stay in the evidence store). */
  keepFinished?: number;
  /** The engine's hands for a context (tests pass a fake; the default talks to the cluster). */
  createActions?: (kubeConfig: KubeConfig) => Pick<ClusterActions, 'access' | 'prepare'>;
  /** Runs the `pg.*` / `redis.*` actions (the Databases service); without it they are Unavailable. */
  databases?: DatabaseActionRunner;
}

/** What to run: one step by id, a whole procedure, or the revert a recorded run offers. */
export interface RunRequest {
  stepId?: string | undefined;
  procedureId?: string | undefined;
  revertOf?: { logId: string; seq: number; step: number } | undefined;
  /** Form values by field name (`replicas`, `input.USER_ID`); for a procedure, they apply to every step with that field. */
  values?: Record<string, string> | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
  incidentId?: string | undefined;
}

export interface StepPreview {
  stepId: string;
  title: string;
  risk: Risk;
  target?: string;
  kubectl: string;
  description: string;
  fields: ParameterField[];
  issues: ParameterIssue[];
  access?: AccessVerdict;
  diff?: DiffLine[];
  summary?: string;
  replaces?: string;
  context: string;
  namespace: string;
  /** Why the preview could not be made (the object does not exist, forbidden, ...). */
  error?: { code: string; message: string };
}

interface PlannedStep {
  step: Step;
  action?: EngineAction;
  /** The responder's `inputs`, for templates in the step's target (`{input:USER_ID}`). */
  inputs?: Record<string, string>;
  skipReason?: string;
}

/** The name to type, with `{input:NAME}` / `{date:...}` expanded (the GDPR erasure's target is the user id). */
function targetOf(step: Step, action: EngineAction, inputs: Record<string, string> = {}): string | undefined {
  const target = confirmationTarget(step, action);
  if (!target) return undefined;
  try {
    return expandTemplate(target, { now: new Date(), inputs });
  } catch {
    return undefined;
  }
}

interface LiveRun {
  run: ProcedureRun;
  actions: Pick<ClusterActions, 'access' | 'prepare'>;
  prepared?: PreparedAction;
  abort: AbortController;
  recorded: boolean;
  /** Captured evidence (logs) to seal with the record. */
  captures: Array<{ fileName: string; text: string }>;
  /** Attachments a step sealed while it ran (a pg_dump), referenced by the record. */
  sealed: string[];
}

const newRunId = () => `run-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const bounded = (text: string) => (text.length > MAX_RECORDED_OUTPUT ? `${text.slice(0, MAX_RECORDED_OUTPUT)}\n… (${text.length - MAX_RECORDED_OUTPUT} more characters in the attachment)` : text);

/**
 * Runs runbook steps and procedures in main: validated parameters, an access review, a
 * server-side dry-run preview, a confirmation by risk (typed name for destructive steps), then
 * the change, its output and what it replaced, recorded into the incident's log (or the session
 * log). A run pauses before every change or destructive step, stops on the first failure, and
 * lives here, so a page reload finds it where it was.
 */
export class ProcedureService extends Disposable {
  private readonly runs = new Map<string, LiveRun>();
  private readonly steps: Map<string, { step: Step }>;
  private readonly changed = this.register(new Emitter<ProcedureRun>());
  readonly onDidChange: Event<ProcedureRun> = this.changed.event;

  constructor(private readonly deps: ProcedureServiceDeps) {
    super();
    this.steps = runbookSteps(deps.runbook);
    this.register(toDisposable(() => this.runs.forEach((live) => live.abort.abort())));
  }

  /** Every run this process knows, newest first. */
  list(): ProcedureRun[] {
    return [...this.runs.values()].map((l) => structuredClone(l.run)).reverse();
  }

  get(runId: string): ProcedureRun {
    return structuredClone(this.live(runId).run);
  }

  private live(runId: string): LiveRun {
    const live = this.runs.get(runId);
    if (!live) throw new CockpitFailure('NotFound', `no run ${runId} (runs are kept until the cockpit restarts; recorded runs are in the timeline)`);
    return live;
  }

  private stepById(stepId: string): Step {
    const located = this.steps.get(stepId);
    if (!located) throw new CockpitFailure('NotFound', `the runbook has no step "${stepId}"`);
    return located.step;
  }

  private defaultNamespace(step: Step | undefined): string {
    const ns = (step?.action.params as { namespace?: unknown } | undefined)?.namespace;
    return typeof ns === 'string' ? ns : this.deps.runbook.service.namespace;
  }

  private readonly accessCache = new Map<string, { at: number; verdict: { allowed: boolean; checked: boolean; missing?: string } }>();

  /**
   * Whether the context may run each step (SelfSubjectAccessReview per needed verb), so a Run
   * button can be shown disabled with what it lacks. Cached for a minute per context and step.
   */
  async access(stepIds: readonly string[], contextName?: string): Promise<Record<string, { allowed: boolean; checked: boolean; missing?: string }>> {
    const context = contextName ?? (await this.deps.currentContext());
    const actions = this.actionsFor(await this.kubeConfigOf(context));
    const answer: Record<string, { allowed: boolean; checked: boolean; missing?: string }> = {};
    for (const stepId of stepIds) {
      const located = this.steps.get(stepId);
      if (!located) continue;
      const action = engineActionOf(located.step, this.defaultNamespace(located.step));
      if (!ENGINE_ACTIONS.has(action.type)) continue;
      const key = `${context}\u0000${stepId}`;
      const cached = this.accessCache.get(key);
      if (cached && Date.now() - cached.at < 60_000) {
        answer[stepId] = cached.verdict;
        continue;
      }
      try {
        const verdict = await actions.access(action);
        answer[stepId] = verdict.allowed ? { allowed: true, checked: verdict.checked } : { allowed: false, checked: true, missing: verdict.missing };
      } catch {
        // An unreachable cluster is reported when the step is previewed; the button stays offered.
        answer[stepId] = { allowed: true, checked: false };
      }
      this.accessCache.set(key, { at: Date.now(), verdict: answer[stepId]! });
    }
    return answer;
  }

  /** Validation, kubectl equivalent, access and (for changes) the server's dry run, without running. */
  async preview(request: { stepId: string; values?: Record<string, string> | undefined; context?: string | undefined; namespace?: string | undefined }): Promise<StepPreview> {
    const step = this.stepById(request.stepId);
    const context = request.context ?? (await this.deps.currentContext());
    const namespace = request.namespace ?? this.defaultNamespace(step);
    const fields = parameterFields(step);
    const validated = validateParameters(step, request.values ?? {}, namespace);
    const baseAction = engineActionOf(step, namespace);
    const action = validated.ok ? validated.action : baseAction;
    const risk = gatingRisk(step, action);
    const target = targetOf(step, action, validated.ok ? validated.inputs : {});
    const preview: StepPreview = {
      stepId: step.id,
      title: step.title,
      risk,
      ...(target ? { target } : {}),
      kubectl: kubectlCommand(action) || step.command,
      description: describeEngineAction(action),
      fields,
      issues: validated.ok ? [] : validated.issues,
      context,
      namespace,
    };
    if (!ENGINE_ACTIONS.has(action.type)) {
      return { ...preview, error: { code: 'Unavailable', message: `The cockpit does not run ${action.type} steps; use the command shown.` } };
    }
    if (!validated.ok) return preview;
    const actions = this.actionsFor(await this.kubeConfigOf(context));
    const scope = { context, namespace, doing: preview.description.toLowerCase() };
    try {
      preview.access = await actions.access(action);
      if (!preview.access.allowed) return preview;
      if (risk !== 'read') {
        const prepared = await actions.prepare(action);
        preview.diff = prepared.diff;
        preview.summary = prepared.summary;
        if (prepared.revert) preview.replaces = prepared.revert.replaced;
      }
    } catch (error) {
      preview.error = explainApiError(error, scope).toError();
    }
    return preview;
  }

  private actionsFor(kubeConfig: KubeConfig): Pick<ClusterActions, 'access' | 'prepare'> {
    return this.deps.createActions ? this.deps.createActions(kubeConfig) : new ClusterActions(kubeConfig, this.deps.databases);
  }

  private async kubeConfigOf(context: string): Promise<KubeConfig> {
    return this.deps.kubeConfig(context);
  }

  private async plan(request: RunRequest, namespace: string): Promise<{ title: string; procedureId?: string; planned: PlannedStep[] }> {
    const values = request.values ?? {};
    const planStep = (step: Step, ownValues: Record<string, string>): PlannedStep => {
      const action = engineActionOf(step, namespace);
      if (!ENGINE_ACTIONS.has(action.type)) return { step, skipReason: `not run by the cockpit (${step.action.type}): do it by hand with the command shown` };
      const validated = validateParameters(step, ownValues, namespace);
      if (!validated.ok) {
        throw new CockpitFailure('Invalid', `${step.id}: ${validated.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, step.id);
      }
      return { step, action: validated.action, inputs: validated.inputs };
    };
    if (request.revertOf) {
      const { logId, seq, step: index } = request.revertOf;
      const record = (await this.deps.recorder.read(logId)).find((r) => r.seq === seq && r.type === PROCEDURE_RUN_RECORD);
      const revert = (record?.body as ProcedureRunRecord | undefined)?.steps[index]?.revert;
      if (!record || !revert) throw new CockpitFailure('NotFound', `record ${seq} of ${logId} offers no revert for step ${index + 1}`);
      const original = (record.body as ProcedureRunRecord).steps[index]!;
      const step: Step = {
        id: `${original.stepId}.revert`,
        title: revert.title,
        command: kubectlCommand(revert.action),
        // A revert is a change at least; a destructive one (scale to 0, an undo) keeps its typed name.
        risk: original.risk === 'read' ? 'change' : original.risk,
        action: revert.action as Step['action'],
        ...(original.target ? { target: original.target } : {}),
      };
      return { title: revert.title, planned: [{ step, action: revert.action }] };
    }
    if (request.procedureId) {
      const procedure = this.deps.runbook.procedures.find((p) => p.id === request.procedureId);
      if (!procedure) throw new CockpitFailure('NotFound', `the runbook has no procedure "${request.procedureId}"`);
      const planned = procedureSteps(procedure).map((step) => {
        const names = new Set(parameterFields(step).map((f) => f.name));
        return planStep(step, Object.fromEntries(Object.entries(values).filter(([k]) => names.has(k))));
      });
      return { title: procedure.title, procedureId: procedure.id, planned };
    }
    if (!request.stepId) throw new CockpitFailure('Invalid', 'name a step, a procedure or a revert to run');
    const step = this.stepById(request.stepId);
    const planned = planStep(step, values);
    if (planned.skipReason) throw new CockpitFailure('Unavailable', `${step.id}: ${planned.skipReason}`);
    return { title: step.title, planned: [planned] };
  }

  /**
   * Starts a run and answers at once; it proceeds through read steps and pauses before the first
   * change (follow it with `onDidChange` / `get`).
   */
  async start(request: RunRequest): Promise<ProcedureRun> {
    const firstStep = request.stepId ? this.steps.get(request.stepId)?.step : undefined;
    const procedure = request.procedureId ? this.deps.runbook.procedures.find((p) => p.id === request.procedureId) : undefined;
    const namespace = request.namespace ?? this.defaultNamespace(firstStep ?? (procedure ? procedureSteps(procedure)[0] : undefined));
    const context = request.context ?? (await this.deps.currentContext());
    const { title, procedureId, planned } = await this.plan(request, namespace);
    const kubeConfig = await this.kubeConfigOf(context);
    const steps: RunStepState[] = planned.map(({ step, action, inputs, skipReason }) => {
      const shown = action ?? engineActionOf(step, namespace);
      const target = action ? targetOf(step, action, inputs) : undefined;
      return {
        stepId: step.id,
        title: step.title,
        action: shown,
        risk: action ? gatingRisk(step, action) : step.risk,
        ...(target ? { target } : {}),
        kubectl: (action && kubectlCommand(action)) || step.command,
        description: describeEngineAction(shown),
        status: skipReason ? 'skipped' : 'pending',
        ...(skipReason ? { error: { code: 'Unavailable', message: skipReason } } : {}),
      };
    });
    const run: ProcedureRun = {
      id: newRunId(),
      title,
      ...(procedureId ? { procedureId } : {}),
      context,
      namespace,
      ...(request.incidentId ? { incidentId: request.incidentId } : {}),
      actor: this.deps.actor,
      status: 'running',
      current: 0,
      steps,
      startedAt: new Date().toISOString(),
      version: 0,
    };
    const live: LiveRun = { run, actions: this.actionsFor(kubeConfig), abort: new AbortController(), recorded: false, captures: [], sealed: [] };
    this.runs.set(run.id, live);
    this.forgetOld();
    this.deps.logger.info('procedure.started', { runId: run.id, title, context, namespace });
    // The run goes on in main (a rollout status may wait minutes); its progress is on the runs stream.
    const snapshot = structuredClone(live.run);
    this.continueRun(live);
    return snapshot;
  }

  private forgetOld(): void {
    const keep = this.deps.keepFinished ?? 50;
    const finished = [...this.runs.values()].filter((l) => !['running', 'awaiting-confirmation'].includes(l.run.status));
    for (const old of finished.slice(0, Math.max(0, finished.length - keep))) this.runs.delete(old.run.id);
  }

  private emit(live: LiveRun): void {
    live.run.version++;
    this.changed.fire(structuredClone(live.run));
  }

  /** Carries the run on in the background (after executing the confirmed step, when `confirmed`). */
  private continueRun(live: LiveRun, confirmed = false): void {
    void (async () => {
      if (confirmed && !(await this.execute(live))) return;
      await this.advance(live);
    })().catch((error: unknown) => {
      this.deps.logger.error('procedure.crashed', { runId: live.run.id, message: error instanceof Error ? error.message : String(error) });
      void this.fail(live, new CockpitFailure('Internal', `the run stopped unexpectedly: ${error instanceof Error ? error.message : String(error)}`));
    });
  }

  /** Goes on from `current`: prepares each step; reads run, changes wait for `confirm`. */
  private async advance(live: LiveRun): Promise<void> {
    const { run } = live;
    while (run.current < run.steps.length) {
      if (live.abort.signal.aborted) return;
      const state = run.steps[run.current]!;
      if (state.status === 'skipped') {
        run.current++;
        continue;
      }
      state.status = 'preparing';
      this.emit(live);
      const scope = { context: run.context, namespace: run.namespace, doing: state.description.toLowerCase() };
      try {
        const access = await live.actions.access(state.action);
        if (!access.allowed) {
          throw new CockpitFailure('Forbidden', `Not allowed: this context lacks "${access.missing}"${access.reason ? ` (${access.reason})` : ''}. Ask for a role that grants it.`);
        }
        live.prepared = await live.actions.prepare(state.action);
        if (state.risk !== 'read') {
          state.preview = { diff: live.prepared.diff, summary: live.prepared.summary };
          if (live.prepared.revert) state.revert = live.prepared.revert;
          state.status = 'awaiting-confirmation';
          run.status = 'awaiting-confirmation';
          this.emit(live);
          return;
        }
      } catch (error) {
        await this.fail(live, explainApiError(error, scope));
        return;
      }
      if (!(await this.execute(live))) return;
    }
    run.status = 'succeeded';
    run.endedAt = new Date().toISOString();
    this.emit(live);
    await this.record(live);
  }

  /** Runs the prepared current step; answers whether the run may go on. */
  private async execute(live: LiveRun): Promise<boolean> {
    const { run } = live;
    const state = run.steps[run.current]!;
    const scope = { context: run.context, namespace: run.namespace, doing: state.description.toLowerCase() };
    state.status = 'running';
    state.startedAt = new Date().toISOString();
    run.status = 'running';
    this.emit(live);
    const started = performance.now();
    const progress = (text: string) => {
      state.progress = text;
      this.emit(live);
    };
    try {
      let result;
      try {
        result = await live.prepared!.execute(progress, live.abort.signal, this.evidenceFor(live));
      } catch (error) {
        if (apiStatus(error) !== 409) throw error;
        // A conflict: someone wrote in between. Read again and try once more.
        live.prepared = await live.actions.prepare(state.action);
        result = await live.prepared.execute(progress, live.abort.signal);
      }
      state.durationMs = Math.round(performance.now() - started);
      state.output = result.output;
      if (result.checks) state.checks = result.checks;
      if (result.capture) live.captures.push(result.capture);
      if (live.abort.signal.aborted) return false;
      if (result.failed) {
        await this.fail(live, new CockpitFailure('Invalid', result.failed));
        return false;
      }
      state.status = 'succeeded';
      run.current++;
      this.emit(live);
      return true;
    } catch (error) {
      state.durationMs = Math.round(performance.now() - started);
      if (live.abort.signal.aborted) return false;
      await this.fail(live, explainApiError(error, scope));
      return false;
    }
  }

  /** Lets a step stream an attachment into the run's log (incident or `session`) as it runs. */
  private evidenceFor(live: LiveRun): ActionEvidence {
    return {
      attach: async (_fileName, source) => {
        if (!this.deps.recorder.putAttachment || !(await this.deps.recorder.writable())) {
          throw new CockpitFailure('Locked', 'the evidence store is locked: unlock it, then run the step again');
        }
        const { sha256 } = await this.deps.recorder.putAttachment(live.run.incidentId ?? 'session', source, { text: true });
        live.sealed.push(sha256);
        return { sha256 };
      },
    };
  }

  private async fail(live: LiveRun, failure: CockpitFailure): Promise<void> {
    const { run } = live;
    const state = run.steps[run.current];
    if (state) {
      state.status = 'failed';
      state.error = failure.toError();
    }
    run.status = 'failed';
    run.reason = `${state ? `${state.title}: ` : ''}${failure.message}`;
    run.endedAt = new Date().toISOString();
    this.deps.logger.warn('procedure.failed', { runId: run.id, code: failure.code, message: failure.message });
    this.emit(live);
    await this.record(live);
  }

  /**
   * Confirms the step the run waits at. A change needs the confirmation; a destructive step also
   * the target's name typed exactly. A wrong name is refused and the run keeps waiting.
   */
  async confirm(runId: string, typedName?: string): Promise<ProcedureRun> {
    const live = this.live(runId);
    const { run } = live;
    const state = run.steps[run.current];
    if (run.status !== 'awaiting-confirmation' || !state || state.status !== 'awaiting-confirmation' || !live.prepared) {
      throw new CockpitFailure('Conflict', `run ${runId} is not waiting for a confirmation (it is ${run.status})`);
    }
    const refusal = gateRefusal(state.risk, state.target, { confirmed: true, typedName });
    if (refusal) throw new CockpitFailure('Invalid', refusal, 'typedName');
    state.confirmation = state.risk === 'destructive' ? `typed ${state.target}` : 'confirmed';
    state.status = 'running';
    run.status = 'running';
    this.emit(live);
    this.continueRun(live, true);
    return structuredClone(run);
  }

  /** Stops a run at the step it is at; nothing after it runs. */
  async abort(runId: string): Promise<ProcedureRun> {
    const live = this.live(runId);
    const { run } = live;
    if (run.status !== 'running' && run.status !== 'awaiting-confirmation') return structuredClone(run);
    live.abort.abort();
    const state = run.steps[run.current];
    if (state && state.status !== 'succeeded') state.status = 'aborted';
    run.status = 'aborted';
    run.reason = 'aborted by the responder';
    run.endedAt = new Date().toISOString();
    this.emit(live);
    await this.record(live);
    return structuredClone(run);
  }

  /** Resumes a failed run from the step that failed (prepared afresh, so its preview is current). */
  async resume(runId: string): Promise<ProcedureRun> {
    const live = this.live(runId);
    const { run } = live;
    if (run.status !== 'failed') throw new CockpitFailure('Conflict', `run ${runId} is ${run.status}; only a failed run resumes`);
    const state = run.steps[run.current];
    if (state) {
      state.status = 'pending';
      delete state.error;
    }
    delete run.reason;
    delete run.endedAt;
    run.status = 'running';
    live.recorded = false;
    delete run.recorded;
    const snapshot = structuredClone(run);
    this.continueRun(live);
    return snapshot;
  }

  /** Appends the run to the incident's log (or `session`), the whole output as an attachment when long. */
  private async record(live: LiveRun): Promise<void> {
    if (live.recorded) return;
    live.recorded = true;
    const { run } = live;
    const logId = run.incidentId ?? 'session';
    try {
      if (!(await this.deps.recorder.writable())) {
        this.deps.logger.warn('procedure.unrecorded', { runId: run.id, reason: 'the evidence store is locked' });
        run.recorded = { notRecorded: 'the evidence store is locked, so this run is not in the evidence log' };
        this.emit(live);
        return;
      }
      const attachments: string[] = [...live.sealed];
      const steps = await Promise.all(
        run.steps.map(async (s) => {
          if (s.output && s.output.length > MAX_RECORDED_OUTPUT && this.deps.recorder.putAttachment) {
            const { sha256 } = await this.deps.recorder.putAttachment(logId, Readable.from([Buffer.from(s.output)]), { text: true });
            attachments.push(sha256);
          }
          return { ...s, ...(s.output ? { output: bounded(s.output) } : {}) };
        }),
      );
      for (const capture of live.captures) {
        if (!this.deps.recorder.putAttachment) break;
        const { sha256 } = await this.deps.recorder.putAttachment(logId, Readable.from([Buffer.from(capture.text)]), { text: true });
        attachments.push(sha256);
      }
      const body: ProcedureRunRecord = {
        runId: run.id,
        title: run.title,
        ...(run.procedureId ? { procedureId: run.procedureId } : {}),
        context: run.context,
        namespace: run.namespace,
        status: run.status,
        ...(run.reason ? { reason: run.reason } : {}),
        startedAt: run.startedAt,
        ...(run.endedAt ? { endedAt: run.endedAt } : {}),
        steps,
      };
      await this.deps.recorder.append(logId, {
        type: PROCEDURE_RUN_RECORD,
        body,
        actor: run.actor,
        context: { context: run.context, namespace: run.namespace },
        ...(attachments.length ? { attachments } : {}),
      });
      run.recorded = { logId };
      this.emit(live);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.logger.error('procedure.record-failed', { runId: run.id, message });
      run.recorded = { notRecorded: `recording failed: ${message}` };
      this.emit(live);
    }
  }
}
