/**
 * `alerts:`: a Prometheus (and optionally an Alertmanager) per context, reached by URL or through
 * the API server's service proxy; firing and pending alerts, the runbook's threshold readings,
 * silences, and declaring an incident from an alert.
 */
import { z } from 'zod';
import type { AlertLevel } from '../alerts/rules';
import type { CockpitError } from '../result';
import { SeverityIdSchema, type SeverityId } from '../runbook/schema';
import { IncidentId, request, stream } from './define';

const ContextName = z.string().min(1).max(253);
const K8sName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'is not a Kubernetes name');

/** Where a Prometheus or an Alertmanager is: a URL, or a service behind the API server's proxy (with an optional sub-path). */
export const AlertEndpointSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('url'),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), 'must not carry a user or password (they would be stored and shown in clear)'),
  }),
  z.strictObject({
    kind: z.literal('service'),
    namespace: K8sName,
    service: K8sName,
    /** A port number or name, as the service declares it. */
    port: z.union([z.number().int().min(1).max(65535), z.string().regex(/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/, 'is not a port name')]),
    /** A sub-path the server is served under (`/prometheus`), Headlamp #2607. */
    path: z
      .string()
      .max(200)
      .regex(/^(\/[A-Za-z0-9._~-]+)*\/?$/, 'must be a path such as /prometheus')
      .optional(),
  }),
]);
export type AlertEndpoint = z.infer<typeof AlertEndpointSchema>;

export const AlertSettingsSchema = z.strictObject({
  prometheus: AlertEndpointSchema.optional(),
  alertmanager: AlertEndpointSchema.optional(),
  /** Seconds between polls (default 10). */
  intervalSeconds: z.number().int().min(1).max(600).optional(),
});
export type AlertSettings = z.infer<typeof AlertSettingsSchema>;

/** Where the settings in use came from: saved by the responder, preconfigured (the drill), found as a service, or nothing. */
export type AlertSourceOrigin = 'saved' | 'preconfigured' | 'discovered' | 'none';

export interface AlertSourceInfo {
  context: string;
  origin: AlertSourceOrigin;
  settings: AlertSettings;
  /** Human description of each endpoint in use ("http://127.0.0.1:9090", "monitoring/prometheus:9090 via the API server"). */
  prometheus?: string;
  alertmanager?: string;
  /** Why discovery found nothing, when it did not. */
  note?: string;
}

export interface ActiveAlert {
  /** Stable key of this alert (name + labels), what the UI selects and the requests name. */
  key: string;
  name: string;
  state: 'firing' | 'pending';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  activeAt?: string;
  value?: string;
  level?: AlertLevel;
  /** The severity the runbook suggests when declaring from this alert. */
  incidentSeverity?: SeverityId;
  procedureIds: string[];
  /** Silenced in Alertmanager (ids of the silences holding it). */
  silencedBy?: string[];
}

export interface AlertGroup {
  name: string;
  alerts: ActiveAlert[];
  firing: number;
  pending: number;
  worst: AlertLevel | 'none';
}

/** An Alertmanager group (its `group_by` labels) with the alert names and states inside. */
export interface AlertmanagerGroup {
  labels: Record<string, string>;
  receiver: string;
  alerts: Array<{ key: string; name: string; state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; startsAt: string }>;
}

export interface ThresholdReading {
  id: string;
  metric: string;
  unit: 'seconds' | 'percent' | 'count';
  warning: number;
  critical: number;
  warningText: string;
  criticalText: string;
  promql: string;
  /** The worst series' value now (max over series), if the query answered with any. */
  value?: number;
  level: 'ok' | AlertLevel | 'unknown';
  /** The last hour, one point a minute: [unix seconds, value]. */
  sparkline: Array<[number, number]>;
  error?: string;
}

export interface AlertsSnapshot {
  type: 'snapshot';
  context: string;
  source: AlertSourceInfo;
  /** When this poll answered. */
  at: string;
  groups: AlertGroup[];
  alertmanager?: { groups: AlertmanagerGroup[]; error?: CockpitError };
  thresholds: ThresholdReading[];
  /** Set while Prometheus is unreachable or erroring: the data shown is from `lastGoodAt`. */
  stale?: { since: string; lastGoodAt?: string; error: CockpitError };
}

/** The alert stream: a snapshot at each poll that changed anything, or no source configured. */
export type AlertsEvent = AlertsSnapshot | { type: 'unconfigured'; context: string; source: AlertSourceInfo };

export interface Silence {
  id: string;
  state: 'active' | 'pending' | 'expired';
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual: boolean }>;
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

const MatcherSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'is not a label name'),
  value: z.string().max(1024),
  isRegex: z.boolean().default(false),
  isEqual: z.boolean().default(true),
});

export const alertRequests = {
  /** The source in use for a context, and where it came from. */
  'alerts:source': request(z.strictObject({ context: ContextName })).returns<AlertSourceInfo>(),
  /** Saves (or, with neither endpoint, clears) a context's settings; the watch picks them up. */
  'alerts:saveSettings': request(z.strictObject({ context: ContextName, settings: AlertSettingsSchema })).returns<AlertSourceInfo>(),
  'alerts:silences': request(z.strictObject({ context: ContextName })).returns<Silence[]>(),
  /** Creates a silence in Alertmanager; with an incident it is recorded as a change in its timeline. */
  'alerts:silence': request(
    z.strictObject({
      context: ContextName,
      matchers: z.array(MatcherSchema).min(1).max(32),
      durationMinutes: z.number().int().min(1).max(7 * 24 * 60),
      comment: z.string().min(1, 'a silence needs a comment').max(2000),
      incidentId: IncidentId.optional(),
    }),
  ).returns<Silence>(),
  'alerts:expireSilence': request(
    z.strictObject({ context: ContextName, silenceId: z.string().regex(/^[0-9a-f-]{1,64}$/, 'is not a silence id'), incidentId: IncidentId.optional() }),
  ).returns<{ expired: string }>(),
  /** Declares an incident from an alert the last poll saw; the alert, its labels and the readings go to its timeline. */
  'alerts:declareIncident': request(
    z.strictObject({
      context: ContextName,
      alertKey: z.string().min(1).max(4096),
      title: z.string().min(1).max(200).optional(),
      severity: SeverityIdSchema.optional(),
    }),
  ).returns<{ incidentId: string; severity: SeverityId }>(),
} as const;

export const alertStreams = {
  /** Alerts and threshold readings of a context, every `intervalSeconds`; ends when the context changes. */
  'alerts:watch': stream(z.strictObject({ context: ContextName })).emits<AlertsEvent>(),
} as const;
