import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ActiveAlert, AlertsSnapshot } from '../../shared/contract/alerts';
import { createCockpitStore } from '../state/cockpitStore';
import { FakeBridge } from '../test/fakeBridge';

const shown: Array<{ title: string; body?: string }> = [];
class FakeNotification {
  static permission = 'granted';
  static requestPermission = async () => 'granted';
  constructor(title: string, options?: { body?: string }) {
    shown.push({ title, ...(options?.body ? { body: options.body } : {}) });
  }
}

const alert = (name: string, level: 'critical' | 'warning', state: 'firing' | 'pending' = 'firing'): ActiveAlert => ({
  key: `alertname="${name}",severity="${level}"`,
  name,
  state,
  labels: { alertname: name, severity: level },
  annotations: { summary: `${name} summary` },
  level,
  procedureIds: [],
});

const snapshot = (alerts: ActiveAlert[], stale = false): AlertsSnapshot => ({
  type: 'snapshot',
  context: 'drill',
  source: { context: 'drill', origin: 'preconfigured', settings: {}, prometheus: 'http://prom' },
  at: new Date().toISOString(),
  groups: alerts.map((a) => ({ name: a.name, alerts: [a], firing: a.state === 'firing' ? 1 : 0, pending: a.state === 'pending' ? 1 : 0, worst: a.level ?? 'none' })),
  thresholds: [],
  ...(stale ? { stale: { since: new Date().toISOString(), error: { code: 'Unreachable', message: 'refused' } } } : {}),
});

afterEach(() => {
  shown.length = 0;
  vi.unstubAllGlobals();
});

function storeWithContext() {
  vi.stubGlobal('Notification', FakeNotification);
  const bridge = new FakeBridge('#/alerts');
  const store = createCockpitStore(bridge);
  store.setState({ contexts: { contexts: [], current: 'drill', namespace: 'codesign-production', problems: [], health: {} } });
  return { bridge, store };
}

describe('alerts slice', () => {
  it('notifies a new critical firing alert once, not what was firing when the view opened, nor warnings or pending ones', () => {
    const { bridge, store } = storeWithContext();
    const stop = store.getState().watchAlerts();
    bridge.emit('alerts:watch', [snapshot([alert('Old', 'critical')])]);
    expect(shown).toEqual([]);
    bridge.emit('alerts:watch', [snapshot([alert('Old', 'critical'), alert('New', 'critical'), alert('Warn', 'warning'), alert('Soon', 'critical', 'pending')])]);
    expect(shown).toEqual([{ title: 'Critical: New', body: 'New summary' }]);
    bridge.emit('alerts:watch', [snapshot([alert('Old', 'critical'), alert('New', 'critical')])]);
    expect(shown).toHaveLength(1);
    expect(store.getState().alerts?.event?.type).toBe('snapshot');
    stop();
  });

  it('leaves notifying to the main process in Electron', () => {
    const { bridge, store } = storeWithContext();
    store.setState({ info: { name: 'Incident Cockpit', version: '0.1.0', host: 'electron', actor: 'alice', runbookId: 'codesign-playground', platform: 'linux' } });
    const stop = store.getState().watchAlerts();
    bridge.emit('alerts:watch', [snapshot([])]);
    bridge.emit('alerts:watch', [snapshot([alert('New', 'critical')])]);
    expect(shown).toEqual([]);
    stop();
  });

  it('silences with the chosen labels and names the active incident', async () => {
    const { bridge, store } = storeWithContext();
    bridge.answer('alerts:silence', { id: 's1', state: 'active', matchers: [], startsAt: 'a', endsAt: 'b', createdBy: 'me', comment: 'c' });
    bridge.answer('alerts:silences', []);
    store.setState({ route: { panel: 'incident', id: 'inc-20261201-abcd01' } });
    await store.getState().silenceAlert(alert('A', 'critical'), { labels: ['alertname'], durationMinutes: 30, comment: 'Incident inc-20261201-abcd01: A' });
    expect(bridge.callsOf('alerts:silence')).toEqual([
      { context: 'drill', matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }], durationMinutes: 30, comment: 'Incident inc-20261201-abcd01: A', incidentId: 'inc-20261201-abcd01' },
    ]);
  });

  it('shows a refused silence as the notice', async () => {
    const { bridge, store } = storeWithContext();
    bridge.answer('alerts:silence', { code: 'Unavailable', message: 'no Alertmanager is set or found for context "drill"' });
    expect(await store.getState().silenceAlert(alert('A', 'critical'), { labels: ['alertname'], durationMinutes: 30, comment: 'x' })).toBeUndefined();
    expect(store.getState().notice?.message).toContain('no Alertmanager');
  });
});
