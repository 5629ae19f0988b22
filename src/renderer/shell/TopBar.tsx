import { useEffect } from 'react';
import { responseState } from '../../shared/incidents/countdown';
import { routeHash } from '../state/route';
import { useActiveIncidentId, useCockpit } from '../state/store';
import { useNow } from './useNow';

export function TopBar() {
  const info = useCockpit((s) => s.info);
  const activeId = useActiveIncidentId();
  return (
    <header className="topbar">
      <div className="brand">Incident Cockpit</div>
      <div className="context" title="Kubernetes context (the Cluster panel is not yet available)">
        <span className="muted">Context</span> <span className="context-name">none selected</span>
      </div>
      {activeId ? <ActiveIncident id={activeId} /> : <div className="active-incident muted">No active incident</div>}
      <div className="whoami muted" title="Every record is attributed to this user">
        {info ? `${info.actor} · ${info.host}` : ''}
      </div>
    </header>
  );
}

function ActiveIncident({ id }: { id: string }) {
  const incident = useCockpit((s) => s.opened[id]);
  const summary = useCockpit((s) => s.incidents.find((i) => i.id === id));
  const runbook = useCockpit((s) => s.runbook);
  const openIncident = useCockpit((s) => s.openIncident);
  const now = useNow();
  useEffect(() => {
    if (!incident && summary) void openIncident(id);
  }, [incident, summary, id, openIncident]);
  if (!incident) {
    return <div className="active-incident muted">Loading…</div>;
  }
  const severity = runbook?.severities.find((s) => s.id === incident.severity);
  const state = severity ? responseState(incident, severity.responseTime, now) : undefined;
  return (
    <a className="active-incident" href={routeHash({ panel: 'incident', id })} data-testid="active-incident">
      <span className={`sev-badge sev-${incident.severity}`} data-testid="topbar-severity">
        {incident.severity}
      </span>
      <span className="active-title">{incident.title}</span>
      <span className={`status-pill status-${incident.status}`} data-testid="topbar-status">
        {incident.status}
      </span>
      {state && severity ? (
        <span
          className={`countdown${state.respondedAt ? ' met' : state.countdown.overdue ? ' overdue' : ''}`}
          data-testid="countdown"
          title={`Respond within ${severity.responseTimeText}; due ${state.dueAt.toLocaleString()}`}
        >
          {state.respondedAt
            ? `responded${state.countdown.overdue ? ' late' : ''}`
            : state.countdown.overdue
              ? `overdue ${state.countdown.text.slice(1)}`
              : `${state.countdown.text} to respond`}
          <span className="muted"> · target {severity.responseTimeText}</span>
        </span>
      ) : null}
    </a>
  );
}
