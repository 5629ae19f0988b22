import { describe, expect, it } from 'vitest';
import { matchesLabels, parseLabelSelector, requirementsOf } from './label-selector';

describe('label selectors', () => {
  const api = { app: 'codesign-api', tier: 'web', 'app.kubernetes.io/part-of': 'codesign' };

  it('parses the query form and matches labels as the API does', () => {
    const match = (text: string) => matchesLabels(parseLabelSelector(text), api);
    expect(match('app=codesign-api')).toBe(true);
    expect(match('app==codesign-api,tier=web')).toBe(true);
    expect(match('app=celery-worker')).toBe(false);
    expect(match('tier!=db')).toBe(true);
    expect(match('tier in (web, api)')).toBe(true);
    expect(match('tier notin (web)')).toBe(false);
    expect(match('app.kubernetes.io/part-of')).toBe(true);
    expect(match('!legacy')).toBe(true);
    expect(match('!tier')).toBe(false);
    expect(match('')).toBe(true);
  });

  it('refuses what is not a selector, saying which part', () => {
    expect(() => parseLabelSelector('app=(x')).toThrow(/unbalanced/);
    expect(() => parseLabelSelector('app=a,,b=c')).toThrow(/empty requirement/);
    expect(() => parseLabelSelector('app=a b')).toThrow(/"app=a b" is not a label requirement/);
    expect(() => parseLabelSelector('-bad=x')).toThrow(/"-bad" is not a label key/);
  });

  it('turns a workload LabelSelector object into the same requirements', () => {
    const requirements = requirementsOf({ matchLabels: { app: 'codesign-api' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }, { key: 'legacy', operator: 'DoesNotExist' }] });
    expect(matchesLabels(requirements, api)).toBe(true);
    expect(matchesLabels(requirements, { ...api, legacy: 'true' })).toBe(false);
    expect(matchesLabels(requirementsOf({ matchExpressions: [{ key: 'tier', operator: 'Bogus' }] }), api)).toBe(false);
  });
});
