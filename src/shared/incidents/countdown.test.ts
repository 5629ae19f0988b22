import { describe, expect, it } from 'vitest';
import { countdown, formatDuration, responseDueAt, responseState } from './countdown';

const at = (s: string) => new Date(s);

describe('responseDueAt', () => {
  it('adds the response minutes to when the severity was set', () => {
    expect(responseDueAt(at('2026-11-28T10:00:00Z'), { kind: 'minutes', minutes: 15 }).toISOString()).toBe('2026-11-28T10:15:00.000Z');
    expect(responseDueAt(at('2026-11-28T23:30:00Z'), { kind: 'minutes', minutes: 240 }).toISOString()).toBe('2026-11-29T03:30:00.000Z');
  });

  it('takes "next business day" as 17:00 local on the next weekday', () => {
    const friday = new Date(2026, 10, 27, 9, 0); // Fri 27 Nov 2026, local time
    const due = responseDueAt(friday, { kind: 'next-business-day' });
    expect([due.getFullYear(), due.getMonth(), due.getDate(), due.getHours(), due.getDay()]).toEqual([2026, 10, 30, 17, 1]);
    const tuesday = responseDueAt(new Date(2026, 10, 24, 18, 0), { kind: 'next-business-day' });
    expect([tuesday.getDate(), tuesday.getHours()]).toEqual([25, 17]);
  });
});

describe('countdown', () => {
  it('counts down and goes negative once overdue', () => {
    const due = at('2026-11-28T10:15:00Z');
    expect(countdown(due, at('2026-11-28T10:00:00Z'))).toEqual({ remainingMs: 900_000, overdue: false, text: '15:00' });
    expect(countdown(due, at('2026-11-28T10:14:59.400Z')).text).toBe('0:00');
    expect(countdown(due, at('2026-11-28T10:17:05Z'))).toMatchObject({ overdue: true, text: '-2:05' });
  });

  it('formats hours and days', () => {
    expect(formatDuration(3_600_000)).toBe('1:00:00');
    expect(formatDuration(4 * 3_600_000 - 1000)).toBe('3:59:59');
    expect(formatDuration(50 * 3_600_000)).toBe('2d 2h');
  });
});

describe('responseState', () => {
  const base = {
    severity: 'SEV1',
    severitySetAt: '2026-11-28T10:00:00.000Z',
    status: 'investigating',
    statusHistory: [{ status: 'investigating', at: '2026-11-28T10:00:00.000Z' }],
  };
  const minutes15 = { kind: 'minutes' as const, minutes: 15 };

  it('runs until every escalation item of the current severity is done', () => {
    const checklist = [
      { group: 'escalation', label: 'PagerDuty alert', fromSeverity: 'SEV1', done: { at: '2026-11-28T10:03:00.000Z' } },
      { group: 'escalation', label: 'Management notification', fromSeverity: 'SEV1' },
      { group: 'process', label: 'Check rollout history' },
    ];
    const running = responseState({ ...base, checklist }, minutes15, at('2026-11-28T10:05:00Z'));
    expect(running.respondedAt).toBeUndefined();
    expect(running.countdown.text).toBe('10:00');

    checklist[1] = { group: 'escalation', label: 'Management notification', fromSeverity: 'SEV1', done: { at: '2026-11-28T10:07:00.000Z' } };
    const met = responseState({ ...base, checklist }, minutes15, at('2026-11-28T11:00:00Z'));
    expect(met.respondedAt?.toISOString()).toBe('2026-11-28T10:07:00.000Z');
    expect(met.countdown).toMatchObject({ overdue: false, text: '8:00' });
  });

  it('ignores escalation items carried from an earlier severity', () => {
    const checklist = [
      { group: 'escalation', label: 'Slack', fromSeverity: 'SEV2', carried: true, done: { at: '2026-11-28T09:00:00.000Z' } },
      { group: 'escalation', label: 'PagerDuty alert', fromSeverity: 'SEV1' },
    ];
    expect(responseState({ ...base, checklist }, minutes15, at('2026-11-28T10:20:00Z')).countdown).toMatchObject({ overdue: true, text: '-5:00' });
  });

  it('reports no response when the incident is resolved with escalation items open, and names them', () => {
    const checklist = [
      { group: 'escalation', label: 'PagerDuty alert', fromSeverity: 'SEV1', done: { at: '2026-11-28T10:03:00.000Z' } },
      { group: 'escalation', label: 'Management notification', fromSeverity: 'SEV1' },
    ];
    const statusHistory = [...base.statusHistory, { status: 'resolved', at: '2026-11-28T10:40:00.000Z' }];
    const state = responseState({ ...base, status: 'resolved', statusHistory, checklist }, minutes15, at('2026-11-28T12:00:00Z'));
    expect(state.respondedAt).toBeUndefined();
    expect(state.resolvedAt?.toISOString()).toBe('2026-11-28T10:40:00.000Z');
    expect(state.openEscalation).toEqual(['Management notification']);
    expect(state.countdown).toMatchObject({ overdue: true, text: '-25:00' });
  });
});
