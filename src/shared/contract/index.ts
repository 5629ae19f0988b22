/**
 * The one contract between the renderer and the main process. Every request (invoke → result)
 * and every stream (subscribe → events) is declared in its domain's file beside this one and
 * merged here into one table; the Electron host and the web host both carry exactly this,
 * through one generic bridge. Channel names carry their domain: `app:`, `runbook:`,
 * `incidents:`, `contexts:`, `cluster:`, `drill:`, `evidence:`, `procedures:`, `alerts:`, `logs:`.
 */
import type { CockpitError, Result } from '../result';
import { alertRequests, alertStreams } from './alerts';
import { appRequests, appStreams } from './app';
import { clusterRequests, clusterStreams } from './cluster';
import { contextRequests, contextStreams } from './contexts';
import { evidenceRequests, evidenceStreams } from './evidence';
import { incidentRequests, incidentStreams } from './incidents';
import { procedureRequests, procedureStreams } from './procedures';
import { logsRequests, logsStreams } from './logs';
import { terminalRequests, terminalStreams } from './terminal';
import { databaseRequests, databaseStreams } from './databases';
import { tunnelRequests, tunnelStreams } from './tunnels';
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
  ...procedureRequests,
  ...alertRequests,
  ...logsRequests,
  ...terminalRequests,
  ...databaseRequests,
  ...tunnelRequests,
} as const;

export const streams = {
  ...appStreams,
  ...incidentStreams,
  ...contextStreams,
  ...clusterStreams,
  ...evidenceStreams,
  ...procedureStreams,
  ...alertStreams,
  ...logsStreams,
  ...terminalStreams,
  ...databaseStreams,
  ...tunnelStreams,
} as const;

export type Requests = typeof requests;
export type Streams = typeof streams;
export type RequestName = keyof Requests;
export type StreamName = keyof Streams;
export type RequestInput<K extends RequestName> = z.input<Requests[K]['input']>;
export type RequestOutput<K extends RequestName> = NonNullable<Requests[K]['output']>;
export type StreamInput<K extends StreamName> = z.input<Streams[K]['input']>;
export type StreamEvent<K extends StreamName> = NonNullable<Streams[K]['event']>;

export const isRequestName = (name: unknown): name is RequestName => typeof name === 'string' && Object.hasOwn(requests, name);
export const isStreamName = (name: unknown): name is StreamName => typeof name === 'string' && Object.hasOwn(streams, name);

/**
 * What a subscriber is told: event batches in order, then exactly one `error` or `end`. A
 * subscription that is refused (unknown stream, bad input, nothing to stream) ends in `error`.
 */
export interface StreamHandlers<E> {
  /**
   * A batch of events, in order. The batch is acknowledged (flow-control credit back to main)
   * when this returns, or, with `manualAck`, when the handler calls `ack` (e.g. from xterm's
   * write callback, once the bytes are on screen).
   */
  events(events: E[], ack: () => void): void;
  error?(error: CockpitError): void;
  end?(reason: string): void;
  manualAck?: boolean;
}

/** What the renderer sees as `window.cockpit`, in both hosts. */
export interface CockpitApi {
  invoke<K extends RequestName>(name: K, input: RequestInput<K>): Promise<Result<RequestOutput<K>>>;
  /** Returns the function that unsubscribes (after which no handler is called). */
  subscribe<K extends StreamName>(name: K, input: StreamInput<K>, handlers: StreamHandlers<StreamEvent<K>>): () => void;
}
