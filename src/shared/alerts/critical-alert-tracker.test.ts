import { describe, expect, it } from 'vitest';
import type { ActiveAlert, AlertsEvent, AlertsSnapshot } from '../contract/alerts';
import { CriticalAlertTracker } from './critical-alert-tracker';

const alert = (name: string, extra: Partial<ActiveAlert> = {}): ActiveAlert => ({
  key: `alertname="${name}",severity="${extra.level ?? 'critical'}"`,
  name,
  state: 'firing',
  labels: { alertname: name, severity: extra.level ?? 'critical' },
  annotations: { summary: `${name} is bad` },
  level: 'critical',
  procedureIds: [],
  ...extra,
});

const snapshot = (alerts: ActiveAlert[], extra: Partial<AlertsSnapshot> = {}): AlertsEvent => ({
  type: 'snapshot',
  context: 'drill',
  source: { context: 'drill', origin: 'saved', settings: {} },
  at: new Date(0).toISOString(),
  groups: alerts.map((a) => ({ name: a.name, alerts: [a], firing: 1, pending: 0, worst: a.level ?? 'none' })),
  thresholds: [],
  ...extra,
});

describe('which alerts notify', () => {
  it('a critical alert that starts firing, once; not what was firing when the view opened', () => {
    const tracker = new CriticalAlertTracker();
    expect(tracker.next(snapshot([alert('CodesignApiDown')]))).toEqual([]);
    const errorRate = alert('CodesignErrorRate');
    expect(tracker.next(snapshot([alert('CodesignApiDown'), errorRate]))).toEqual([{ title: 'Critical: CodesignErrorRate', body: 'CodesignErrorRate is bad', tag: errorRate.key }]);
    expect(tracker.next(snapshot([alert('CodesignApiDown'), errorRate]))).toEqual([]);
  });

  it('not warnings, pending or silenced alerts, nor anything in a stale snapshot', () => {
    const tracker = new CriticalAlertTracker();
    tracker.next(snapshot([]));
    expect(tracker.next(snapshot([alert('CodesignCpuUsage', { level: 'warning' }), alert('CodesignErrorRate', { state: 'pending' }), alert('CodesignMemoryUsage', { silencedBy: ['s-1'] })]))).toEqual([]);
    expect(tracker.next(snapshot([alert('CodesignApiDown')], { stale: { since: 'x', error: { code: 'Unreachable', message: 'down' } } }))).toEqual([]);
    expect(tracker.next({ type: 'unconfigured', context: 'drill', source: { context: 'drill', origin: 'none', settings: {} } })).toEqual([]);
    // Prometheus answers again with it still firing: now it is news.
    expect(tracker.next(snapshot([alert('CodesignApiDown')])).map((n) => n.title)).toEqual(['Critical: CodesignApiDown']);
  });

  it('again after it resolved and fired anew, and when its silence ends while it fires', () => {
    const tracker = new CriticalAlertTracker();
    tracker.next(snapshot([]));
    expect(tracker.next(snapshot([alert('CodesignErrorRate')]))).toHaveLength(1);
    expect(tracker.next(snapshot([]))).toEqual([]);
    expect(tracker.next(snapshot([alert('CodesignErrorRate')]))).toHaveLength(1);
    expect(tracker.next(snapshot([alert('CodesignErrorRate', { silencedBy: ['s-1'] })]))).toEqual([]);
    expect(tracker.next(snapshot([alert('CodesignErrorRate')]))).toHaveLength(1);
  });

  it('a new context is a new baseline; a burst shows three and sums up the rest', () => {
    const tracker = new CriticalAlertTracker();
    tracker.next(snapshot([]));
    const burst = ['A', 'B', 'C', 'D', 'E'].map((n) => alert(n));
    const shown = tracker.next(snapshot(burst));
    expect(shown.map((n) => n.title)).toEqual(['Critical: A', 'Critical: B', 'Critical: C', '2 more critical alerts']);
    expect(shown[3]!.body).toBe('D, E');
    expect(tracker.next(snapshot([...burst, alert('F')], { context: 'prod' }))).toEqual([]);
    tracker.reset();
    expect(tracker.next(snapshot([alert('G')], { context: 'prod' }))).toEqual([]);
  });
});
