import { describe, expect, it } from 'vitest';
import { bundledRunbook } from '../test/bundledRunbook';
import { filterForStep, sourceFromRoute } from './logRoute';

describe('log routes', () => {
  it('reads the source from the route id', () => {
    expect(sourceFromRoute('deployment:codesign-api')).toEqual({ kind: 'deployment', name: 'codesign-api' });
    expect(sourceFromRoute('pod:redis-0:redis')).toEqual({ kind: 'pod', name: 'redis-0', container: 'redis' });
    expect(sourceFromRoute('query:x')).toBeUndefined();
    expect(sourceFromRoute('secret:x')).toBeUndefined();
    expect(sourceFromRoute(undefined)).toBeUndefined();
  });

  it('finds the runbook’s one-click filters by id or step, and any k8s.logs step’s own filter', () => {
    const runbook = bundledRunbook();
    expect(filterForStep(runbook, 'errors')?.regex).toBe('ERROR|CRITICAL|500|502|503');
    expect(filterForStep(runbook, 'security-monitoring.auth-failures')).toMatchObject({ regex: 'authentication.*failed|unauthorized', ignoreCase: true });
    expect(filterForStep(runbook, 'database-connection-issues.pool-logs')?.regex).toBe('connection|pool');
    expect(filterForStep(runbook, 'no-such-step')).toBeUndefined();
  });

  it('the bundled runbook’s log filters are the greps of the steps they name', () => {
    const runbook = bundledRunbook();
    const steps = new Map<string, { command?: string }>();
    const visit = (value: unknown): void => {
      if (!value || typeof value !== 'object') return;
      if (Array.isArray(value)) return value.forEach(visit);
      const step = value as { id?: string; command?: string };
      if (typeof step.id === 'string' && typeof step.command === 'string') steps.set(step.id, step);
      Object.values(value).forEach(visit);
    };
    visit(runbook);
    expect(runbook.logFilters?.map((f) => f.id)).toEqual(['errors', 'auth-failures', 'slow-requests', 'memory', 'connection-pool']);
    for (const filter of runbook.logFilters ?? []) {
      const command = steps.get(filter.stepId!)?.command ?? '';
      expect(command).toMatch(/kubectl logs .*\| grep/);
      // The grep's pattern, with `\\|` as `|`, is the filter's.
      expect(command.replace(/\\\|/g, "|")).toContain(filter.regex);
    }
  });
});
