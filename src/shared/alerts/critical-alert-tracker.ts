/**
 * Which alerts interrupt the responder with a desktop notification: a critical alert that starts
 * firing while the cockpit watches, once per firing (it notifies again only after it resolved and
 * fires anew). What fires when a context's view opens is on screen already, a silenced alert is
 * being handled (it notifies if its silence ends while it fires), and a stale snapshot says
 * nothing new, so none of those notify. One tracker per
 * notifier: the web host's renderer and the Electron shell's main process each keep their own.
 */
import type { ActiveAlert, AlertsEvent } from '../contract/alerts';

/** At most this many notifications per snapshot; the rest are summed up in one more. */
export const MAX_NOTIFICATIONS_PER_SNAPSHOT = 3;

export interface AlertNotification {
  title: string;
  body: string;
  /** The alert's key, or `more:<n>` for the summary. */
  tag: string;
}

export class CriticalAlertTracker {
  private context: string | undefined;
  private firing = new Set<string>();

  /** The notifications `event` calls for; remembers what is firing for the next one. */
  next(event: AlertsEvent): AlertNotification[] {
    if (event.type !== 'snapshot' || event.stale) return [];
    // A silenced alert is being handled; if its silence ends while it still fires, it notifies then.
    const loud = event.groups.flatMap((g) => g.alerts).filter((a) => a.state === 'firing' && a.level === 'critical' && !a.silencedBy?.length);
    const baseline = this.context !== event.context;
    const fresh = baseline ? [] : loud.filter((a) => !this.firing.has(a.key));
    this.context = event.context;
    // Only what still fires is remembered: a resolved alert that fires again notifies again.
    this.firing = new Set(loud.map((a) => a.key));
    return notificationsFor(fresh);
  }

  /** Forgets everything (the view closed): the next snapshot is a new baseline. */
  reset(): void {
    this.context = undefined;
    this.firing.clear();
  }
}

function notificationsFor(fresh: ActiveAlert[]): AlertNotification[] {
  const shown = fresh.slice(0, MAX_NOTIFICATIONS_PER_SNAPSHOT).map((a) => ({
    title: `Critical: ${a.name}`,
    body: a.annotations.summary ?? a.annotations.description ?? Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(' '),
    tag: a.key,
  }));
  const more = fresh.length - shown.length;
  if (more > 0) shown.push({ title: `${more} more critical alert${more === 1 ? '' : 's'}`, body: fresh.slice(MAX_NOTIFICATIONS_PER_SNAPSHOT).map((a) => a.name).join(', '), tag: `more:${more}` });
  return shown;
}
