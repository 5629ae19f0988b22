import { z } from 'zod';
import { IncidentId, NoInput, request, stream } from './define';
const StepId = z.string().regex(/^[a-z0-9]+([.-][a-z0-9]+)*$/, 'is not a runbook step id').max(200);
const RunId = z.string().regex(/^run-[a-z0-9]+-[a-f0-9]{6}$/, 'is not a run id');
/** Form values by field name (`replicas`, `env`, `input.USER_ID`). */
const Values = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,80}$/, 'is not a parameter name'), z.string().max(10_000));
const ContextName = z.string().min(1).max(253);
const Namespace = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'is not a namespace name').max(63);
export const procedureRequests = {
    'procedures:preview': request(z.strictObject({ stepId: StepId, values: Values.optional(), context: ContextName.optional(), namespace: Namespace.optional() })).returns(),
    /** Starts a run of one step, a procedure, or a recorded run's revert; read steps run at once, changes wait for `confirm`. */
    'procedures:run': request(z
        .strictObject({
        stepId: StepId.optional(),
        procedureId: StepId.optional(),
        revertOf: z.strictObject({ logId: z.union([IncidentId, z.literal('session')]), seq: z.int().nonnegative(), step: z.int().nonnegative().max(1000) }).optional(),
        values: Values.optional(),
        context: ContextName.optional(),
        namespace: Namespace.optional(),
        incidentId: IncidentId.optional(),
    })
        .refine((r) => [r.stepId, r.procedureId, r.revertOf].filter((x) => x !== undefined).length === 1, { message: 'name exactly one of stepId, procedureId, revertOf' })).returns(),
    /** Confirms the step a run waits at; a destructive one needs the target's name typed. */
    'procedures:confirm': request(z.strictObject({ runId: RunId, typedName: z.string().max(300).optional() })).returns(),
    'procedures:abort': request(z.strictObject({ runId: RunId })).returns(),
    /** Resumes a failed run from the step that failed. */
    'procedures:resume': request(z.strictObject({ runId: RunId })).returns(),
};
export const procedureStreams = {
    /** Every run main knows (at once, so a reloaded page finds them), then each change of one. */
    'procedures:runs': stream(NoInput).emits(),
};
