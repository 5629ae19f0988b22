import { VaultGate } from '../evidence/VaultGate';
import { dateTime } from '../shell/format';
import { useEffect } from 'react';
import { routeHash } from '../state/route';
import { useCockpit } from '../state/store';
import { DeclareIncidentForm } from './DeclareIncidentForm';
import { IncidentDetail } from './IncidentDetail';

/** Incidents: the list on the left; the open incident, or the declare form, on the right. */
export function IncidentPanel() {
  const routeId = useCockpit((s) => (s.route.panel === 'incident' ? s.route.id : undefined));
  const runbookError = useCockpit((s) => s.runbookError);

  if (runbookError) {
    return (
      <section className="panel" role="alert">
        <h1>The runbook could not be loaded</h1>
        <p>Incidents need a runbook for their severities and checklist. Fix the file and restart the cockpit.</p>
        <pre className="error-detail" data-testid="runbook-error">{runbookError.message}</pre>
      </section>
    );
  }

  return (
    <VaultGate>
      <IncidentWorkspace routeId={routeId} />
    </VaultGate>
  );
}

function IncidentWorkspace({ routeId }: { routeId: string | undefined }) {
  const incidents = useCockpit((s) => s.incidents);
  const unreadable = useCockpit((s) => s.unreadable);
  const opened = useCockpit((s) => (routeId ? s.opened[routeId] : undefined));
  const openIncident = useCockpit((s) => s.openIncident);

  useEffect(() => {
    if (routeId && !opened) void openIncident(routeId);
  }, [routeId, opened, openIncident]);

  return (
    <div className="incident-layout">
      <aside className="incident-list" aria-label="Incidents">
        <a className={`button primary${routeId ? '' : ' active'}`} href={routeHash({ panel: 'incident' })}>
          Declare incident
        </a>
        <ul>
          {incidents.map((incident) => (
            <li key={incident.id}>
              <a
                href={routeHash({ panel: 'incident', id: incident.id })}
                className={`incident-link${incident.id === routeId ? ' active' : ''}`}
                aria-current={incident.id === routeId ? 'page' : undefined}
              >
                <span className={`sev-badge sev-${incident.severity}`}>{incident.severity}</span>
                <span className="incident-link-title">{incident.title}</span>
                <span className={`status-pill status-${incident.status}`}>{incident.status}</span>
                <span className="muted small">
                  {dateTime(incident.declaredAt)} · {incident.checklistDone}/{incident.checklistTotal}
                </span>
              </a>
            </li>
          ))}
        </ul>
        {unreadable.length > 0 ? (
          <div className="unreadable" role="alert">
            <h2>Unreadable incident logs</h2>
            <ul>
              {unreadable.map((u) => (
                <li key={u.id}>
                  <strong>{u.id}</strong>: {u.error}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </aside>
      <div className="incident-main">
        {routeId ? opened ? <IncidentDetail incident={opened} /> : <p className="muted">Loading {routeId}…</p> : <DeclareIncidentForm />}
      </div>
    </div>
  );
}
