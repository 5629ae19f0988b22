import { foldIncident } from '../../shared/incidents/fold';
import type { Incident, IncidentRecordBodies, IncidentRecordType } from '../../shared/incidents/model';
import { summarise } from '../../shared/incidents/model';
import type { StoredRecord } from '../../shared/records';
import type { SeverityId } from '../../shared/runbook/schema';
import { bundledRunbook } from './bundledRunbook';

export const runbook = bundledRunbook();

/** An incident as the host would serve it: the fold of a declaration and `then` records. */
export function incident(
  id: string,
  options: { title?: string; severity?: SeverityId; at?: string; then?: Array<{ [T in IncidentRecordType]: { type: T; body: IncidentRecordBodies[T] } }[IncidentRecordType]> } = {},
): Incident {
  const at = options.at ?? '2026-11-28T10:00:00.000Z';
  const records: StoredRecord[] = [
    { seq: 1, at, actor: 'alice', type: 'incident.declared', body: { id, title: options.title ?? `Incident ${id}`, severity: options.severity ?? 'SEV2' } },
    ...(options.then ?? []).map((r, i) => ({ seq: i + 2, at, actor: 'alice', ...r })),
  ];
  return foldIncident(records, runbook);
}

export const listOf = (...incidents: Incident[]) => ({ incidents: incidents.map(summarise), unreadable: [] });
