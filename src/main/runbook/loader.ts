import { readFile } from 'node:fs/promises';
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { minimumRisk, riskAtLeast } from '../../shared/runbook/actions';
import { RunbookSchema, type Runbook, type Step } from '../../shared/runbook/schema';
import { CockpitFailure } from '../../shared/result';

type PathSegment = string | number;

/** One thing wrong with a runbook file, with where it is. Lines and columns are 1-based. */
export interface RunbookProblem {
  /** `procedures[3].sections[0].steps[2].action.params.replicas`; empty for the document itself. */
  path: string;
  line: number;
  column: number;
  message: string;
}

const MAX_REPORTED_PROBLEMS = 20;

/**
 * A runbook file that cannot be used. The message names the file, line:column, the path inside
 * the document and what is wrong, one problem per line; `problems` holds them as data.
 */
export class RunbookError extends CockpitFailure {
  constructor(
    readonly fileName: string,
    readonly problems: RunbookProblem[],
  ) {
    const shown = problems.slice(0, MAX_REPORTED_PROBLEMS).map((p) => formatProblem(fileName, p));
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more problems`);
    const first = problems[0];
    super('Invalid', shown.join('\n'), first ? `${fileName}:${first.line}:${first.column}` : fileName);
    this.name = 'RunbookError';
  }
}

function formatProblem(fileName: string, problem: RunbookProblem): string {
  const path = problem.path === '' ? '' : ` ${problem.path}:`;
  return `${fileName}:${problem.line}:${problem.column}:${path} ${problem.message}`;
}

/** `['procedures', 3, 'sections']` → `procedures[3].sections`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** Reads and validates a runbook file; throws `RunbookError` (code `Invalid`) naming what is wrong and where. */
export async function loadRunbookFile(path: string): Promise<Runbook> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CockpitFailure(code === 'ENOENT' ? 'NotFound' : 'Unavailable', `cannot read runbook ${path}: ${code ?? String(error)}`, path);
  }
  return parseRunbook(text, path);
}

/**
 * Parses and validates runbook YAML. `fileName` is only used in messages. Checks the schema, then
 * what it cannot express: unique ids, resolvable references, targets on destructive steps, a risk
 * no lower than the action's, and each of SEV1–SEV4 exactly once.
 */
export function parseRunbook(text: string, fileName: string): Runbook {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RunbookError(
      fileName,
      doc.errors.map((error) => {
        const pos = error.linePos?.[0] ?? { line: 1, col: 1 };
        return { path: '', line: pos.line, column: pos.col, message: `YAML ${error.code}: ${firstLine(error.message)}` };
      }),
    );
  }
  const locate = (path: readonly PathSegment[]) => locateInDocument(doc, lineCounter, path);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    throw new RunbookError(fileName, [{ path: '', line: 1, column: 1, message: `YAML cannot be expanded: ${(error as Error).message}` }]);
  }
  const parsed = RunbookSchema.safeParse(data);
  if (!parsed.success) {
    throw new RunbookError(
      fileName,
      parsed.error.issues.map((issue) => describeIssue(issue, doc, lineCounter)),
    );
  }

  const problems = crossReferenceProblems(parsed.data).map(({ path, message }) => ({ path: formatPath(path), ...locate(path), message }));
  if (problems.length > 0) throw new RunbookError(fileName, problems);
  return parsed.data;
}

const firstLine = (message: string) => message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;

/** Line and column of the deepest node on `path` that exists (a missing field points at its parent). */
function locateInDocument(doc: Document, lineCounter: LineCounter, path: readonly PathSegment[]): { line: number; column: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/** Position of a key (not its value) in the map at `mapPath`, for "unknown key" errors. */
function locateKey(doc: Document, lineCounter: LineCounter, mapPath: readonly PathSegment[], key: string) {
  const map = mapPath.length === 0 ? doc.contents : doc.getIn(mapPath, true);
  if (!isMap(map)) return undefined;
  const pair = map.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
  if (!pair || !isScalar(pair.key) || !pair.key.range) return undefined;
  const pos = lineCounter.linePos(pair.key.range[0]);
  return { line: pos.line, column: pos.col };
}

function describeIssue(issue: z.core.$ZodIssue, doc: Document, lineCounter: LineCounter): RunbookProblem {
  const locate = (at: readonly PathSegment[]) => locateInDocument(doc, lineCounter, at);
  const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
  const exists = path.length === 0 || doc.hasIn(path);
  const where = { path: formatPath(path), ...locate(path) };

  switch (issue.code) {
    case 'invalid_type':
      if (!exists) return { ...where, message: `missing required field "${String(path.at(-1))}" (${issue.expected})` };
      return { ...where, message: `expected ${issue.expected}, got ${describeValue(doc.getIn(path))}` };
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      const keyPath = [...path, key];
      const keyPos = locateKey(doc, lineCounter, path, key);
      return {
        path: formatPath(keyPath),
        ...(keyPos ?? locate(keyPath)),
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
      };
    }
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) {
        const value = doc.getIn(path);
        const options = (issue as { options?: unknown[] }).options ?? [];
        const label = issue.discriminator === 'type' ? 'action type' : `"${issue.discriminator}"`;
        return {
          ...where,
          message:
            value === undefined
              ? `missing ${label}; expected one of ${options.join(', ')}`
              : `unknown ${label} ${JSON.stringify(value)}; expected one of ${options.join(', ')}`,
        };
      }
      return { ...where, message: issue.message };
    case 'invalid_value':
      return { ...where, message: `got ${describeValue(doc.getIn(path))}; expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}` };
    default:
      return { ...where, message: issue.message };
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value) || (isNode(value) && 'items' in value && Array.isArray((value as { items: unknown }).items)))
    return isMap(value) ? 'a mapping' : 'a list';
  if (isScalar(value)) return describeValue(value.value);
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

interface RawProblem {
  path: PathSegment[];
  message: string;
}

interface StepAt {
  step: Step;
  path: PathSegment[];
}

const SEVERITY_IDS = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;

function crossReferenceProblems(runbook: Runbook): RawProblem[] {
  const problems: RawProblem[] = [];
  const ids = new Map<string, PathSegment[]>();
  const steps: StepAt[] = [];

  const claim = (id: string, path: PathSegment[]) => {
    const earlier = ids.get(id);
    if (earlier) problems.push({ path, message: `duplicate id "${id}" (already used at ${formatPath(earlier)})` });
    else ids.set(id, path);
  };
  const collectSteps = (list: Step[], base: PathSegment[]) =>
    list.forEach((step, i) => {
      claim(step.id, [...base, i, 'id']);
      steps.push({ step, path: [...base, i] });
    });
  const collectIds = (list: { id: string }[], base: PathSegment[]) => list.forEach((item, i) => claim(item.id, [...base, i, 'id']));

  collectIds(runbook.contacts, ['contacts']);
  collectIds(runbook.links, ['links']);
  collectIds(runbook.alertChannels, ['alertChannels']);
  // Severity ids are checked below: each of SEV1–SEV4 exactly once.
  runbook.severities.forEach((severity, i) => collectIds(severity.escalation, ['severities', i, 'escalation']));
  collectIds(runbook.thresholds, ['thresholds']);
  collectSteps(runbook.checks.daily, ['checks', 'daily']);
  collectSteps(runbook.checks.weekly, ['checks', 'weekly']);
  collectIds(runbook.checks.monthly, ['checks', 'monthly']);
  const orders = new Map<number, number>();
  runbook.incidentProcess.forEach((stage, i) => {
    claim(stage.id, ['incidentProcess', i, 'id']);
    const earlier = orders.get(stage.order);
    if (earlier !== undefined) {
      problems.push({ path: ['incidentProcess', i, 'order'], message: `order ${stage.order} is already used by incidentProcess[${earlier}]` });
    } else orders.set(stage.order, i);
    collectSteps(stage.steps, ['incidentProcess', i, 'steps']);
    collectIds(stage.tasks, ['incidentProcess', i, 'tasks']);
  });
  runbook.procedures.forEach((procedure, i) => {
    claim(procedure.id, ['procedures', i, 'id']);
    procedure.sections.forEach((section, j) => {
      claim(section.id, ['procedures', i, 'sections', j, 'id']);
      collectSteps(section.steps, ['procedures', i, 'sections', j, 'steps']);
    });
  });
  runbook.aliases.forEach((alias, i) => {
    claim(alias.id, ['aliases', i, 'id']);
    collectSteps(alias.steps, ['aliases', i, 'steps']);
  });

  const procedureIds = new Set(runbook.procedures.map((p) => p.id));
  const thresholdIds = new Set(runbook.thresholds.map((t) => t.id));
  const stepIds = new Set(steps.map((s) => s.step.id));

  runbook.thresholds.forEach((threshold, i) =>
    threshold.procedureIds.forEach((id, j) => {
      if (!procedureIds.has(id)) problems.push({ path: ['thresholds', i, 'procedureIds', j], message: `no procedure has id "${id}"` });
    }),
  );
  runbook.procedures.forEach((procedure, i) =>
    procedure.thresholdIds?.forEach((id, j) => {
      if (!thresholdIds.has(id)) problems.push({ path: ['procedures', i, 'thresholdIds', j], message: `no threshold has id "${id}"` });
    }),
  );

  for (const { step, path } of steps) {
    const floor = minimumRisk(step.action);
    if (!riskAtLeast(step.risk, floor)) {
      problems.push({ path: [...path, 'risk'], message: `risk "${step.risk}" is below "${floor}", the least a ${step.action.type} step with these params may declare` });
    }
    if (step.risk === 'destructive' && step.target === undefined) {
      problems.push({ path: [...path, 'target'], message: 'a destructive step must name its target (what the responder types to confirm)' });
    }
    if (step.verify !== undefined) {
      if (step.verify === step.id) problems.push({ path: [...path, 'verify'], message: 'a step cannot verify itself' });
      else if (!stepIds.has(step.verify)) problems.push({ path: [...path, 'verify'], message: `no step has id "${step.verify}"` });
    }
    if (step.action.type === 'prom.query' && step.action.params.thresholdId !== undefined && !thresholdIds.has(step.action.params.thresholdId)) {
      problems.push({ path: [...path, 'action', 'params', 'thresholdId'], message: `no threshold has id "${step.action.params.thresholdId}"` });
    }
    const declared = new Set(step.inputs?.map((input) => input.name));
    for (const name of templateInputs({ target: step.target, params: step.action.params })) {
      if (!declared.has(name)) problems.push({ path: [...path, 'inputs'], message: `{input:${name}} is used but not declared in inputs` });
    }
  }

  const seen = new Map<string, number>();
  runbook.severities.forEach((severity, i) => {
    const earlier = seen.get(severity.id);
    if (earlier !== undefined) problems.push({ path: ['severities', i, 'id'], message: `${severity.id} is defined twice (also severities[${earlier}])` });
    else seen.set(severity.id, i);
  });
  for (const id of SEVERITY_IDS) {
    if (!seen.has(id)) problems.push({ path: ['severities'], message: `severity ${id} is missing; SEV1, SEV2, SEV3 and SEV4 must each be defined once` });
  }
  return problems;
}

function templateInputs(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const match of value.matchAll(/\{input:([A-Za-z0-9_]+)\}/g)) found.add(match[1] ?? '');
  else if (Array.isArray(value)) value.forEach((v) => templateInputs(v, found));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => templateInputs(v, found));
  return found;
}
