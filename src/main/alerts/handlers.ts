import type { alertRequests, alertStreams } from '../../shared/contract/alerts';
import type { HandlersOf, StreamProviders } from '../host/dispatcher';
import type { AlertsService } from './alerts-service';

/** `alerts:` requests: the source per context, silences, declaring an incident from an alert. */
export function alertHandlers(alerts: AlertsService, actor: string): HandlersOf<keyof typeof alertRequests> {
  return {
    'alerts:source': ({ context }) => alerts.source(context),
    'alerts:saveSettings': ({ context, settings }) => alerts.saveSettings(context, settings),
    'alerts:silences': ({ context }) => alerts.silences(context),
    'alerts:silence': (input) => alerts.silence({ ...input, actor }),
    'alerts:expireSilence': (input) => alerts.expireSilence({ ...input, actor }),
    'alerts:declareIncident': (input) => alerts.declareIncident(input),
  };
}

/** `alerts:watch`: the current context's alerts and threshold readings, polled. */
export function alertProviders(alerts: AlertsService): Pick<StreamProviders, keyof typeof alertStreams> {
  return { 'alerts:watch': (input, sink) => alerts.watch(input, sink) };
}
