import type { appRequests, AppInfo } from '../../shared/contract/app';
import { CockpitFailure } from '../../shared/result';
import type { Runbook } from '../../shared/runbook/schema';
import type { HandlersOf } from '../host/dispatcher';

/** `app:` and `runbook:`: what the app is, and the runbook it was built from (or why it is missing). */
export function appHandlers(deps: {
  info: Omit<AppInfo, 'runbookId'>;
  runbook: Runbook | undefined;
  runbookError: CockpitFailure | undefined;
  liveStreams: () => number;
}): HandlersOf<keyof typeof appRequests> {
  return {
    'app:diagnostics': () => ({ liveStreams: deps.liveStreams(), heapUsedBytes: process.memoryUsage().heapUsed, uptimeSeconds: Math.round(process.uptime()) }),
    'app:info': () => ({ ...deps.info, runbookId: deps.runbook?.id ?? '' }),
    'runbook:get': () => {
      if (!deps.runbook) throw deps.runbookError ?? new CockpitFailure('Unavailable', 'no runbook loaded');
      return deps.runbook;
    },
  };
}
