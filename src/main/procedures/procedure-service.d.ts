import type { KubeConfig } from '@kubernetes/client-node';
import { Disposable, type Event } from '../../shared/lifetimes';
import type { DiffLine } from '../../shared/procedures/diff';
import { type ProcedureRun } from '../../shared/procedures/model';
import { type ParameterField, type ParameterIssue } from '../../shared/procedures/parameters';
import { type Risk } from '../../shared/runbook/actions';
import type { Runbook } from '../../shared/runbook/schema';
import type { Logger } from '../app/logger';
import type { RecordLog } from '../incidents/record-log';
import { type AccessVerdict } from './cluster-actions';
/** Where runs are recorded: the evidence store's append and attachments (an incident's log or `session`). */
export interface RunRecorder {
    append: RecordLog['append'];
    putAttachment?(logId: string, source: AsyncIterable<Buffer>, options: {
        text: boolean;
    }): Promise<{
        sha256: string;
    }>;
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
}
/** What to run: one step by id, a whole procedure, or the revert a recorded run offers. */
export interface RunRequest {
    stepId?: string | undefined;
    procedureId?: string | undefined;
    revertOf?: {
        logId: string;
        seq: number;
        step: number;
    } | undefined;
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
    error?: {
        code: string;
        message: string;
    };
}
/**
 * Runs runbook steps and procedures in main: validated parameters, an access review, a
 * server-side dry-run preview, a confirmation by risk (typed name for destructive steps), then
 * the change, its output and what it replaced, recorded into the incident's log (or the session
 * log). A run pauses before every change or destructive step, stops on the first failure, and
 * lives here, so a page reload finds it where it was.
 */
export declare class ProcedureService extends Disposable {
    private readonly deps;
    private readonly runs;
    private readonly steps;
    private readonly changed;
    readonly onDidChange: Event<ProcedureRun>;
    constructor(deps: ProcedureServiceDeps);
    /** Every run this process knows, newest first. */
    list(): ProcedureRun[];
    get(runId: string): ProcedureRun;
    private live;
    private stepById;
    private defaultNamespace;
    /** Validation, kubectl equivalent, access and (for changes) the server's dry run, without running. */
    preview(request: {
        stepId: string;
        values?: Record<string, string> | undefined;
        context?: string | undefined;
        namespace?: string | undefined;
    }): Promise<StepPreview>;
    private kubeConfigOf;
    private plan;
    /** Starts a run; it proceeds at once through read steps and pauses before the first change. */
    start(request: RunRequest): Promise<ProcedureRun>;
    private forgetOld;
    private emit;
    /** Goes on from `current`: prepares each step; reads run, changes wait for `confirm`. */
    private advance;
    /** Runs the prepared current step; answers whether the run may go on. */
    private execute;
    private fail;
    /**
     * Confirms the step the run waits at. A change needs the confirmation; a destructive step also
     * the target's name typed exactly. A wrong name is refused and the run keeps waiting.
     */
    confirm(runId: string, typedName?: string): Promise<ProcedureRun>;
    /** Stops a run at the step it is at; nothing after it runs. */
    abort(runId: string): Promise<ProcedureRun>;
    /** Resumes a failed run from the step that failed (prepared afresh, so its preview is current). */
    resume(runId: string): Promise<ProcedureRun>;
    /** Appends the run to the incident's log (or `session`), the whole output as an attachment when long. */
    private record;
}
