/**
 * Label selectors (`app=x,tier in (a,b),!legacy`) and field selectors (`status.phase!=Running`)
 * as the API server parses them from `labelSelector` / `fieldSelector`, plus the structured
 * `LabelSelector` of workload specs.
 */
import type { KubeObject } from './types';

export type LabelRequirement =
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** A selector the client sent that does not parse; the server answers 400 BadRequest. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

const LABEL_KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, selector: string): string {
  if (!LABEL_KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${selector}"`);
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!LABEL_VALUE.test(value)) throw new SelectorError(`unable to parse requirement: invalid label value "${value}" in "${selector}"`);
  return value;
}

/** Parses a `labelSelector` query value; throws `SelectorError` when it does not parse. */
export function parseLabelSelector(selector: string | null | undefined): LabelRequirement[] {
  if (!selector) return [];
  return splitTopLevel(selector).map((term): LabelRequirement => {
    const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (setMatch) {
      const values = (setMatch[3] ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0)
        .map((v) => checkValue(v, selector));
      return { key: checkKey(setMatch[1] as string, selector), op: setMatch[2] as 'in' | 'notin', values };
    }
    if (term.startsWith('!')) return { key: checkKey(term.slice(1).trim(), selector), op: '!exists' };
    const eqMatch = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (eqMatch) {
      return {
        key: checkKey(eqMatch[1] as string, selector),
        op: eqMatch[2] === '!=' ? '!=' : '=',
        value: checkValue(eqMatch[3] as string, selector),
      };
    }
    if (/^[^\s=!()]+$/.test(term)) return { key: checkKey(term, selector), op: 'exists' };
    throw new SelectorError(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
  });
}

/** True when the labels satisfy every requirement. */
export function matchesLabels(requirements: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const own = labels ?? {};
  return requirements.every((req) => {
    const has = Object.prototype.hasOwnProperty.call(own, req.key);
    const value = own[req.key];
    switch (req.op) {
      case '=':
        return has && value === req.value;
      case '!=':
        return !has || value !== req.value;
      case 'in':
        return has && req.values.includes(value as string);
      case 'notin':
        return !has || !req.values.includes(value as string);
      case 'exists':
        return has;
      case '!exists':
        return !has;
    }
  });
}

/** A workload's structured `LabelSelector` (matchLabels + matchExpressions). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Converts a structured `LabelSelector` into requirements; an empty selector matches everything. */
export function requirementsOf(selector: LabelSelectorObject | undefined): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) requirements.push({ key, op: '=', value });
  for (const expr of selector?.matchExpressions ?? []) {
    switch (expr.operator) {
      case 'In':
        requirements.push({ key: expr.key, op: 'in', values: expr.values ?? [] });
        break;
      case 'NotIn':
        requirements.push({ key: expr.key, op: 'notin', values: expr.values ?? [] });
        break;
      case 'Exists':
        requirements.push({ key: expr.key, op: 'exists' });
        break;
      case 'DoesNotExist':
        requirements.push({ key: expr.key, op: '!exists' });
        break;
      default:
        throw new SelectorError(`"${expr.operator}" is not a valid label selector operator`);
    }
  }
  return requirements;
}

/** `app=x,tier in (a,b)`: a structured selector written the way kubectl prints it. */
export function formatLabelSelector(selector: LabelSelectorObject | undefined): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) parts.push(`${key}=${value}`);
  for (const expr of selector?.matchExpressions ?? []) {
    const values = (expr.values ?? []).join(',');
    if (expr.operator === 'In') parts.push(`${expr.key} in (${values})`);
    else if (expr.operator === 'NotIn') parts.push(`${expr.key} notin (${values})`);
    else if (expr.operator === 'Exists') parts.push(expr.key);
    else if (expr.operator === 'DoesNotExist') parts.push(`!${expr.key}`);
  }
  return parts.length > 0 ? parts.join(',') : '<none>';
}

/** Parses a `fieldSelector` query value (`a=b`, `a==b`, `a!=b`, comma separated). */
export function parseFieldSelector(selector: string | null | undefined): FieldRequirement[] {
  if (!selector) return [];
  return splitTopLevel(selector).map((term) => {
    const match = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${term}'`);
    return { field: match[1] as string, op: match[2] === '!=' ? '!=' : '=', value: (match[3] as string).trim() };
  });
}

/** Field paths every kind supports, plus the ones a kind adds (as the real API server allows). */
const KIND_FIELDS: Record<string, string[]> = {
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Secret: ['type'],
  Node: ['spec.unschedulable'],
  Namespace: ['status.phase'],
  ReplicaSet: ['status.replicas'],
  Job: ['status.successful'],
  PersistentVolume: [],
  PersistentVolumeClaim: [],
};

/** Rejects fields the kind cannot be selected by, with the real server's message. */
export function checkFieldSelector(kind: string, requirements: FieldRequirement[]): void {
  for (const req of requirements) {
    if (req.field === 'metadata.name' || req.field === 'metadata.namespace') continue;
    if (KIND_FIELDS[kind]?.includes(req.field)) continue;
    throw new SelectorError(`field label not supported: ${req.field}`);
  }
}

function fieldValue(object: KubeObject, field: string): string {
  if (field === 'source' && object.kind === 'Event') {
    const source = object.source as { component?: string } | undefined;
    return source?.component ?? '';
  }
  let current: unknown = object;
  for (const part of field.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined || current === null) return '';
  return typeof current === 'object' ? JSON.stringify(current) : String(current);
}

/** True when the object satisfies every field requirement. */
export function matchesFields(requirements: FieldRequirement[], object: KubeObject): boolean {
  return requirements.every((req) => {
    const value = fieldValue(object, req.field);
    return req.op === '=' ? value === req.value : value !== req.value;
  });
}
