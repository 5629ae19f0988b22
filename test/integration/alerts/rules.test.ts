/**
 * The shipped rules file against the runbook and Debian's promtool: regenerating it from the
 * bundled runbook gives exactly the committed text, `promtool check rules` accepts it, and the
 * hand-written rule tests (`codesign-alerts.test.yml`, promtool's unit-test format) pass.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAlertRules } from '../../../src/shared/alerts/rules';
import { loadRunbookFile } from '../../../src/main/runbook/loader';

const RULES = path.resolve('resources/prometheus/codesign-alerts.yml');
const RULE_TESTS = path.resolve('resources/prometheus/codesign-alerts.test.yml');
const PROMTOOL = ['/usr/bin/promtool'].find((p) => existsSync(p)) ?? (spawnSync('which', ['promtool']).status === 0 ? 'promtool' : undefined);

describe('resources/prometheus/codesign-alerts.yml', () => {
  it('is exactly what the runbook generates (run npm run alerts:rules when this fails)', async () => {
    const runbook = await loadRunbookFile(path.resolve('resources/runbooks/codesign-playground.yaml'));
    expect(await readFile(RULES, 'utf8')).toBe(renderAlertRules(runbook));
  });

  it.skipIf(!PROMTOOL)('passes promtool check rules', () => {
    const result = spawnSync(PROMTOOL as string, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toContain('SUCCESS: 13 rules found');
    expect(result.status).toBe(0);
  });

  it.skipIf(!PROMTOOL)('passes its promtool rule unit tests (every threshold row, both levels, the API down)', () => {
    const result = spawnSync(PROMTOOL as string, ['test', 'rules', RULE_TESTS], { encoding: 'utf8', cwd: path.dirname(RULE_TESTS) });
    expect(result.stdout + result.stderr, result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
