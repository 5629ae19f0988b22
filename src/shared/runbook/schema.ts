import { z } from 'zod';
import { ActionSchema, RiskSchema } from './actions';

/**
 * The runbook as data: the schema of `resources/runbooks/*.yaml`. The bundled runbook encodes the
 * whole operational runbook; the loader (`src/main/runbook/loader.ts`) validates a file against
 * these schemas and then checks what a schema cannot (unique ids, references, targets).
 * Objects are strict: an unknown key (a typo such as `comand`) is an error, not silently dropped.
 */

export { ActionSchema, RiskSchema } from './actions';
export type { Action, ActionType, Risk, StepInput } from './actions';

const text = z.string().min(1, 'must not be empty');

/** Lower-case kebab ids with optional dots (`high-response-times.diagnosis.top-pods`); unique in a runbook. */
export const IdSchema = z
  .string()
  .regex(/^[a-z0-9]+([.-][a-z0-9]+)*$/, 'must be a lower-case id of letters, digits, "-" and "."');

export const SeverityIdSchema = z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
export type SeverityId = z.infer<typeof SeverityIdSchema>;

export const StepInputSchema = z.strictObject({
  name: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an upper-case variable name such as USER_ID'),
  label: text,
  pattern: text.optional(),
  secret: z.boolean().optional(),
});

export const StepSchema = z.strictObject({
  id: IdSchema,
  /** From the comment above the command in the source. */
  title: text,
  /** The original command text, verbatim (multi-line commands keep all their lines). */
  command: text,
  risk: RiskSchema,
  action: ActionSchema,
  /** What the responder must type to confirm a destructive step (e.g. `codesign-api`). */
  target: text.optional(),
  /** Id of a step that checks this step's result. */
  verify: IdSchema.optional(),
  notes: text.optional(),
  /** Values the responder supplies before running (`$USER_ID`); see `renderCommand`. */
  inputs: z.array(StepInputSchema).optional(),
});
export type Step = z.infer<typeof StepSchema>;

/** A manual checklist item ("Update status page"). */
export const TaskSchema = z.strictObject({ id: IdSchema, label: text });
export type Task = z.infer<typeof TaskSchema>;

export const ProcedureCategorySchema = z.enum([
  'troubleshooting',
  'maintenance',
  'emergency',
  'security',
  'compliance',
  'performance',
]);
export type ProcedureCategory = z.infer<typeof ProcedureCategorySchema>;

export const ProcedureSectionSchema = z.strictObject({
  id: IdSchema,
  kind: z.enum(['diagnosis', 'resolution', 'steps']),
  title: text,
  steps: z.array(StepSchema).min(1),
});
export type ProcedureSection = z.infer<typeof ProcedureSectionSchema>;

export const ProcedureSchema = z.strictObject({
  id: IdSchema,
  title: text,
  category: ProcedureCategorySchema,
  /** The heading the procedure sits under in the source, e.g. "Planned Maintenance". */
  group: text.optional(),
  summary: text.optional(),
  symptoms: z.array(text).optional(),
  thresholdIds: z.array(IdSchema).optional(),
  sections: z.array(ProcedureSectionSchema).min(1),
});
export type Procedure = z.infer<typeof ProcedureSchema>;

export const ResponseTimeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('minutes'), minutes: z.int().positive() }),
  z.strictObject({ kind: z.literal('next-business-day') }),
]);
export type ResponseTime = z.infer<typeof ResponseTimeSchema>;

export const EscalationItemSchema = z.strictObject({
  id: IdSchema,
  label: text,
  /** `pagerduty`, `management`, `slack`, `ticket`. */
  channel: text.optional(),
  withinMinutes: z.int().nonnegative().optional(),
});
export type EscalationItem = z.infer<typeof EscalationItemSchema>;

export const SeveritySchema = z.strictObject({
  id: SeverityIdSchema,
  name: text,
  definition: text,
  responseTime: ResponseTimeSchema,
  /** Verbatim: "15 minutes", "Next business day". */
  responseTimeText: text,
  escalation: z.array(EscalationItemSchema).min(1),
  /** Verbatim: "Immediate PagerDuty alert + Management notification". */
  escalationText: text,
});
export type Severity = z.infer<typeof SeveritySchema>;

/** A Prometheus duration as `for:` takes it: `30s`, `2m`, `1h`. */
export const PromDurationSchema = z.string().regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, 'must be a Prometheus duration such as 2m or 30s');
/** A Prometheus alert name: `CodesignErrorRate`. */
export const AlertNameSchema = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus alert name such as CodesignErrorRate');

/**
 * How a threshold row is alerted on: the alert's name (one warning and one critical rule share
 * it, told apart by the `severity` label), how long the condition must hold at each level, and
 * the incident severity the runbook suggests when the responder declares from that alert.
 */
export const ThresholdAlertingSchema = z.strictObject({
  alert: AlertNameSchema,
  for: z.strictObject({ warning: PromDurationSchema, critical: PromDurationSchema }),
  incidentSeverity: z.strictObject({ warning: SeverityIdSchema, critical: SeverityIdSchema }),
});
export type ThresholdAlerting = z.infer<typeof ThresholdAlertingSchema>;

/**
 * An alert the threshold table does not express (the API down), with its own PromQL: the rule
 * generator ships it beside the threshold rules and declaring from it suggests `incidentSeverity`.
 */
export const ExtraAlertSchema = z.strictObject({
  alert: AlertNameSchema,
  expr: text,
  for: PromDurationSchema,
  level: z.enum(['warning', 'critical']),
  incidentSeverity: SeverityIdSchema,
  summary: text,
  action: text,
  procedureIds: z.array(IdSchema),
});
export type ExtraAlert = z.infer<typeof ExtraAlertSchema>;

export const ThresholdSchema = z
  .strictObject({
    id: IdSchema,
    metric: text,
    unit: z.enum(['seconds', 'percent', 'count']),
    warning: z.number().nonnegative(),
    critical: z.number().nonnegative(),
    comparison: z.literal('gt'),
    /** Verbatim from the source table: ">2s", ">5%". */
    warningText: text,
    criticalText: text,
    action: text,
    promql: text,
    procedureIds: z.array(IdSchema),
    /** How the row becomes Prometheus alerting rules and which incident severity each level suggests. */
    alerting: ThresholdAlertingSchema.optional(),
  })
  .refine((t) => t.critical > t.warning, { message: 'critical must be above warning', path: ['critical'] });
export type Threshold = z.infer<typeof ThresholdSchema>;

export const ContactSchema = z.strictObject({
  id: IdSchema,
  role: text,
  email: z.email().optional(),
  /** As written in the source ("+1-555-INFRA-01"). */
  phone: z.string().regex(/^\+[0-9A-Z-]+$/, 'must be a phone number such as +1-555-DB-HELP').optional(),
  group: z.enum(['key', 'emergency']),
});
export type Contact = z.infer<typeof ContactSchema>;

export const LinkSchema = z.strictObject({
  id: IdSchema,
  label: text,
  url: z.url({ protocol: /^https?$/ }),
  kind: z.enum(['status', 'monitoring', 'logs', 'other']),
});
export type Link = z.infer<typeof LinkSchema>;

export const AlertChannelSchema = z.strictObject({
  id: IdSchema,
  alertClass: z.enum(['critical', 'warning', 'security', 'compliance']),
  /** Verbatim: "PagerDuty → On-call engineer". */
  route: text,
});
export type AlertChannel = z.infer<typeof AlertChannelSchema>;

export const KeyMetricSchema = z.strictObject({
  group: z.enum(['application', 'infrastructure', 'business']),
  name: text,
  description: text,
});
export type KeyMetric = z.infer<typeof KeyMetricSchema>;

export const ServiceSchema = z.strictObject({
  name: text,
  namespace: text,
  /** The source's ASCII diagram, verbatim. */
  architecture: text,
  components: z.array(z.strictObject({ name: text, role: text })).min(1),
  dependencies: z.array(z.strictObject({ name: text, detail: text })),
});
export type Service = z.infer<typeof ServiceSchema>;

export const IncidentStageSchema = z.strictObject({
  id: IdSchema,
  order: z.int().positive(),
  title: text,
  steps: z.array(StepSchema),
  tasks: z.array(TaskSchema),
});
export type IncidentStage = z.infer<typeof IncidentStageSchema>;

export const AliasSchema = z.strictObject({
  id: IdSchema,
  name: text,
  /** The `alias name='...'` line, verbatim. */
  command: text,
  steps: z.array(StepSchema).min(1),
});
export type Alias = z.infer<typeof AliasSchema>;

/**
 * A one-click filter of the Logs viewer, taken from the runbook's own `kubectl logs | grep`
 * commands (`stepId` names the step it comes from), so the viewer's filters are the runbook's.
 */
export const LogFilterPresetSchema = z.strictObject({
  id: IdSchema,
  label: text,
  /** RE2 / JavaScript syntax (the step's grep pattern, `\\|` written as `|`). */
  regex: z.string().min(1).max(500),
  ignoreCase: z.boolean().optional(),
  stepId: IdSchema.optional(),
});
export type LogFilterPreset = z.infer<typeof LogFilterPresetSchema>;

export const RunbookSchema = z.strictObject({
  schemaVersion: z.literal(1),
  id: IdSchema,
  title: text,
  version: text,
  /** ISO date, `2024-08-16`. */
  updated: z.iso.date(),
  owner: text,
  overview: text,
  service: ServiceSchema,
  contacts: z.array(ContactSchema),
  links: z.array(LinkSchema),
  alertChannels: z.array(AlertChannelSchema),
  keyMetrics: z.array(KeyMetricSchema),
  severities: z.array(SeveritySchema).min(1),
  thresholds: z.array(ThresholdSchema),
  /** Alerts beyond the threshold table, shipped with the generated rules (optional). */
  extraAlerts: z.array(ExtraAlertSchema).optional(),
  checks: z.strictObject({
    daily: z.array(StepSchema),
    weekly: z.array(StepSchema),
    monthly: z.array(TaskSchema),
  }),
  incidentProcess: z.array(IncidentStageSchema),
  procedures: z.array(ProcedureSchema),
  aliases: z.array(AliasSchema),
  externalDependencies: z.array(z.strictObject({ name: text, provider: text })),
  /** The Logs viewer's one-click filters (optional: a runbook without them has none). */
  logFilters: z.array(LogFilterPresetSchema).optional(),
});
export type Runbook = z.infer<typeof RunbookSchema>;
