import { describe, expect, it } from 'vitest';
import type { AlertNotification } from '../../shared/alerts/critical-alert-tracker';
import type { ActiveAlert, AlertsEvent } from '../../shared/contract/alerts';
import { Emitter, toDisposable } from '../../shared/lifetimes';
import { MemoryLogger } from '../app/logger';
import type { ContextChange } from '../contexts/context-service';
import type { StreamSink } from '../host/dispatcher';
import { CriticalAlertNotifications } from './critical-alert-notifications';

const critical = (name: string): ActiveAlert => ({
  key: `alertname="${name}",severity="critical"`,
  name,
  state: 'firing',
  labels: { alertname: name, severity: 'critical' },
  annotations: { summary: `${name} summary` },
  level: 'critical',
  procedureIds: [],
});

const snapshot = (context: string, alerts: ActiveAlert[]): AlertsEvent => ({
  type: 'snapshot',
  context,
  source: { context, origin: 'saved', settings: {} },
  at: new Date(0).toISOString(),
  groups: alerts.map((a) => ({ name: a.name, alerts: [a], firing: 1, pending: 0, worst: 'critical' })),
  thresholds: [],
});

function setup(current: string | undefined = 'drill') {
  const changes = new Emitter<ContextChange>();
  const contexts: { current: string | undefined; onDidChangeContext: typeof changes.event } = { current, onDidChangeContext: changes.event };
  const watches: Array<{ context: string; sink: StreamSink<AlertsEvent>; disposed: boolean }> = [];
  const alerts = {
    watch: (input: { context: string }, sink: StreamSink<AlertsEvent>) => {
      if (input.context !== contexts.current) throw new Error('not current');
      const entry = { context: input.context, sink, disposed: false };
      watches.push(entry);
      return toDisposable(() => (entry.disposed = true));
    },
  };
  const shown: AlertNotification[] = [];
  const notifications = new CriticalAlertNotifications({ alerts, contexts, show: (n) => shown.push(n), logger: new MemoryLogger() });
  const switchTo = (name: string | undefined) => {
    const previous = contexts.current;
    contexts.current = name;
    changes.fire({ previous, current: name, namespace: '', reason: 'selected' });
  };
  return { notifications, watches, shown, switchTo };
}

describe('native notifications of new critical alerts (main process)', () => {
  it('watches the current context and shows each new critical alert once', () => {
    const { notifications, watches, shown } = setup();
    expect(watches.map((w) => w.context)).toEqual(['drill']);
    const sink = watches[0]!.sink;
    sink.emit(snapshot('drill', [critical('CodesignApiDown')]));
    expect(shown).toEqual([]);
    sink.emit(snapshot('drill', [critical('CodesignApiDown'), critical('CodesignErrorRate')]));
    sink.emit(snapshot('drill', [critical('CodesignApiDown'), critical('CodesignErrorRate')]));
    expect(shown).toEqual([{ title: 'Critical: CodesignErrorRate', body: 'CodesignErrorRate summary', tag: critical('CodesignErrorRate').key }]);
    notifications.dispose();
    expect(watches[0]!.disposed).toBe(true);
  });

  it('follows the context: the old watch stops, the new one starts from a fresh baseline', async () => {
    const { notifications, watches, shown, switchTo } = setup();
    watches[0]!.sink.emit(snapshot('drill', []));
    switchTo('prod');
    watches[0]!.sink.end('the context changed');
    await Promise.resolve();
    expect(watches.map((w) => [w.context, w.disposed])).toEqual([
      ['drill', true],
      ['prod', false],
    ]);
    watches[1]!.sink.emit(snapshot('prod', [critical('CodesignApiDown')]));
    expect(shown).toEqual([]);
    switchTo(undefined);
    expect(watches[1]!.disposed).toBe(true);
    notifications.dispose();
  });

  it('watches again when the source changes under it (the stream ends, the context stays)', async () => {
    const { notifications, watches } = setup();
    watches[0]!.sink.end('the alert source changed');
    await Promise.resolve();
    expect(watches.map((w) => w.context)).toEqual(['drill', 'drill']);
    notifications.dispose();
  });

  it('a failing show is logged, not thrown into the poll', () => {
    const changes = new Emitter<ContextChange>();
    let sink: StreamSink<AlertsEvent> | undefined;
    const logger = new MemoryLogger();
    const notifications = new CriticalAlertNotifications({
      alerts: { watch: (_input, s) => ((sink = s), toDisposable(() => undefined)) },
      contexts: { current: 'drill', onDidChangeContext: changes.event },
      show: () => {
        throw new Error('no notification daemon');
      },
      logger,
    });
    sink!.emit(snapshot('drill', []));
    expect(() => sink!.emit(snapshot('drill', [critical('CodesignApiDown')]))).not.toThrow();
    expect(logger.entries).toContainEqual({ level: 'warn', event: 'alerts.notification-failed', fields: { message: 'no notification daemon' } });
    notifications.dispose();
  });
});
