import { beforeAll, describe, expect, it } from 'vitest';
import { loadRunbookFile } from '../../main/runbook/loader';
import type { Runbook } from '../runbook/schema';
import { planChecklist } from './checklist';

let runbook: Runbook;
beforeAll(async () => {
  runbook = await loadRunbookFile('resources/runbooks/codesign-playground.yaml');
});

const escalationLabels = (items: ReturnType<typeof planChecklist>) => items.filter((i) => i.group === 'escalation').map((i) => i.label);

describe('planChecklist', () => {
  it('puts each severity’s escalation first, then every stage of the incident process', () => {
    const sev1 = planChecklist(runbook, 'SEV1');
    expect(escalationLabels(sev1)).toEqual(['PagerDuty alert', 'Management notification']);
    expect(sev1.find((i) => i.label === 'Management notification')?.withinMinutes).toBe(15);
    expect(escalationLabels(planChecklist(runbook, 'SEV2'))).toEqual(['PagerDuty alert']);
    expect(escalationLabels(planChecklist(runbook, 'SEV3'))).toEqual(['Slack notification']);
    expect(escalationLabels(planChecklist(runbook, 'SEV4'))).toEqual(['Ticket creation']);

    const stages = [...new Set(sev1.filter((i) => i.group === 'process').map((i) => i.stageTitle))];
    expect(stages).toEqual(['1. Detection & Triage', '2. Initial Response', '3. Communication', '4. Resolution']);
    const processCount = runbook.incidentProcess.reduce((n, s) => n + s.steps.length + s.tasks.length, 0);
    expect(sev1.filter((i) => i.group === 'process')).toHaveLength(processCount);
  });

  it('carries every step’s command so the checklist shows what to run', () => {
    const item = planChecklist(runbook, 'SEV2').find((i) => i.id === 'process.stage.detection-triage.triage.rollout-history');
    expect(item?.command).toContain('kubectl rollout history deployment/codesign-api');
  });

  it('keeps done items when the severity changes, adds the new escalation, drops undone old escalation', () => {
    const done = { by: 'alice', at: '2026-11-28T10:00:00.000Z' };
    const sev2 = planChecklist(runbook, 'SEV2').map((item, index) => (index <= 2 ? { ...item, done } : item));
    expect(sev2[0]).toMatchObject({ id: 'escalation.pagerduty', done });
    const sev1 = planChecklist(runbook, 'SEV1', sev2);
    expect(sev1.filter((i) => i.done).map((i) => i.id)).toEqual(sev2.filter((i) => i.done).map((i) => i.id));
    expect(sev1.find((i) => i.id === 'escalation.pagerduty')).toMatchObject({ fromSeverity: 'SEV1', done });
    expect(sev1.find((i) => i.id === 'escalation.management')?.done).toBeUndefined();

    const sev3 = planChecklist(runbook, 'SEV3', sev1);
    expect(sev3.find((i) => i.id === 'escalation.pagerduty')).toMatchObject({ carried: true, done });
    expect(sev3.some((i) => i.id === 'escalation.management')).toBe(false);
    expect(escalationLabels(sev3.filter((i) => !i.carried))).toEqual(['Slack notification']);
  });

  it('refuses a severity the runbook does not define', () => {
    expect(() => planChecklist({ ...runbook, severities: [] }, 'SEV1')).toThrow(/no severity SEV1/);
  });
});
