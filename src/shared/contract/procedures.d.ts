import { z } from 'zod';
import type { ProcedureRun } from '../procedures/model';
import type { DiffLine } from '../procedures/diff';
import type { ParameterField, ParameterIssue } from '../procedures/parameters';
import type { Risk } from '../runbook/actions';
/** What a step would do, before it runs: its form, the kubectl equivalent, access and the dry-run diff. */
export interface StepPreviewView {
    stepId: string;
    title: string;
    risk: Risk;
    target?: string;
    kubectl: string;
    description: string;
    fields: ParameterField[];
    issues: ParameterIssue[];
    access?: {
        allowed: boolean;
        checked: boolean;
        note?: string;
        missing?: string;
        reason?: string;
    };
    diff?: DiffLine[];
    summary?: string;
    replaces?: string;
    context: string;
    namespace: string;
    error?: {
        code: string;
        message: string;
    };
}
export declare const procedureRequests: {
    readonly 'procedures:preview': import("./define").RequestSpec<z.ZodObject<{
        stepId: z.ZodString;
        values: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>>;
        context: z.ZodOptional<z.ZodString>;
        namespace: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, StepPreviewView>;
    /** Starts a run of one step, a procedure, or a recorded run's revert; read steps run at once, changes wait for `confirm`. */
    readonly 'procedures:run': import("./define").RequestSpec<z.ZodObject<{
        stepId: z.ZodOptional<z.ZodString>;
        procedureId: z.ZodOptional<z.ZodString>;
        revertOf: z.ZodOptional<z.ZodObject<{
            logId: z.ZodUnion<readonly [z.ZodString, z.ZodLiteral<"session">]>;
            seq: z.ZodInt;
            step: z.ZodInt;
        }, z.core.$strict>>;
        values: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>>;
        context: z.ZodOptional<z.ZodString>;
        namespace: z.ZodOptional<z.ZodString>;
        incidentId: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, ProcedureRun>;
    /** Confirms the step a run waits at; a destructive one needs the target's name typed. */
    readonly 'procedures:confirm': import("./define").RequestSpec<z.ZodObject<{
        runId: z.ZodString;
        typedName: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>, ProcedureRun>;
    readonly 'procedures:abort': import("./define").RequestSpec<z.ZodObject<{
        runId: z.ZodString;
    }, z.core.$strict>, ProcedureRun>;
    /** Resumes a failed run from the step that failed. */
    readonly 'procedures:resume': import("./define").RequestSpec<z.ZodObject<{
        runId: z.ZodString;
    }, z.core.$strict>, ProcedureRun>;
};
export declare const procedureStreams: {
    /** Every run main knows (at once, so a reloaded page finds them), then each change of one. */
    readonly 'procedures:runs': import("./define").StreamSpec<z.ZodObject<{}, z.core.$strict>, ProcedureRun>;
};
