/**
 * The one contract between the renderer and the main process. Every request (invoke → result)
 * and every stream (subscribe → events) is declared here with the schema of its input; the
 * Electron host and the web host both carry exactly this, through one generic bridge.
 * Channel names carry their domain: `app:`, `runbook:`, `incidents:`, `contexts:`, `drill:`, `evidence:`.
 */
import { z } from 'zod';
import { SCENARIO_NAMES, type ContextList, type DrillStatus } from './contexts';
import type { AttachmentPreview, EvidenceAttachment, EvidenceExport, EvidenceRecord, EvidenceVerification, VaultStatus } from './evidence';
import type { Incident, IncidentList } from './incidents/model';
import { INCIDENT_STATUSES } from './incidents/model';
import type { Result } from './result';
import type { Runbook } from './runbook/schema';
import { SeverityIdSchema } from './runbook/schema';

interface RequestSpec<I extends z.ZodType, O> {
  input: I;
  /** Phantom: carries the output type; never read at run time. */
  output?: O;
}
interface StreamSpec<I extends z.ZodType, E> {
  input: I;
  event?: E;
}

const request = <I extends z.ZodType>(input: I) => ({ returns: <O>(): RequestSpec<I, O> => ({ input }) });
const stream = <I extends z.ZodType>(input: I) => ({ emits: <E>(): StreamSpec<I, E> => ({ input }) });

const NoInput = z.strictObject({});
const IncidentId = z.string().regex(/^inc-[0-9]{8}-[a-z0-9]{4,12}$/, 'is not an incident id');
const ItemId = z.string().min(1).max(200);

const Passphrase = z.string().min(1, 'is empty').max(1024);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'is not a SHA-256');
/** Files cross the contract as base64; bigger captures are written by main-side services. */
export const MAX_EVIDENCE_FILE_BYTES = 8 * 1024 * 1024;

export const IncidentStatusSchema = z.enum(INCIDENT_STATUSES as unknown as ['investigating', 'mitigated', 'resolved']);

export const DeclareIncidentInput = z.strictObject({
  title: z.string().trim().min(3, 'needs at least 3 characters').max(200),
  severity: SeverityIdSchema,
  summary: z.string().trim().max(10_000).optional(),
});

export interface AppInfo {
  name: string;
  version: string;
  host: 'electron' | 'web';
  /** The OS user every record is attributed to. */
  actor: string;
  runbookId: string;
  platform: string;
}

export const requests = {
  'app:info': request(NoInput).returns<AppInfo>(),
  'runbook:get': request(NoInput).returns<Runbook>(),
  'incidents:list': request(NoInput).returns<IncidentList>(),
  'incidents:get': request(z.strictObject({ id: IncidentId })).returns<Incident>(),
  'incidents:declare': request(DeclareIncidentInput).returns<Incident>(),
  'incidents:setSeverity': request(z.strictObject({ id: IncidentId, severity: SeverityIdSchema })).returns<Incident>(),
  'incidents:setStatus': request(z.strictObject({ id: IncidentId, status: IncidentStatusSchema })).returns<Incident>(),
  'incidents:checkItem': request(z.strictObject({ id: IncidentId, itemId: ItemId, done: z.boolean() })).returns<Incident>(),
  'incidents:saveNote': request(
    z.strictObject({
      id: IncidentId,
      /** Absent for a new note. */
      noteId: z.string().regex(/^note-[a-z0-9]{4,16}$/).optional(),
      text: z.string().trim().min(1, 'is empty').max(100_000),
    }),
  ).returns<Incident>(),
  'contexts:list': request(NoInput).returns<ContextList>(),
  'contexts:select': request(z.strictObject({ name: z.string().min(1).max(253) })).returns<ContextList>(),
  'drill:status': request(NoInput).returns<DrillStatus>(),
  'drill:setScenario': request(z.strictObject({ name: z.enum(SCENARIO_NAMES), active: z.boolean() })).returns<DrillStatus>(),
  'evidence:status': request(NoInput).returns<VaultStatus>(),
  'evidence:initialise': request(z.strictObject({ passphrase: Passphrase.min(8, 'needs at least 8 characters').optional() })).returns<VaultStatus>(),
  'evidence:unlock': request(z.strictObject({ passphrase: Passphrase.optional() })).returns<VaultStatus>(),
  'evidence:lock': request(NoInput).returns<VaultStatus>(),
  'evidence:timeline': request(
    z.strictObject({
      incidentId: IncidentId,
      types: z.array(z.string().min(1).max(100)).max(50).optional(),
      actor: z.string().max(200).optional(),
      text: z.string().max(500).optional(),
    }),
  ).returns<EvidenceRecord[]>(),
  'evidence:attachments': request(z.strictObject({ incidentId: IncidentId })).returns<EvidenceAttachment[]>(),
  'evidence:readAttachment': request(z.strictObject({ incidentId: IncidentId, sha256: Sha256 })).returns<AttachmentPreview>(),
  'evidence:addText': request(
    z.strictObject({ incidentId: IncidentId, title: z.string().trim().min(1, 'is empty').max(200), text: z.string().min(1, 'is empty').max(10_000_000) }),
  ).returns<EvidenceRecord>(),
  'evidence:addFile': request(
    z.strictObject({
      incidentId: IncidentId,
      name: z.string().trim().min(1).max(255),
      contentBase64: z.base64().max(Math.ceil(MAX_EVIDENCE_FILE_BYTES / 3) * 4, 'is larger than 8 MiB'),
    }),
  ).returns<EvidenceRecord>(),
  'evidence:verify': request(z.strictObject({ incidentId: IncidentId })).returns<EvidenceVerification>(),
  'evidence:export': request(z.strictObject({ incidentId: IncidentId, passphrase: Passphrase.min(8, 'needs at least 8 characters') })).returns<EvidenceExport>(),
} as const;

export const streams = {
  /** An incident changed (declared, ticked, noted, ...): carries its new state. */
  'incidents:changed': stream(NoInput).emits<Incident>(),
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
