import { z } from 'zod';
import type { ProcedureRun } from '../procedures/model';
import type { DiffLine } from '../procedures/diff';
import type { ParameterField, ParameterIssue } from '../procedures/parameters';
import type { Risk } from '../runbook/actions';
import { IncidentId, NoInput, request, stream } from './define';

const StepId = z.string().regex(/^[a-z0-9]+([.-][a-z0-9]+)*$/, 'is not a runbook step id').max(200);
const RunId = z.string().regex(/^run-[a-z0-9]+-[a-f0-9]{6}$/, 'is not a run id');
/** Form values by field name (`replicas`, `env`, `input.USER_ID`). */
const Values = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,80}$/, 'is not a parameter name'), z.string().max(10_000));
const ContextName = z.string().min(1).max(253);
const Namespace = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'is not a namespace name').max(63);

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
  access?: { allowed: boolean; checked: boolean; note?: string; missing?: string; reason?: string };
  diff?: DiffLine[];
  summary?: string;
  replaces?: string;
  context: string;
  namespace: string;
  error?: { code: string; message: string };
}

/** Whether the selected context may run each step, from SelfSubjectAccessReviews (cached briefly in main). */
export type StepAccessMap = Record<string, { allowed: boolean; checked: boolean; missing?: string }>;

export const procedureRequests = {
  'procedures:access': request(z.strictObject({ stepIds: z.array(StepId).min(1).max(200), context: ContextName.optional() })).returns<StepAccessMap>(),
  'procedures:preview': request(
    z.strictObject({ stepId: StepId, values: Values.optional(), context: ContextName.optional(), namespace: Namespace.optional() }),
  ).returns<StepPreviewView>(),
  /** Starts a run of one step, a procedure, or a recorded run's revert; read steps run at once, changes wait for `confirm`. */
  'procedures:run': request(
    z
      .strictObject({
        stepId: StepId.optional(),
        procedureId: StepId.optional(),
        revertOf: z.strictObject({ logId: z.union([IncidentId, z.literal('session')]), seq: z.int().nonnegative(), step: z.int().nonnegative().max(1000) }).optional(),
        values: Values.optional(),
        context: ContextName.optional(),
        namespace: Namespace.optional(),
        incidentId: IncidentId.optional(),
      })
      .refine((r) => [r.stepId, r.procedureId, r.revertOf].filter((x) => x !== undefined).length === 1, { message: 'name exactly one of stepId, procedureId, revertOf' }),
  ).returns<ProcedureRun>(),
  /** Confirms the step a run waits at; a destructive one needs the target's name typed. */
  'procedures:confirm': request(z.strictObject({ runId: RunId, typedName: z.string().max(300).optional() })).returns<ProcedureRun>(),
  'procedures:abort': request(z.strictObject({ runId: RunId })).returns<ProcedureRun>(),
  /** Resumes a failed run from the step that failed. */
  'procedures:resume': request(z.strictObject({ runId: RunId })).returns<ProcedureRun>(),
} as const;

export const procedureStreams = {
  /** Every run main knows (at once, so a reloaded page finds them), then each change of one. */
  'procedures:runs': stream(NoInput).emits<ProcedureRun>(),
} as const;
