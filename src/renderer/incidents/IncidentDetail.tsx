import { clockTime, dateTime } from '../shell/format';
import { INCIDENT_STATUSES, type Incident } from '../../shared/incidents/model';
import type { SeverityId } from '../../shared/runbook/schema';
import { useCockpit } from '../state/store';
import { Checklist } from './Checklist';
import { ConfirmResolveDialog } from './ConfirmResolveDialog';
import { Notes } from './Notes';
import { ResponseTarget } from './ResponseTarget';
import { Timeline } from './Timeline';

export function IncidentDetail({ incident }: { incident: Incident }) {
  const runbook = useCockpit((s) => s.runbook);
  const setSeverity = useCockpit((s) => s.setSeverity);
  const setStatus = useCockpit((s) => s.setStatus);
  const pending = useCockpit((s) => (s.pendingResolution?.incidentId === incident.id ? s.pendingResolution : undefined));
  const statusAt = (status: string) => incident.statusHistory.findLast((h) => h.status === status)?.at;

  return (
    <article className="incident-detail" aria-labelledby="incident-title">
      <header className="incident-header">
        <div>
          <h1 id="incident-title">{incident.title}</h1>
          <p className="muted small">
            {incident.id} · declared by {incident.declaredBy} at {dateTime(incident.declaredAt)}
          </p>
          {incident.summary ? <p>{incident.summary}</p> : null}
        </div>
        <div className="incident-controls">
          <label className="inline-field">
            <span>Severity</span>
            <select
              name="severity"
              value={incident.severity}
              onChange={(e) => void setSeverity(incident.id, e.target.value as SeverityId)}
              className={`sev-select sev-border-${incident.severity}`}
            >
              {runbook?.severities.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.id} · {s.name}
                </option>
              ))}
            </select>
          </label>
          <div className="status-steps" role="group" aria-label="Status">
            {INCIDENT_STATUSES.map((status) => {
              const at = statusAt(status);
              return (
                <button
                  key={status}
                  type="button"
                  className={`status-step status-${status}${incident.status === status ? ' current' : ''}`}
                  aria-pressed={incident.status === status}
                  onClick={() => void setStatus(incident.id, status)}
                >
                  <span>{status}</span>
                  <span className="small muted">{at ? clockTime(at) : '—'}</span>
                </button>
              );
            })}
          </div>
        </div>
      </header>
      <ResponseTarget incident={incident} />
      <div className="incident-columns">
        <Checklist incident={incident} />
        <div className="incident-side">
          <Notes incident={incident} />
          <Timeline incident={incident} />
        </div>
      </div>
      {pending ? <ConfirmResolveDialog pending={pending} /> : null}
    </article>
  );
}
