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

/** What is running in main right now: for the About box, leak checks and support. */
export interface AppDiagnostics {
  /** Streams running for pages, across every session. */
  liveStreams: number;
  heapUsedBytes: number;
  uptimeSeconds: number;
}

export const appRequests = {
  'app:diagnostics': request(NoInput).returns<AppDiagnostics>(),
  'app:info': request(NoInput).returns<AppInfo>(),
  'runbook:get': request(NoInput).returns<Runbook>(),
} as const;

export const appStreams = {} as const;
