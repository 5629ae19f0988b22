import { NoInput, request } from './define';
import type { Runbook } from '../runbook/schema';

export interface AppInfo {
  name: string;
  version: string;
  host: 'electron' | 'web';
  /** The OS user every record is attributed to. */
  actor: string;
  runbookId: string;
  platform: string;
}

export const appRequests = {
  'app:info': request(NoInput).returns<AppInfo>(),
  'runbook:get': request(NoInput).returns<Runbook>(),
} as const;

export const appStreams = {} as const;
