import { useEffect } from 'react';
import { NamespacePicker } from '../cluster/NamespacePicker';
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
      <ContextPicker />
      <NamespacePicker />
      {activeId ? <ActiveIncident id={activeId} /> : <div className="active-incident muted">No active incident</div>}
      <div className="whoami muted" title="Every record is attributed to this user">
        {info ? `${info.actor} · ${info.host}` : ''}
      </div>
    </header>
  );
}

function ContextPicker() {
  const contexts = useCockpit((s) => s.contexts);
  const selectContext = useCockpit((s) => s.selectContext);
  if (!contexts) return <div className="context muted">Context…</div>;
  return (
    <label className="context" title="Kubernetes context: credentials stay in the main process">
      <span className="muted">Context</span>
      <select name="context" value={contexts.current ?? ''} onChange={(e) => void selectContext(e.target.value)} data-testid="context-select">
        {contexts.current === undefined ? <option value="">none</option> : null}
        {contexts.contexts.map((c) => (
          <option key={c.name} value={c.name}>
            {c.source === 'drill' ? `${c.name} (simulated ${c.namespace})` : `${c.name} · ${c.server}`}
          </option>
        ))}
      </select>
      {contexts.problems.length ? (
        <a href={routeHash({ panel: 'cluster' })} className="context-problem" title={contexts.problems.map((p) => `${p.file}: ${p.message}`).join('\n')}>
          ⚠ {contexts.problems.length} kubeconfig problem{contexts.problems.length > 1 ? 's' : ''}
        </a>
      ) : null}
    </label>
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
          className={`countdown${state.respondedAt ? ' met' : state.resolvedAt ? ' unanswered' : state.countdown.overdue ? ' overdue' : ''}`}
          data-testid="countdown"
          title={`Respond within ${severity.responseTimeText}; due ${state.dueAt.toLocaleString()}`}
        >
          {state.respondedAt
            ? `responded${state.countdown.overdue ? ' late' : ''}`
            : state.resolvedAt
              ? `resolved · ${state.openEscalation.join(', ')} not done`
              : state.countdown.overdue
                ? `overdue ${state.countdown.text.slice(1)}`
                : `${state.countdown.text} to respond`}
          <span className="muted"> · target {severity.responseTimeText}</span>
        </span>
      ) : null}
    </a>
  );
}
