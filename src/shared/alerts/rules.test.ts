import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RunbookSchema, type Runbook } from '../runbook/schema';
import { alertMeaning, alertRuleGroups, levelOf, renderAlertRules } from './rules';

const runbook: Runbook = RunbookSchema.parse(parse(readFileSync('resources/runbooks/codesign-playground.yaml', 'utf8')));

describe('alert rules from the runbook', () => {
  it('writes a warning and a critical rule per threshold row, with the row bounds and the for: durations', () => {
    const [thresholds] = alertRuleGroups(runbook).groups;
    expect(thresholds?.rules).toHaveLength(runbook.thresholds.length * 2);
    const errorRate = thresholds!.rules.filter((r) => r.labels.threshold === 'error-rate');
    expect(errorRate.map((r) => [r.alert, r.labels.severity, r.for, r.labels.incident_severity])).toEqual([
      ['CodesignErrorRate', 'warning', '5m', 'SEV3'],
      ['CodesignErrorRate', 'critical', '2m', 'SEV2'],
    ]);
    expect(errorRate[0]!.expr.endsWith('> 5 <= 10')).toBe(true);
    expect(errorRate[1]!.expr.endsWith('> 10')).toBe(true);
    expect(errorRate[1]!.annotations.runbook_action).toBe('Immediate investigation');
  });

  it('replaces every for: with forOverride and nothing else', () => {
    const fast = renderAlertRules(runbook, { forOverride: '2s' });
    expect(fast).not.toMatch(/for: (?!2s)/);
    expect(fast.replaceAll('for: 2s', '')).toBe(renderAlertRules(runbook).replace(/for: \S+/g, ''));
  });

  it('maps alerts to the severity the runbook suggests', () => {
    expect(alertMeaning(runbook, 'CodesignErrorRate', { severity: 'critical', threshold: 'error-rate' }).incidentSeverity).toBe('SEV2');
    expect(alertMeaning(runbook, 'CodesignErrorRate', { severity: 'warning' }).incidentSeverity).toBe('SEV3');
    expect(alertMeaning(runbook, 'CodesignApiDown', { severity: 'critical' })).toMatchObject({ incidentSeverity: 'SEV1', procedureIds: ['rollback-process', 'high-error-rates'] });
    expect(alertMeaning(runbook, 'SomethingElse', { severity: 'critical' }).incidentSeverity).toBe('SEV2');
    expect(alertMeaning(runbook, 'SomethingElse', { incident_severity: 'SEV1' }).incidentSeverity).toBe('SEV1');
    expect(alertMeaning(runbook, 'SomethingElse', {}).incidentSeverity).toBeUndefined();
  });

  it('colours a reading by strict > against the row', () => {
    const row = { warning: 2, critical: 5 };
    expect([1, 2, 2.1, 5, 5.1].map((v) => levelOf(row, v))).toEqual(['ok', 'ok', 'warning', 'warning', 'critical']);
    expect(levelOf(row, undefined)).toBe('unknown');
    expect(levelOf(row, Number.NaN)).toBe('unknown');
  });
});
