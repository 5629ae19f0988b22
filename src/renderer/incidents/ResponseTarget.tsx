import { clockTime, dateTime } from '../shell/format';
import { responseState } from '../../shared/incidents/countdown';
import type { Incident } from '../../shared/incidents/model';
import { useNow } from '../shell/useNow';
import { useCockpit } from '../state/store';

/** The severity's response-time target, its countdown and its escalation, in one strip. */
export function ResponseTarget({ incident }: { incident: Incident }) {
  const severity = useCockpit((s) => s.runbook?.severities.find((l) => l.id === incident.severity));
  const now = useNow();
  if (!severity) return null;
  const state = responseState(incident, severity.responseTime, now);
  const tone = state.respondedAt ? 'met' : state.resolvedAt ? 'unanswered' : state.countdown.overdue ? 'overdue' : 'running';
  return (
    <section className={`response-target ${tone} sev-border-${incident.severity}`} aria-label="Response target" data-testid="response-target">
      <div>
        <span className={`sev-badge sev-${incident.severity}`}>{incident.severity}</span> <strong>{severity.name}</strong>
        <span className="muted"> — {severity.definition}</span>
      </div>
      <div>
        Respond within <strong data-testid="response-time">{severity.responseTimeText}</strong> · due {dateTime(state.dueAt)}
      </div>
      <div className="response-countdown" data-testid="response-countdown">
        {state.respondedAt
          ? `Responded at ${clockTime(state.respondedAt)}${state.countdown.overdue ? ' (late)' : ''}`
          : state.resolvedAt
            ? `Resolved at ${clockTime(state.resolvedAt)} without a response: ${state.openEscalation.join(', ')} not done`
            : state.countdown.overdue
              ? `Overdue by ${state.countdown.text.slice(1)}`
              : `${state.countdown.text} left`}
      </div>
      <div className="muted">Escalation: {severity.escalationText}</div>
    </section>
  );
}
