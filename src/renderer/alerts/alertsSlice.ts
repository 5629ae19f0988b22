import { silenceMatchersFor } from '../../shared/alerts/alert-key';
import { CriticalAlertTracker } from '../../shared/alerts/critical-alert-tracker';
import type { ActiveAlert, AlertsEvent, AlertSettings, AlertSourceInfo, Silence } from '../../shared/contract/alerts';
import type { CockpitError } from '../../shared/result';
import type { SeverityId } from '../../shared/runbook/schema';
import { activeIncidentId } from '../incidents/incidentsSlice';
import { asError, attempt, type CockpitSlice } from '../state/slice';

/** Raises a desktop notification: the browser Notification API in the web host (Electron's main raises its own). */
export type AlertNotifier = (title: string, body: string, tag: string) => void;

export interface AlertsView {
  context: string;
  event?: AlertsEvent;
  /** Why the stream stopped, while it is being reopened. */
  ended?: string;
  error?: CockpitError;
}

export interface AlertsSlice {
  alerts?: AlertsView;
  silences?: { context: string; list: Silence[]; error?: CockpitError };
  alertSource?: AlertSourceInfo;
  notificationsAllowed: boolean;
  /** Opens the alert stream of the current context (ref-counted); answers its release. */
  watchAlerts(): () => void;
  loadSilences(): Promise<void>;
  loadAlertSource(): Promise<void>;
  saveAlertSettings(settings: AlertSettings): Promise<boolean>;
  /** Silences exactly this alert (or the chosen labels of it); the active incident records it. */
  silenceAlert(alert: ActiveAlert, options: { labels: string[]; durationMinutes: number; comment: string }): Promise<Silence | undefined>;
  expireSilence(id: string): Promise<void>;
  declareFromAlert(alert: ActiveAlert, severity?: SeverityId): Promise<string | undefined>;
  enableAlertNotifications(): Promise<void>;
}

/** The browser's Notification API where it exists (web host and Electron renderer), else nothing. */
export function browserNotifier(): AlertNotifier | undefined {
  const N = (globalThis as { Notification?: typeof Notification }).Notification;
  if (!N) return undefined;
  return (title, body, tag) => {
    if (N.permission === 'granted') new N(title, { body, tag });
  };
}

/** The comment a silence starts with: the active incident's id, so Alertmanager says why. */
export function silenceComment(incidentId: string | undefined, alert: ActiveAlert): string {
  return incidentId ? `Incident ${incidentId}: silencing ${alert.name} while it is worked on` : `Silenced from Incident Cockpit: ${alert.name}`;
}

export const createAlertsSlice =
  (notifier: AlertNotifier | undefined = browserNotifier()): CockpitSlice<AlertsSlice> =>
  (bridge) =>
  (set, get) => {
    let watcher: { context: string; refs: number; stop: () => void } | undefined;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    const tracker = new CriticalAlertTracker();

    const notifyNew = (event: AlertsEvent): void => {
      const notifications = tracker.next(event);
      // In Electron the main process raises native notifications (it watches even with this panel closed).
      if (!notifier || get().info?.host === 'electron') return;
      for (const n of notifications) notifier(n.title, n.body, n.tag);
    };

    const open = (context: string): (() => void) =>
      bridge.subscribe('alerts:watch', { context }, {
        events: (events) => {
          for (const event of events) {
            notifyNew(event);
            set({ alerts: { context, event } });
          }
        },
        error: (error) => set((s) => ({ alerts: { context, ...(s.alerts?.context === context && s.alerts.event ? { event: s.alerts.event } : {}), error } })),
        end: (reason) => {
          set((s) => ({ alerts: { context, ...(s.alerts?.context === context && s.alerts.event ? { event: s.alerts.event } : {}), ended: reason } }));
          // The source changed (settings saved) or the context did: open again while still watched.
          clearTimeout(reopen);
          reopen = setTimeout(() => {
            const current = get().contexts?.current;
            if (watcher && watcher.refs > 0 && current) {
              watcher.stop();
              watcher = { context: current, refs: watcher.refs, stop: () => undefined };
              watcher.stop = open(current);
            }
          }, 500);
        },
      });

    return {
      notificationsAllowed: (globalThis as { Notification?: typeof Notification }).Notification?.permission === 'granted',

      watchAlerts() {
        const context = get().contexts?.current;
        if (!context) return () => undefined;
        if (watcher && watcher.context !== context) {
          watcher.stop();
          watcher = undefined;
        }
        if (!watcher) {
          if (get().alerts?.context !== context) set({ alerts: { context } });
          watcher = { context, refs: 0, stop: () => undefined };
          watcher.stop = open(context);
        }
        watcher.refs++;
        const entry = watcher;
        let left = false;
        return () => {
          if (left) return;
          left = true;
          entry.refs--;
          if (entry.refs > 0 || watcher !== entry) return;
          // Kept a moment, so a look at the incident and back does not restart the poll (and its sparklines).
          setTimeout(() => {
            if (entry.refs > 0 || watcher !== entry) return;
            entry.stop();
            clearTimeout(reopen);
            watcher = undefined;
            tracker.reset();
          }, 15_000);
        };
      },

      async loadSilences() {
        const context = get().contexts?.current;
        if (!context) return;
        try {
          set({ silences: { context, list: await bridge.call('alerts:silences', { context }) } });
        } catch (error) {
          set({ silences: { context, list: [], error: asError(error) } });
        }
      },

      async loadAlertSource() {
        const context = get().contexts?.current;
        if (!context) return;
        await attempt(set, async () => set({ alertSource: await bridge.call('alerts:source', { context }) }));
      },

      async saveAlertSettings(settings) {
        const context = get().contexts?.current;
        if (!context) return false;
        const source = await attempt(set, () => bridge.call('alerts:saveSettings', { context, settings }));
        // Saved: a refusal shown for an earlier try no longer applies.
        if (source) set({ alertSource: source, notice: undefined });
        return source !== undefined;
      },

      async silenceAlert(alert, { labels, durationMinutes, comment }) {
        const context = get().contexts?.current;
        if (!context) return undefined;
        const chosen = Object.fromEntries(Object.entries(alert.labels).filter(([k]) => labels.includes(k)));
        const incidentId = activeIncidentId(get());
        const silence = await attempt(set, () =>
          bridge.call('alerts:silence', { context, matchers: silenceMatchersFor(chosen), durationMinutes, comment, ...(incidentId ? { incidentId } : {}) }),
        );
        if (silence) await get().loadSilences();
        return silence;
      },

      async expireSilence(id) {
        const context = get().contexts?.current;
        if (!context) return;
        const incidentId = activeIncidentId(get());
        const done = await attempt(set, () => bridge.call('alerts:expireSilence', { context, silenceId: id, ...(incidentId ? { incidentId } : {}) }));
        if (done) await get().loadSilences();
      },

      async declareFromAlert(alert, severity) {
        const context = get().contexts?.current;
        if (!context) return undefined;
        const declared = await attempt(set, () => bridge.call('alerts:declareIncident', { context, alertKey: alert.key, ...(severity ? { severity } : {}) }));
        if (!declared) return undefined;
        await get().openIncident(declared.incidentId);
        get().navigate({ panel: 'incident', id: declared.incidentId });
        return declared.incidentId;
      },

      async enableAlertNotifications() {
        const N = (globalThis as { Notification?: typeof Notification }).Notification;
        if (!N) return;
        const permission = await N.requestPermission().catch(() => 'denied' as const);
        set({ notificationsAllowed: permission === 'granted' });
      },
    };
  };
