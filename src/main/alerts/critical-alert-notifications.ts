/**
 * Desktop notifications from the main process (the Electron shell's native Notification): it
 * keeps its own `alerts:watch` of the current context, so a new critical alert interrupts the
 * responder even when no Alerts panel is open, and follows the context when it changes. Which
 * alerts notify is `CriticalAlertTracker`'s decision; how a notification is shown is the shell's.
 */
import { CriticalAlertTracker, type AlertNotification } from '../../shared/alerts/critical-alert-tracker';
import type { AlertsEvent } from '../../shared/contract/alerts';
import { DisposableStore, Emitter, toDisposable, type Event, type IDisposable } from '../../shared/lifetimes';
import type { Logger } from '../app/logger';
import type { ContextChange } from '../contexts/context-service';
import type { StreamSink } from '../host/dispatcher';
import type { AlertsService } from './alerts-service';

export interface CriticalAlertNotificationsDeps {
  alerts: Pick<AlertsService, 'watch'>;
  contexts: { readonly current: string | undefined; readonly onDidChangeContext: Event<ContextChange> };
  /** Shows one notification (Electron: `new Notification({ title, body }).show()`). */
  show: (notification: AlertNotification) => void;
  logger: Logger;
}

export class CriticalAlertNotifications implements IDisposable {
  private readonly store = new DisposableStore();
  private readonly tracker = new CriticalAlertTracker();
  private watching: { context: string; subscription: IDisposable; sink: { closed: boolean } } | undefined;
  private disposed = false;
  /** A watch here is never paused. */
  private readonly neverPaused = this.store.add(new Emitter<void>());

  constructor(private readonly deps: CriticalAlertNotificationsDeps) {
    this.store.add(deps.contexts.onDidChangeContext(() => this.follow()));
    this.store.add(toDisposable(() => this.stopWatching()));
    this.follow();
  }

  /** Watches the current context unless that watch is already running. */
  private follow(): void {
    if (this.disposed) return;
    const current = this.deps.contexts.current;
    if (this.watching && this.watching.context === current && !this.watching.sink.closed) return;
    this.stopWatching();
    if (!current) return;
    const sink = this.sink();
    try {
      const subscription = this.deps.alerts.watch({ context: current }, sink);
      this.watching = { context: current, subscription, sink };
    } catch (error) {
      this.deps.logger.warn('alerts.notifications-unwatched', { context: current, message: error instanceof Error ? error.message : String(error) });
    }
  }

  private stopWatching(): void {
    this.watching?.subscription.dispose();
    this.watching = undefined;
  }

  private sink(): StreamSink<AlertsEvent> & { closed: boolean } {
    const sink = {
      closed: false,
      paused: false,
      onDidPause: this.neverPaused.event,
      onDidResume: this.neverPaused.event,
      emit: (event: AlertsEvent) => {
        if (sink.closed) return;
        for (const notification of this.tracker.next(event)) {
          try {
            this.deps.show(notification);
          } catch (error) {
            this.deps.logger.warn('alerts.notification-failed', { message: error instanceof Error ? error.message : String(error) });
          }
        }
      },
      end: () => {
        sink.closed = true;
        // The source or the context changed: watch again (the context change also calls follow).
        queueMicrotask(() => this.follow());
      },
      fail: (error: Error) => {
        sink.closed = true;
        this.deps.logger.warn('alerts.notifications-failed', { message: error.message });
      },
    };
    return sink;
  }

  dispose(): void {
    this.disposed = true;
    this.store.dispose();
  }
}
