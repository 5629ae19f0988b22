import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CockpitFailure } from '../../shared/result';
import { formatPath, loadRunbookFile, parseRunbook, RunbookError } from './loader';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/runbooks');
const BUNDLED = join(import.meta.dirname, '../../../resources/runbooks/codesign-playground.yaml');

/** The 1-based line of the fixture carrying the `# mistake:` marker: where the loader must point. */
function markedLine(file: string): number {
  const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n');
  const index = lines.findIndex((line) => /\S.*# mistake:/.test(line) && !line.trimStart().startsWith('#'));
  if (index < 0) throw new Error(`${file} has no "# mistake:" marker`);
  return index + 1;
}

async function loadError(file: string): Promise<RunbookError> {
  const error = await loadRunbookFile(join(FIXTURES, file)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunbookError);
  return error as RunbookError;
}

describe('loadRunbookFile', () => {
  it('loads the bundled runbook', async () => {
    const runbook = await loadRunbookFile(BUNDLED);
    expect(runbook.id).toBe('codesign-playground');
    expect(runbook.severities.map((s) => s.id)).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
    expect(runbook.thresholds).toHaveLength(6);
    expect(runbook.incidentProcess.map((s) => s.order)).toEqual([1, 2, 3, 4]);
  });

  it('loads the minimal valid sample every malformed fixture is derived from', async () => {
    const runbook = await loadRunbookFile(join(FIXTURES, 'minimal-valid.yaml'));
    expect(runbook.procedures.map((p) => p.id)).toEqual(['disk-check', 'high-error-rates']);
  });

  it('gives snippet and manual steps empty params when the YAML omits them', async () => {
    const runbook = await loadRunbookFile(BUNDLED);
    const grafana = runbook.checks.weekly.find((s) => s.id === 'weekly.grafana-review');
    expect(grafana?.action).toEqual({ type: 'manual', params: {} });
  });

  it('reports a missing file as NotFound, not as an invalid runbook', async () => {
    const error = await loadRunbookFile(join(FIXTURES, 'no-such-runbook.yaml')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CockpitFailure);
    expect(error).not.toBeInstanceOf(RunbookError);
    expect((error as CockpitFailure).code).toBe('NotFound');
  });

  const cases: { file: string; path: string; says: RegExp }[] = [
    { file: 'yaml-syntax-error.yaml', path: '', says: /YAML BLOCK_AS_IMPLICIT_KEY/ },
    { file: 'duplicate-yaml-key.yaml', path: '', says: /YAML DUPLICATE_KEY: Map keys must be unique/ },
    { file: 'wrong-type.yaml', path: 'procedures[1].sections[0].steps[1].action.params.replicas', says: /expected number, got string "five"/ },
    { file: 'missing-required-field.yaml', path: 'procedures[0].sections[0].steps[0].command', says: /missing required field "command"/ },
    { file: 'unknown-field.yaml', path: 'ownr', says: /unknown field "ownr"/ },
    { file: 'unknown-action-type.yaml', path: 'checks.daily[0].action.type', says: /unknown action type "k8s.podz"; expected one of k8s.pods, / },
    { file: 'bad-action-params.yaml', path: 'procedures[1].sections[0].steps[1].action.params.deployment', says: /must be a Kubernetes name/ },
    { file: 'unknown-action-param.yaml', path: 'procedures[1].sections[0].steps[1].action.params.replica', says: /unknown field "replica"/ },
    { file: 'bad-enum-value.yaml', path: 'thresholds[0].unit', says: /got string "percentage"; expected "seconds" or "percent" or "count"/ },
    { file: 'bad-response-time.yaml', path: 'severities[1].responseTime.kind', says: /unknown "kind" "hours"; expected one of minutes, next-business-day/ },
    { file: 'duplicate-id.yaml', path: 'procedures[1].sections[0].steps[1].id', says: /duplicate id "high-error-rates.restart" \(already used at procedures\[1\].sections\[0\].steps\[0\].id\)/ },
    { file: 'dangling-procedure-reference.yaml', path: 'thresholds[0].procedureIds[0]', says: /no procedure has id "high-error-rate"/ },
    { file: 'dangling-threshold-reference.yaml', path: 'procedures[1].thresholdIds[0]', says: /no threshold has id "error-rates"/ },
    { file: 'dangling-verify.yaml', path: 'procedures[1].sections[0].steps[0].verify', says: /no step has id "daily.podz"/ },
    { file: 'destructive-without-target.yaml', path: 'procedures[1].sections[0].steps[2].target', says: /destructive step must name its target/ },
    { file: 'risk-too-low.yaml', path: 'procedures[1].sections[0].steps[2].risk', says: /risk "change" is below "destructive".*k8s.deletePods/ },
    { file: 'scale-to-zero-as-change.yaml', path: 'procedures[1].sections[0].steps[1].risk', says: /risk "change" is below "destructive".*k8s.scale/ },
    { file: 'missing-severity.yaml', path: 'severities', says: /severity SEV3 is missing/ },
    { file: 'duplicate-severity.yaml', path: 'severities[2].id', says: /SEV2 is defined twice/ },
  ];

  it.each(cases)('$file: names the file, the marked line, $path and the mistake', async ({ file, path, says }) => {
    const error = await loadError(file);
    const line = markedLine(file);
    expect(error.code).toBe('Invalid');
    const problem = error.problems.find((p) => p.path === path && p.line === line);
    expect(problem, `problems: ${JSON.stringify(error.problems)}`).toBeDefined();
    expect(problem?.message).toMatch(says);
    const expectedLine = new RegExp(
      `${join(FIXTURES, file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+:${path ? ` ${path.replace(/[.[\]]/g, '\\$&')}:` : ''} `,
    );
    expect(error.message).toMatch(expectedLine);
    expect(error.toError().where).toMatch(new RegExp(`${file.replace('.', '\\.')}:\\d+:\\d+$`));
  });

  it('has a malformed fixture for every case above and no untested one', async () => {
    const { readdir } = await import('node:fs/promises');
    const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.yaml') && f !== 'minimal-valid.yaml');
    expect(files.sort()).toEqual(cases.map((c) => c.file).sort());
  });
});

describe('parseRunbook', () => {
  const minimal = readFileSync(join(FIXTURES, 'minimal-valid.yaml'), 'utf8');

  it('uses the given file name in messages', () => {
    expect(() => parseRunbook(minimal.replace('schemaVersion: 1', 'schemaVersion: 2'), 'custom.yaml')).toThrow(
      /^custom\.yaml:3:16: schemaVersion: got number 2; expected 1$/m,
    );
  });

  it('reports every problem, one per line, not only the first', () => {
    const text = minimal.replace('replicas: 5', 'replicas: -1').replace('unit: percent', 'unit: ms');
    const error = (() => {
      try {
        parseRunbook(text, 'two.yaml');
      } catch (e) {
        return e as RunbookError;
      }
      throw new Error('expected a RunbookError');
    })();
    expect(error.problems.map((p) => p.path).sort()).toEqual(['procedures[1].sections[0].steps[1].action.params.replicas', 'thresholds[0].unit']);
    expect(error.message.split('\n')).toHaveLength(2);
  });

  it('refuses an {input:NAME} template the step does not declare', () => {
    const text = minimal.replace('            target: api\n', '            target: "{input:POD}"\n');
    expect(() => parseRunbook(text, 'input.yaml')).toThrow(/steps\[2\]\.inputs: \{input:POD\} is used but not declared/);
  });

  it('refuses a step that verifies itself', () => {
    const text = minimal.replace('verify: daily.pods', 'verify: high-error-rates.restart');
    expect(() => parseRunbook(text, 'self.yaml')).toThrow(/steps\[0\]\.verify: a step cannot verify itself/);
  });

  it('refuses two incident stages with the same order', () => {
    const text = minimal.replace(
      'incidentProcess:\n',
      'incidentProcess:\n  - { id: stage.zero, order: 1, title: Zero, steps: [], tasks: [] }\n',
    );
    expect(() => parseRunbook(text, 'order.yaml')).toThrow(/incidentProcess\[1\]\.order: order 1 is already used by incidentProcess\[0\]/);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) bomb.push(`${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(10).fill(i === 1 ? '*a' : `*${'b'.repeat(i - 1)}`).join(', ')}]`);
    expect(() => parseRunbook(bomb.join('\n'), 'bomb.yaml')).toThrow(RunbookError);
    expect(() => parseRunbook(bomb.join('\n'), 'bomb.yaml')).toThrow(/^bomb\.yaml:1:1: YAML cannot be expanded: .*alias/i);
  });
});

describe('formatPath', () => {
  it('writes indexes in brackets and odd keys quoted', () => {
    expect(formatPath(['procedures', 3, 'sections', 0, 'steps', 2, 'action', 'params', 'replicas'])).toBe(
      'procedures[3].sections[0].steps[2].action.params.replicas',
    );
    expect(formatPath(['env', 'CACHE_SIZE_MB'])).toBe('env.CACHE_SIZE_MB');
    expect(formatPath(['labels', 'app.kubernetes.io/name'])).toBe('labels["app.kubernetes.io/name"]');
    expect(formatPath([])).toBe('');
  });
});

describe('loadRunbookFile with a temp copy', () => {
  it('reads the file from disk each time (an edited file is re-validated)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runbook-'));
    try {
      const path = join(dir, 'edited.yaml');
      const minimal = readFileSync(join(FIXTURES, 'minimal-valid.yaml'), 'utf8');
      await writeFile(path, minimal);
      await expect(loadRunbookFile(path)).resolves.toMatchObject({ id: 'minimal' });
      await writeFile(path, minimal.replace('id: minimal', 'id: Minimal!'));
      await expect(loadRunbookFile(path)).rejects.toThrow(/edited\.yaml:4:5: id: must be a lower-case id/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
