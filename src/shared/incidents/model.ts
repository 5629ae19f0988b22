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
  | 'record';

export interface TimelineEntry {
  seq: number;
  at: string;
  actor: string;
  kind: TimelineKind;
  text: string;
}

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
  'incident.status-changed': { from: IncidentStatus; to: IncidentStatus };
  'checklist.item-checked': { itemId: string; label: string; done: boolean };
  'note.revised': { noteId: string; text: string };
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
