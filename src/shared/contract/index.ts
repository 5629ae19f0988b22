/**
 * The one contract between the renderer and the main process. Every request (invoke → result)
 * and every stream (subscribe → events) is declared in its domain's file beside this one and
 * merged here into one table; the Electron host and the web host both carry exactly this,
 * through one generic bridge. Channel names carry their domain: `app:`, `runbook:`,
 * `incidents:`, `contexts:`, `drill:`, `evidence:`.
 */
import type { Result } from '../result';
import { appRequests, appStreams } from './app';
import { clusterRequests, clusterStreams } from './cluster';
import { contextRequests, contextStreams } from './contexts';
import { evidenceRequests, evidenceStreams } from './evidence';
import { incidentRequests, incidentStreams } from './incidents';
import type { z } from 'zod';

export type { AppInfo } from './app';
export type { ClusterWatchEvent, InformerState, NodeUsage, PodUsage, TopEvent, UsageFigures } from './cluster';
export { DeclareIncidentInput, IncidentStatusSchema } from './incidents';
export { MAX_EVIDENCE_FILE_BYTES } from './evidence';

export const requests = {
  ...appRequests,
  ...incidentRequests,
  ...contextRequests,
  ...clusterRequests,
  ...evidenceRequests,
} as const;

export const streams = {
  ...appStreams,
  ...incidentStreams,
  ...contextStreams,
  ...clusterStreams,
  ...evidenceStreams,
} as const;

export type Requests = typeof requests;
export type Streams = typeof streams;
export type RequestName = keyof Requests;
export type StreamName = keyof Streams;
export type RequestInput<K extends RequestName> = z.input<Requests[K]['input']>;
export type RequestOutput<K extends RequestName> = NonNullable<Requests[K]['output']>;
export type StreamInput<K extends StreamName> = z.input<Streams[K]['input']>;
export type StreamEvent<K extends StreamName> = NonNullable<Streams[K]['event']>;

export const isRequestName = (name: string): name is RequestName => Object.hasOwn(requests, name);
export const isStreamName = (name: string): name is StreamName => Object.hasOwn(streams, name);

/** What the renderer sees as `window.cockpit`, in both hosts. */
export interface CockpitApi {
  invoke<K extends RequestName>(name: K, input: RequestInput<K>): Promise<Result<RequestOutput<K>>>;
  /** Returns an unsubscribe function; events may arrive batched but in order. */
  subscribe<K extends StreamName>(name: K, input: StreamInput<K>, listener: (event: StreamEvent<K>) => void): () => void;
}
