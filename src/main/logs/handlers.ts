import type { logsRequests, logsStreams } from '../../shared/contract/logs';
import type { HandlersOf, StreamProviders } from '../host/dispatcher';
import type { LogService } from './log-service';

/** `logs:`: window reads, filters, seeks, exports and captures of the views `logs:view` opened. */
export function logsHandlers(logs: LogService): HandlersOf<keyof typeof logsRequests> {
  return {
    'logs:window': ({ viewId, from, count, filtered }) => logs.view(viewId).window(from, count, filtered),
    'logs:follow': ({ viewId, lines, filtered }) => ({ following: logs.view(viewId).followTail(lines, filtered) }),
    'logs:setFilter': ({ viewId, filter }) => logs.setFilter(viewId, filter),
    'logs:seek': ({ viewId, fromSeq, direction }) => ({ seq: logs.view(viewId).seek(fromSeq, direction) }),
    'logs:export': ({ viewId, filtered, timestamps }) => logs.export(viewId, filtered, timestamps),
    'logs:capture': (input) => logs.capture(input),
  };
}

/** `logs:view`: a view lives as long as its subscription. */
export function logsProviders(logs: LogService): Pick<StreamProviders, keyof typeof logsStreams> {
  return {
    'logs:view': (input, sink) => logs.open(input, sink),
  };
}
