import { z } from 'zod';
import type { CockpitError } from '../result';
import { IncidentId, request, stream } from './define';

const objectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'is not a Kubernetes object name');
const containerName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'is not a container name');
const pattern = z.string().min(1).max(1000);

/** What a view reads: one pod, every pod of a workload, or a stern-style query. */
export const LogSourceSchema = z.union([
  z.strictObject({ kind: z.literal('pod'), name: objectName, container: containerName.optional() }),
  z.strictObject({ kind: z.enum(['deployment', 'statefulset', 'daemonset', 'job']), name: objectName, container: containerName.optional() }),
  z.strictObject({
    kind: z.literal('query'),
    /** A regex over pod names (re2 syntax), as stern takes it. */
    podPattern: pattern,
    labelSelector: z.string().max(1000).optional(),
    container: containerName.optional(),
  }),
]);
export type LogSource = z.infer<typeof LogSourceSchema>;

export const LogOptionsSchema = z.strictObject({
  /** Keep the streams open for new lines (default true; `previous` never follows). */
  follow: z.boolean().optional(),
  /** Lines of history per container (default: the server's, at most 5,000 in the drill). */
  tailLines: z.number().int().min(0).max(1_000_000).optional(),
  /** Only lines after this: a duration in seconds or an RFC3339 time. */
  since: z.union([z.strictObject({ seconds: z.number().int().min(1).max(10 * 365 * 86400) }), z.strictObject({ time: z.iso.datetime({ offset: true }) })]).optional(),
  /** The previous (terminated) instance of each container. */
  previous: z.boolean().optional(),
  /** The view's ring size in lines (default 1,000,000). */
  maxLines: z.number().int().min(100).max(5_000_000).optional(),
});
export type LogOptions = z.infer<typeof LogOptionsSchema>;

export const LogFilterTermSchema = z.strictObject({
  pattern,
  /** false: the pattern is plain text. */
  regex: z.boolean(),
  caseSensitive: z.boolean(),
  /** Lines that do NOT match. */
  invert: z.boolean(),
});

export const LogFilterSchema = z.strictObject({
  terms: z.array(LogFilterTermSchema).min(1).max(8),
  /** `all`: a line matches every term; `any`: at least one. */
  combine: z.enum(['all', 'any']),
});
export type LogFilter = z.infer<typeof LogFilterSchema>;
export type LogFilterTerm = z.infer<typeof LogFilterTermSchema>;

/** Where one pod/container stream stands. `gone`: the pod went away; its lines stay in the view. */
export type LogSourceState = 'waiting' | 'streaming' | 'reconnecting' | 'ended' | 'gone' | 'failed';

export interface LogSourceInfo {
  id: number;
  pod: string;
  container: string;
  state: LogSourceState;
  /** Why it is waiting, reconnecting or failed. */
  message?: string;
  lines: number;
  /** Times the stream was resumed after a drop, and repeated lines the resume dropped. */
  resumes: number;
  repeatsDropped: number;
}

/** Counts only: the lines stay in main and are read by window (`logs:window`). */
export interface LogStats {
  /** Every line ever taken in; the seq the next line gets. */
  nextSeq: number;
  /** The oldest line held; `dropped` lines (= firstSeq) were pushed out at the cap. */
  firstSeq: number;
  dropped: number;
  maxLines: number;
  bytes: number;
  /** With a filter: matches held, their first ordinal, and how long the last full pass took. */
  matched?: number;
  firstMatch?: number;
  nextMatch?: number;
  filterMs?: number;
  /** Lines per second over the last second. */
  rate: number;
}

export type LogViewEvent =
  | { type: 'opened'; viewId: string; context: string; namespace: string; description: string }
  | { type: 'stats'; stats: LogStats }
  | { type: 'sources'; sources: LogSourceInfo[] }
  /** A problem with one source that does not end the view (one container failed, a resume). */
  | { type: 'problem'; error: CockpitError; source?: number }
  /**
   * The newest lines (positions `from`…), pushed with the counts while the subscriber follows
   * (`logs:follow`): the followed list repaints on every report without a round trip.
   */
  | { type: 'tail'; from: number; filtered: boolean; lines: LogWindowLine[] };

export interface LogWindowLine {
  seq: number;
  source: number;
  /** ms since the epoch from the line's stamp; null when it had none. */
  time: number | null;
  text: string;
  /** Match ranges in `text` (UTF-16 offsets), start/end pairs. */
  marks?: number[];
}

const ViewId = z.string().regex(/^log-[a-z0-9]{6,24}$/, 'is not a log view id');

export const logsRequests = {
  /**
   * Lines of a view by position: `filtered` counts positions among the matches (match
   * ordinals), else among all lines (seqs). Positions pushed out at the cap are skipped.
   */
  'logs:window': request(
    z.strictObject({ viewId: ViewId, from: z.number().int().min(0), count: z.number().int().min(0).max(2000), filtered: z.boolean() }),
  ).returns<{ lines: LogWindowLine[]; from: number }>(),
  /**
   * Follow the tail: with every report (at most 20 a second) the view pushes its newest `lines`
   * positions (matches when `filtered`) as a `tail` event; 0 stops it.
   */
  'logs:follow': request(z.strictObject({ viewId: ViewId, lines: z.number().int().min(0).max(500), filtered: z.boolean() })).returns<{ following: boolean }>(),
  /** Sets (or clears, with null) the view's filter; runs over every held line in main. */
  'logs:setFilter': request(z.strictObject({ viewId: ViewId, filter: LogFilterSchema.nullable() })).returns<{
    matched: number;
    /** The pass over every held line: wall time, and the CPU the process spent meanwhile. */
    tookMs: number;
    cpuMs: number;
    engine: string;
  }>(),
  /** The next / previous matching line from `fromSeq` (exclusive), or null. */
  'logs:seek': request(z.strictObject({ viewId: ViewId, fromSeq: z.number().int().min(0), direction: z.enum(['next', 'previous']) })).returns<{ seq: number | null }>(),
  /** What is shown (filtered or all), as text to save: at most 16 MiB. */
  'logs:export': request(z.strictObject({ viewId: ViewId, filtered: z.boolean(), timestamps: z.boolean() })).returns<{
    name: string;
    text: string;
    lines: number;
  }>(),
  /**
   * Seals lines into the incident's evidence as an attachment (secrets redacted), with the
   * query, context, namespace, time range and line count: the filtered lines, the last N
   * minutes, or a range of seqs.
   */
  'logs:capture': request(
    z.strictObject({
      viewId: ViewId,
      incidentId: IncidentId,
      filtered: z.boolean(),
      lastMinutes: z.number().int().min(1).max(24 * 60).optional(),
      range: z.strictObject({ fromSeq: z.number().int().min(0), toSeq: z.number().int().min(0) }).optional(),
    }),
  ).returns<{ name: string; lines: number; bytes: number; sha256: string; from: string | null; to: string | null }>(),
} as const;

export const logsStreams = {
  /**
   * Opens a log view in the given context and namespace and reports on it: `opened`, then
   * `stats` and `sources` as they change. The view (its ring and streams) lives as long as
   * this subscription, and ends with the context.
   */
  'logs:view': stream(
    z.strictObject({
      context: z.string().min(1).max(253),
      namespace: z.string().min(1).max(63),
      source: LogSourceSchema,
      options: LogOptionsSchema.optional(),
    }),
  ).emits<LogViewEvent>(),
} as const;
