/**
 * The procedure model shared by main (the engine, the CLI) and the renderer (the run dialog):
 * which steps the engine runs, the risk that gates each one, what a responder must type, the
 * equivalent kubectl command, and the shape of a run. Pure TypeScript.
 */
import { type Action, type ActionType, type Risk } from '../runbook/actions';
import type { Procedure, Runbook, Step } from '../runbook/schema';
import type { DiffLine } from './diff';
/**
 * An action as the engine runs it: a runbook action, or `health.check`, the composite that
 * stands in for the runbook's `./scripts/health-check.sh` (which does not exist).
 */
export type EngineAction = Action | {
    type: 'health.check';
    params: {
        namespace: string;
    };
}
/** Sets and unsets variables at once (`kubectl set env A=1 B-`): a form edit with `B-`, or a revert. */
 | {
    type: 'k8s.env';
    params: {
        namespace: string;
        deployment: string;
        container?: string | undefined;
        set: Record<string, string>;
        unset: string[];
    };
};
export type EngineActionType = EngineAction['type'];
/** The runbook's missing script; a `host.command` naming it runs as `health.check`. */
export declare const HEALTH_CHECK_SCRIPT = "./scripts/health-check.sh";
/** Action types the engine executes. Others (logs, pg.*, prom.*, terminal) belong to other panels. */
export declare const ENGINE_ACTIONS: ReadonlySet<EngineActionType>;
/** The action a step runs in the engine (`host.command ./scripts/health-check.sh` becomes `health.check`). */
export declare function engineActionOf(step: Step, namespace: string): EngineAction;
/** Whether the engine can run this step (a Run button is offered). */
export declare function isRunnable(step: Step, namespace?: string): boolean;
/**
 * The risk that gates a run: the step's declared risk, raised to what the action is (the issue's
 * list: scale to 0, deleting pods, certificates or secrets, rotating a secret and rollout undo
 * are destructive whatever the YAML says).
 */
export declare function gatingRisk(step: Pick<Step, 'risk'>, action: EngineAction): Risk;
/** What the responder must type to confirm a destructive run: the step's target, else the object's name. */
export declare function confirmationTarget(step: Pick<Step, 'target'>, action: EngineAction): string | undefined;
/** Why a run may not go ahead yet; undefined when the confirmation satisfies the risk. */
export declare function gateRefusal(risk: Risk, target: string | undefined, confirmation: {
    confirmed: boolean;
    typedName?: string | undefined;
}): string | undefined;
export declare const riskIndex: (risk: Risk) => number;
/** The kubectl command that does the same as the action, for the responder to check or repeat by hand. */
export declare function kubectlCommand(action: EngineAction): string;
/** The resources block a `k8s.patchResources` sends (only the fields it sets). */
export declare function resourcesPatch(p: {
    limits?: {
        cpu?: string | undefined;
        memory?: string | undefined;
    } | undefined;
    requests?: {
        cpu?: string | undefined;
        memory?: string | undefined;
    } | undefined;
}): Record<string, Record<string, string>>;
/** Where a runnable step sits in the runbook, so a run names it by id (`rollback-process.undo`). */
export interface LocatedStep {
    step: Step;
    /** The procedure it belongs to, when it belongs to one. */
    procedure?: Procedure;
}
/** Every step of the runbook by id: checks, incident process, procedures, aliases. */
export declare function runbookSteps(runbook: Runbook): Map<string, LocatedStep>;
/** The steps a whole procedure runs, in order (every section). */
export declare const procedureSteps: (procedure: Procedure) => Step[];
/** Whether `type` has a parameter schema in the catalogue (the engine's own `health.check` has none). */
export declare const isCatalogued: (type: string) => type is ActionType;
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
    preview?: {
        diff: DiffLine[];
        summary: string;
    };
    /** Live progress ("3 of 5 updated"). */
    progress?: string;
    /** Bounded output text (the whole output goes to the evidence store as an attachment). */
    output?: string;
    checks?: CheckLine[];
    error?: {
        code: string;
        message: string;
    };
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
    steps: Array<Omit<RunStepState, 'status'> & {
        status: RunStepStatus;
    }>;
}
export declare const PROCEDURE_RUN_RECORD = "procedure.run";
/** Bounded output kept in the record and the run; the whole output goes into an attachment. */
export declare const MAX_RECORDED_OUTPUT = 8000;
/** A run's one-line summary for the timeline: `Rollback Process: succeeded (4 steps)`. */
export declare function describeRun(run: Pick<ProcedureRunRecord, 'title' | 'status' | 'steps' | 'reason'>): string;
