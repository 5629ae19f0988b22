/**
 * Label selectors matched on our side: a log view picks its pods out of the namespace's shared
 * pod informer (the cluster domain's list + watch) instead of asking the server for them again.
 * Two forms, as the API has them: the query string (`app=x,tier!=db,env in (a,b),!legacy`) a
 * stern-style query types, and the LabelSelector object a workload's spec holds.
 */

export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'doesnotexist' };

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Parses the query-string form; throws an Error saying what is wrong with which part. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const out: LabelRequirement[] = [];
  // Split on commas outside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw new Error(`unbalanced ")" in "${text}"`);
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0) throw new Error(`unbalanced "(" in "${text}"`);
  parts.push(current);
  for (const raw of parts) {
    const part = raw.trim();
    if (!part) {
      if (parts.length === 1) continue;
      throw new Error(`an empty requirement in "${text}"`);
    }
    const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part);
    let requirement: LabelRequirement;
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim());
      requirement = { key: set[1]!, op: set[2] as 'in' | 'notin', values };
    } else if (part.startsWith('!')) {
      requirement = { key: part.slice(1).trim(), op: 'doesnotexist' };
    } else {
      const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
      if (eq) {
        requirement = { key: eq[1]!, op: eq[2] === '!=' ? 'notin' : 'in', values: [eq[3]!] };
      } else if (/^[^=!\s()]+$/.test(part)) {
        requirement = { key: part, op: 'exists' };
      } else {
        throw new Error(`"${part}" is not a label requirement (key=value, key!=value, key in (a,b), key notin (a,b), key or !key)`);
      }
    }
    if (!KEY.test(requirement.key)) throw new Error(`"${requirement.key}" is not a label key`);
    if ('values' in requirement) for (const v of requirement.values) if (!VALUE.test(v)) throw new Error(`"${v}" is not a label value`);
    out.push(requirement);
  }
  return out;
}

/** A workload's LabelSelector object as requirements (an unknown operator matches nothing). */
export function requirementsOf(selector: LabelSelectorObject): LabelRequirement[] {
  const out: LabelRequirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({ key, op: 'in' as const, values: [value] }));
  for (const e of selector.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'in' || op === 'notin') out.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === 'exists' || op === 'doesnotexist') out.push({ key: e.key, op });
    else out.push({ key: e.key, op: 'in', values: [] });
  }
  return out;
}

/** Whether `labels` satisfy every requirement (no requirements: everything matches). */
export function matchesLabels(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>> | undefined): boolean {
  const own = labels ?? {};
  for (const r of requirements) {
    const has = Object.prototype.hasOwnProperty.call(own, r.key);
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case 'doesnotexist':
        if (has) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(own[r.key]!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(own[r.key]!)) return false;
        break;
    }
  }
  return true;
}
