import type { SeverityId } from '../runbook/schema';

/** Where an incident stands; each move is timestamped in `statusHistory`. */
export type IncidentStatus = 'investigating' | 'mitigated' | 'resolved';
export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['investigating', 'mitigated', 'resolved'];

export interface ChecklistItem {
  /** `escalation.SEV1.pagerduty`, `process.detection-triage.rollout-history`, ... */
  id: string;
  label: string;
  group: 'escalation' | 'process';
  /** For process items: the stage they belong to (`detection-triage`). */
  stageId?: string;
  stageTitle?: string;
  /** For items made from a runbook step: the command it stands for. */
  command?: string;
  /** For items made from a runbook step: its id, so the item opens that step's run dialog. */
  stepId?: string;
  /** Procedure steps this item leads to (a rollout history check leads to the rollback). */
  links?: Array<{ stepId: string; label: string }>;
  /** For escalation items: due this many minutes after the severity was set. */
  withinMinutes?: number;
  /** The severity whose plan produced this item (escalation items differ per severity). */
  fromSeverity?: SeverityId;
  done?: { by: string; at: string };
  /** Kept after a severity change because it was already done, though the new plan lacks it. */
  carried?: boolean;
}

export interface IncidentNote {
  id: string;
  text: string;
  by: string;
  at: string;
  /** How many revisions the note has had (1 for a note never edited). */
  revision: number;
}

export type TimelineKind =
  | 'declared'
  | 'severity-changed'
  | 'status-changed'
  | 'item-done'
  | 'item-undone'
  | 'note-added'
  | 'note-revised'
  | 'procedure-run'
  /** An alert attached to the incident (declared from it), with its labels and the threshold readings. */
  | 'alert'
  /** A change made to a system during the incident (a silence created or expired). */
  | 'change'
  | 'record';

export interface TimelineEntry {
  seq: number;
  at: string;
  actor: string;
  kind: TimelineKind;
  /** One line: `note edited (revision 2)`, `Status mitigated → resolved`, ... */
  text: string;
  /** For note entries: the revision this entry made, so the timeline can render it and diff it. */
  note?: { noteId: string; revision: number; text: string; previousText?: string };
  /** For procedure runs: what ran, how it ended, and the reverts it offers (by step index). */
  procedure?: TimelineProcedureRun;
}

export interface TimelineProcedureRun {
  runId: string;
  title: string;
  status: string;
  context: string;
  namespace: string;
  reason?: string;
  steps: Array<{ title: string; status: string; kubectl: string; confirmation?: string; summary?: string; durationMs?: number; error?: string; output?: string }>;
  reverts: Array<{ step: number; title: string; replaced: string }>;
}

/**
 * A draft being typed: sealed in the incident's log so nothing typed is lost, but not a note
 * (and not in the timeline) until the responder adds it. Keyed by what it drafts: `new` for a
 * new note, a note id for an edit of that note.
 */
export interface NoteDraft {
  text: string;
  at: string;
  by: string;
}

/** What a draft is for: a new note, or an edit of an existing one (its id). */
export type DraftKey = 'new' | `note-${string}`;
export const NEW_NOTE_DRAFT: DraftKey = 'new';

export interface Incident {
  id: string;
  title: string;
  summary?: string;
  severity: SeverityId;
  status: IncidentStatus;
  declaredAt: string;
  declaredBy: string;
  /** When the current severity was set: the response-time clock starts here. */
  severitySetAt: string;
  statusHistory: Array<{ status: IncidentStatus; at: string; by: string }>;
  checklist: ChecklistItem[];
  notes: IncidentNote[];
  /** Unsent drafts by key (see `NoteDraft`). */
  drafts: Partial<Record<DraftKey, NoteDraft>>;
  timeline: TimelineEntry[];
}

export interface IncidentSummary {
  id: string;
  title: string;
  severity: SeverityId;
  status: IncidentStatus;
  declaredAt: string;
  severitySetAt: string;
  checklistDone: number;
  checklistTotal: number;
}

/** An incident whose log could not be read: shown in the list with the reason, never dropped. */
export interface UnreadableIncident {
  id: string;
  error: string;
}

export interface IncidentList {
  incidents: IncidentSummary[];
  unreadable: UnreadableIncident[];
}

/** The record types an incident log holds, with their bodies. */
export interface IncidentRecordBodies {
  'incident.declared': { id: string; title: string; severity: SeverityId; summary?: string };
  'incident.severity-changed': { from: SeverityId; to: SeverityId };
  /** `openItems`: the checklist items still open when the responder confirmed resolving. */
  'incident.status-changed': { from: IncidentStatus; to: IncidentStatus; openItems?: Array<{ itemId: string; label: string }> };
  'checklist.item-checked': { itemId: string; label: string; done: boolean };
  'note.revised': { noteId: string; text: string };
  /** An empty `text` discards the draft. */
  'note.draft-saved': { key: DraftKey; text: string };
  /** The alert an incident was declared from (or attached later), as Prometheus showed it, with the runbook's readings then. */
  'alert.attached': {
    alert: { name: string; state: string; labels: Record<string, string>; annotations: Record<string, string>; activeAt?: string; value?: string };
    readings: Array<{ id: string; metric: string; unit?: 'seconds' | 'percent' | 'count'; value?: number; level: string; warningText: string; criticalText: string }>;
    source: string;
  };
  /** A silence created in Alertmanager: a change to what pages people. */
  'alert.silenced': {
    silenceId: string;
    matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual: boolean }>;
    startsAt: string;
    endsAt: string;
    comment: string;
    alertmanager: string;
  };
  'alert.silence-expired': { silenceId: string; alertmanager: string };
}
export type IncidentRecordType = keyof IncidentRecordBodies;

export const summarise = (incident: Incident): IncidentSummary => ({
  id: incident.id,
  title: incident.title,
  severity: incident.severity,
  status: incident.status,
  declaredAt: incident.declaredAt,
  severitySetAt: incident.severitySetAt,
  checklistDone: incident.checklist.filter((item) => item.done).length,
  checklistTotal: incident.checklist.length,
});

/** Checklist items not yet done, in checklist order: what resolving would leave open. */
export const openChecklistItems = (incident: Pick<Incident, 'checklist'>): ChecklistItem[] => incident.checklist.filter((item) => !item.done);
