import type { Runbook } from '../runbook/schema';
import type { StoredRecord } from '../records';
import { describeRun, PROCEDURE_RUN_RECORD, type ProcedureRunRecord } from '../procedures/model';
import { planChecklist } from './checklist';
import { NEW_NOTE_DRAFT, type DraftKey, type Incident, type IncidentRecordBodies, type IncidentRecordType, type TimelineEntry, type TimelineProcedureRun } from './model';

const isType = <T extends IncidentRecordType>(
  record: StoredRecord,
  type: T,
): record is StoredRecord<IncidentRecordBodies[T]> => record.type === type;

/**
 * An incident's state is a fold of its log: the first record declares it, each later one moves
 * it on. Record types this version does not know (written by a later capability) still show in
 * the timeline, so nothing recorded is hidden.
 */
export function foldIncident(records: readonly StoredRecord[], runbook: Runbook): Incident {
  const first = records[0];
  if (!first || !isType(first, 'incident.declared')) {
    throw new Error(`log does not start with incident.declared (found ${first ? first.type : 'no records'})`);
  }
  const declared = first.body;
  let incident: Incident = {
    id: declared.id,
    title: declared.title,
    ...(declared.summary ? { summary: declared.summary } : {}),
    severity: declared.severity,
    status: 'investigating',
    declaredAt: first.at,
    declaredBy: first.actor,
    severitySetAt: first.at,
    statusHistory: [{ status: 'investigating', at: first.at, by: first.actor }],
    checklist: planChecklist(runbook, declared.severity),
    notes: [],
    drafts: {},
    timeline: [],
  };
  for (const record of records) incident = applyRecord(incident, record, runbook);
  return incident;
}

function applyRecord(incident: Incident, record: StoredRecord, runbook: Runbook): Incident {
  const entry = (kind: TimelineEntry['kind'], text: string, note?: TimelineEntry['note']): TimelineEntry[] => [
    ...incident.timeline,
    { seq: record.seq, at: record.at, actor: record.actor, kind, text, ...(note ? { note } : {}) },
  ];

  if (record.type === PROCEDURE_RUN_RECORD) {
    const run = record.body as ProcedureRunRecord;
    const procedure = timelineRun(run);
    return { ...incident, timeline: [...incident.timeline, { seq: record.seq, at: record.at, actor: record.actor, kind: 'procedure-run', text: describeRun(run), procedure }] };
  }

  if (isType(record, 'incident.declared')) {
    return { ...incident, timeline: entry('declared', `Declared ${record.body.severity}: ${record.body.title}`) };
  }
  if (isType(record, 'incident.severity-changed')) {
    const { from, to } = record.body;
    return {
      ...incident,
      severity: to,
      severitySetAt: record.at,
      checklist: planChecklist(runbook, to, incident.checklist),
      timeline: entry('severity-changed', `Severity ${from} → ${to}`),
    };
  }
  if (isType(record, 'incident.status-changed')) {
    const { from, to, openItems } = record.body;
    const open = openItems?.length
      ? ` with ${openItems.length} open checklist item${openItems.length > 1 ? 's' : ''}: ${openItems.map((i) => i.label).join('; ')}`
      : '';
    return {
      ...incident,
      status: to,
      statusHistory: [...incident.statusHistory, { status: to, at: record.at, by: record.actor }],
      timeline: entry('status-changed', `Status ${from} → ${to}${open}`),
    };
  }
  if (isType(record, 'checklist.item-checked')) {
    const { itemId, label, done } = record.body;
    const checklist = incident.checklist.map((item) => {
      if (item.id !== itemId) return item;
      if (done) return { ...item, done: { by: record.actor, at: record.at } };
      const { done: _dropped, ...rest } = item;
      return rest;
    });
    return {
      ...incident,
      checklist,
      timeline: entry(done ? 'item-done' : 'item-undone', `${done ? 'Done' : 'Reopened'}: ${label}`),
    };
  }
  if (isType(record, 'note.revised')) {
    const { noteId, text } = record.body;
    const existing = incident.notes.find((n) => n.id === noteId);
    const notes = existing
      ? incident.notes.map((n) => (n.id === noteId ? { ...n, text, at: record.at, by: record.actor, revision: n.revision + 1 } : n))
      : [...incident.notes, { id: noteId, text, at: record.at, by: record.actor, revision: 1 }];
    // Adding the note sends its draft: a new note ends the `new` draft, an edit ends its own.
    const { [existing ? (noteId as DraftKey) : NEW_NOTE_DRAFT]: _sent, ...drafts } = incident.drafts;
    const timeline = existing
      ? entry('note-revised', `note edited (revision ${existing.revision + 1})`, { noteId, revision: existing.revision + 1, text, previousText: existing.text })
      : entry('note-added', 'note added', { noteId, revision: 1, text });
    return { ...incident, notes, drafts, timeline };
  }
  if (isType(record, 'note.draft-saved')) {
    const { key, text } = record.body;
    const { [key]: _replaced, ...drafts } = incident.drafts;
    return { ...incident, drafts: text.trim() ? { ...drafts, [key]: { text, at: record.at, by: record.actor } } : drafts };
  }
  if (isType(record, 'alert.attached')) {
    const { alert, readings } = record.body;
    const labels = Object.entries(alert.labels)
      .filter(([k]) => k !== 'alertname')
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const shown = readings
      .filter((r) => r.value !== undefined)
      .map((r) => `${r.metric} ${formatReading(r.value as number, r.unit)} (${r.level})`)
      .join('; ');
    return {
      ...incident,
      timeline: entry('alert', `Alert ${alert.name} ${alert.state}${alert.activeAt ? ` since ${alert.activeAt}` : ''} {${labels}}${shown ? ` — readings: ${shown}` : ''}`),
    };
  }
  if (isType(record, 'alert.silenced')) {
    const { silenceId, matchers, endsAt, comment } = record.body;
    const what = matchers.map((m) => `${m.name}${m.isEqual ? '' : '!'}${m.isRegex ? '=~' : '='}"${m.value}"`).join(', ');
    return { ...incident, timeline: entry('change', `Silenced {${what}} until ${endsAt} (silence ${silenceId}): ${comment}`) };
  }
  if (isType(record, 'alert.silence-expired')) {
    return { ...incident, timeline: entry('change', `Expired silence ${record.body.silenceId}`) };
  }
  return { ...incident, timeline: entry('record', describeOther(record)) };
}

const formatReading = (value: number, unit?: string): string =>
  unit === 'seconds' ? `${value.toFixed(2)} s` : unit === 'percent' ? `${value.toFixed(1)} %` : Number.isInteger(value) ? String(value) : value.toFixed(2);

function describeOther(record: StoredRecord): string {
  const body = record.body as { title?: unknown; summary?: unknown } | null;
  const title = body && typeof body.title === 'string' ? body.title : body && typeof body.summary === 'string' ? body.summary : '';
  return title ? `${record.type}: ${title}` : record.type;
}

/** A recorded run as the timeline shows it: steps in brief, and a revert for each succeeded change that replaced something. */
export function timelineRun(run: ProcedureRunRecord): TimelineProcedureRun {
  return {
    runId: run.runId,
    title: run.title,
    status: run.status,
    context: run.context,
    namespace: run.namespace,
    ...(run.reason ? { reason: run.reason } : {}),
    steps: run.steps.map((s) => ({
      title: s.title,
      status: s.status,
      kubectl: s.kubectl,
      ...(s.confirmation ? { confirmation: s.confirmation } : {}),
      ...(s.preview?.summary ? { summary: s.preview.summary } : {}),
      ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
      ...(s.error ? { error: s.error.message } : {}),
      ...(s.output ? { output: s.output.slice(0, 2000) } : {}),
    })),
    reverts: run.steps.flatMap((s, step) => (s.status === 'succeeded' && s.revert ? [{ step, title: s.revert.title, replaced: s.revert.replaced }] : [])),
  };
}
