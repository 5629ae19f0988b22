/**
 * A step's parameters as a form: which values the responder may change (replicas, image, env,
 * revision, resources, selectors) and the step's declared `inputs` (the GDPR user id), with the
 * runbook's values as defaults; then validation of what was typed into a typed action. The same
 * code validates the dialog, the handler and the CLI's `--set name=value`.
 */
import { ACTION_PARAMS, expandActionParams, type Action } from '../runbook/actions';
import type { Step } from '../runbook/schema';
import { engineActionOf, isCatalogued, type EngineAction } from './model';

export type FieldKind = 'integer' | 'text' | 'image' | 'env' | 'quantity' | 'selector' | 'input';

export interface ParameterField {
  /** What `--set` and the form key it by: `replicas`, `image`, `env`, `limits.memory`, `input.USER_ID`. */
  name: string;
  label: string;
  kind: FieldKind;
  /** The runbook's value, as text ('' when it has none). */
  value: string;
  required: boolean;
  min?: number;
  max?: number;
  /** Anchored pattern for `input` fields. */
  pattern?: string;
  secret?: boolean;
  help?: string;
}

export interface ParameterIssue {
  field: string;
  message: string;
}

/** The most replicas the cockpit will set in one step; more is a typo more often than a plan. */
export const MAX_REPLICAS = 100;

/** Docker image references: `[registry[:port]/]path[:tag][@sha256:digest]`. */
const IMAGE_REFERENCE =
  /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|M|G|T|P|E|Ei)?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const isImageReference = (value: string): boolean => value.length <= 255 && IMAGE_REFERENCE.test(value);

/** `KEY=value` per line sets, `KEY-` unsets (kubectl's syntax). */
export function parseEnvLines(text: string): { set: Record<string, string>; unset: string[]; issues: string[] } {
  const set: Record<string, string> = {};
  const unset: string[] = [];
  const issues: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const unsetMatch = /^([^=\s]+)-$/.exec(line);
    if (unsetMatch) {
      if (!ENV_NAME.test(unsetMatch[1]!)) issues.push(`"${unsetMatch[1]}" is not an environment variable name`);
      else unset.push(unsetMatch[1]!);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) {
      issues.push(`"${line}" must be KEY=value (or KEY- to unset)`);
      continue;
    }
    const key = line.slice(0, eq);
    if (!ENV_NAME.test(key)) issues.push(`"${key}" is not an environment variable name`);
    else set[key] = line.slice(eq + 1);
  }
  if (Object.keys(set).length === 0 && unset.length === 0) issues.push('must set or unset at least one variable');
  return { set, unset, issues };
}

const envText = (env: Record<string, string>) =>
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');

/** The fields a step's dialog shows, with the runbook's values. */
export function parameterFields(step: Step): ParameterField[] {
  const fields: ParameterField[] = [];
  const action = step.action;
  switch (action.type) {
    case 'k8s.scale':
      fields.push({ name: 'replicas', label: 'Replicas', kind: 'integer', value: String(action.params.replicas), required: true, min: 0, max: MAX_REPLICAS });
      break;
    case 'k8s.rolloutUndo':
      fields.push({
        name: 'toRevision',
        label: 'Revision (empty: the previous one)',
        kind: 'integer',
        value: action.params.toRevision === undefined ? '' : String(action.params.toRevision),
        required: false,
        min: 1,
      });
      break;
    case 'k8s.rolloutStatus':
      fields.push({ name: 'timeoutSeconds', label: 'Timeout (seconds)', kind: 'integer', value: String(action.params.timeoutSeconds ?? 300), required: true, min: 1, max: 3600 });
      break;
    case 'k8s.setImage':
      fields.push({ name: 'image', label: `Image for container ${action.params.container}`, kind: 'image', value: action.params.image, required: true });
      break;
    case 'k8s.setEnv':
      fields.push({ name: 'env', label: 'Variables (KEY=value per line, KEY- to unset)', kind: 'env', value: envText(action.params.env), required: true });
      break;
    case 'k8s.patchResources':
      for (const group of ['limits', 'requests'] as const) {
        for (const resource of ['cpu', 'memory'] as const) {
          fields.push({
            name: `${group}.${resource}`,
            label: `${group === 'limits' ? 'Limit' : 'Request'} ${resource}`,
            kind: 'quantity',
            value: action.params[group]?.[resource] ?? '',
            required: false,
          });
        }
      }
      break;
    case 'k8s.deletePods':
      fields.push({ name: 'labelSelector', label: 'Label selector', kind: 'selector', value: action.params.labelSelector, required: true });
      fields.push({ name: 'fieldSelector', label: 'Field selector', kind: 'selector', value: action.params.fieldSelector ?? '', required: false });
      break;
    case 'pg.query':
      if (action.params.queries.includes('terminate-idle')) {
        fields.push({ name: 'idleMinutes', label: 'Idle for more than (minutes)', kind: 'integer', value: String(action.params.idleMinutes ?? 5), required: true, min: 0, max: 10_080 });
      }
      break;
    default:
      break;
  }
  for (const input of step.inputs ?? []) {
    fields.push({
      name: `input.${input.name}`,
      label: input.label,
      kind: 'input',
      value: '',
      required: true,
      ...(input.pattern ? { pattern: input.pattern } : {}),
      ...(input.secret ? { secret: true } : {}),
    });
  }
  return fields;
}

export type Validated = { ok: true; action: EngineAction; inputs: Record<string, string> } | { ok: false; issues: ParameterIssue[] };

function integerOf(field: ParameterField, text: string, issues: ParameterIssue[]): number | undefined {
  if (!/^-?[0-9]+$/.test(text.trim())) {
    issues.push({ field: field.name, message: `${field.label} must be a whole number` });
    return undefined;
  }
  const value = Number(text.trim());
  if (field.min !== undefined && value < field.min) issues.push({ field: field.name, message: `${field.label} must be at least ${field.min}` });
  if (field.max !== undefined && value > field.max) issues.push({ field: field.name, message: `${field.label} must be at most ${field.max}` });
  return value;
}

/**
 * The step's action with the responder's values (`values` keyed by field name; missing ones keep
 * the runbook's), templates expanded (`{date:...}`, `{input:...}`), checked field by field and
 * then against the action's schema. Unknown field names are refused, so a typo in `--set` is seen.
 */
export function validateParameters(step: Step, values: Readonly<Record<string, string>>, namespace: string, now = new Date()): Validated {
  const fields = parameterFields(step);
  const issues: ParameterIssue[] = [];
  for (const name of Object.keys(values)) {
    if (!fields.some((f) => f.name === name)) {
      issues.push({ field: name, message: `this step has no parameter "${name}"${fields.length ? ` (it has ${fields.map((f) => f.name).join(', ')})` : ''}` });
    }
  }
  const inputs: Record<string, string> = {};
  let params: Record<string, unknown> = structuredClone(step.action.params) as Record<string, unknown>;
  let envEdit: { set: Record<string, string>; unset: string[] } | undefined;
  for (const field of fields) {
    const given = Object.hasOwn(values, field.name) ? values[field.name]! : undefined;
    const text = given ?? field.value;
    if (field.kind === 'input') {
      const name = field.name.slice('input.'.length);
      if (!text) {
        issues.push({ field: field.name, message: `${field.label} is required` });
        continue;
      }
      const pattern = new RegExp(`^(?:${field.pattern ?? '[A-Za-z0-9@._:-]+'})$`);
      if (!pattern.test(text)) issues.push({ field: field.name, message: `${field.label} must match ${pattern.source}` });
      inputs[name] = text;
      continue;
    }
    if (given === undefined) continue;
    switch (field.kind) {
      case 'integer': {
        if (!text.trim() && !field.required) {
          delete params[field.name];
          break;
        }
        const value = integerOf(field, text, issues);
        if (value !== undefined) params[field.name] = value;
        break;
      }
      case 'image':
        if (!isImageReference(text.trim())) issues.push({ field: field.name, message: `"${text}" is not an image reference such as registry/codesign-api:1.4.2` });
        params.image = text.trim();
        break;
      case 'env': {
        const parsed = parseEnvLines(text);
        for (const message of parsed.issues) issues.push({ field: field.name, message });
        envEdit = { set: parsed.set, unset: parsed.unset };
        params.env = parsed.set;
        break;
      }
      case 'quantity': {
        const [group, resource] = field.name.split('.') as ['limits' | 'requests', 'cpu' | 'memory'];
        const current = { ...((params[group] as Record<string, string> | undefined) ?? {}) };
        if (!text.trim()) delete current[resource];
        else if (!QUANTITY.test(text.trim())) issues.push({ field: field.name, message: `${field.label} must be a quantity such as 500m or 3Gi` });
        else current[resource] = text.trim();
        params = { ...params, [group]: current };
        if (Object.keys(current).length === 0) delete params[group];
        break;
      }
      case 'selector':
        if (!text.trim()) {
          if (field.required) issues.push({ field: field.name, message: `${field.label} is required` });
          else delete params[field.name];
        } else params[field.name] = text.trim();
        break;
      default:
        params[field.name] = text;
    }
  }
  if (issues.length) return { ok: false, issues };

  if (step.action.type === 'k8s.setEnv' && envEdit && envEdit.unset.length > 0) {
    const p = step.action.params;
    return {
      ok: true,
      inputs,
      action: { type: 'k8s.env', params: { namespace, deployment: p.deployment, ...(p.container ? { container: p.container } : {}), set: envEdit.set, unset: envEdit.unset } },
    };
  }
  let action: Action;
  try {
    action = expandActionParams({ ...step.action, params } as Action, { now, inputs });
  } catch (error) {
    return { ok: false, issues: [{ field: 'inputs', message: error instanceof Error ? error.message : String(error) }] };
  }
  if (isCatalogued(action.type)) {
    const parsed = ACTION_PARAMS[action.type].safeParse(action.params);
    if (!parsed.success) {
      return { ok: false, issues: parsed.error.issues.map((i) => ({ field: i.path.join('.') || action.type, message: i.message })) };
    }
  }
  return { ok: true, inputs, action: withNamespace(engineActionOf({ ...step, action }, namespace), namespace) };
}

/** The action aimed at `namespace` (the responder's chosen namespace over the runbook's). */
export function withNamespace(action: EngineAction, namespace: string): EngineAction {
  const params = action.params as Record<string, unknown>;
  if (typeof params.namespace !== 'string') return action;
  return { ...action, params: { ...params, namespace } } as EngineAction;
}

/** `--set name=value` arguments as form values. */
export function parseSetArguments(pairs: readonly string[]): { values: Record<string, string>; issues: string[] } {
  const values: Record<string, string> = {};
  const issues: string[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) issues.push(`--set ${pair}: must be name=value`);
    else {
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      values[name] = name === 'env' && Object.hasOwn(values, 'env') ? `${values.env}\n${value}` : value;
    }
  }
  return { values, issues };
}
