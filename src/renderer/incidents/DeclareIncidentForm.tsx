import { useState, type FormEvent } from 'react';
import { useCockpit } from '../state/store';

/** Declares an incident. What is typed lives in the store, so it survives switching panels. */
export function DeclareIncidentForm() {
  const runbook = useCockpit((s) => s.runbook);
  const declare = useCockpit((s) => s.declare);
  const { title, severity, summary } = useCockpit((s) => s.declareDraft);
  const setDraft = useCockpit((s) => s.setDeclareDraft);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const trimmed = summary.trim();
    await declare(trimmed ? { title, severity, summary: trimmed } : { title, severity });
    setBusy(false);
  };

  return (
    <form className="panel declare-form" onSubmit={(e) => void submit(e)} aria-labelledby="declare-title">
      <h1 id="declare-title">Declare an incident</h1>
      <label className="field">
        <span>Title</span>
        <input name="title" value={title} onChange={(e) => setDraft({ title: e.target.value })} required minLength={3} maxLength={200} placeholder="API latency above 2s for /designs" autoFocus />
      </label>
      <fieldset className="field severity-choice">
        <legend>Severity</legend>
        {runbook?.severities.map((level) => (
          <label key={level.id} className={`severity-option sev-border-${level.id}${severity === level.id ? ' chosen' : ''}`}>
            <input type="radio" name="severity" value={level.id} checked={severity === level.id} onChange={() => setDraft({ severity: level.id })} />
            <span className={`sev-badge sev-${level.id}`}>{level.id}</span>
            <span className="severity-name">{level.name}</span>
            <span className="severity-definition">{level.definition}</span>
            <span className="muted small">
              {level.responseTime.kind === 'minutes' ? `Respond within ${level.responseTimeText}` : `Respond by the ${level.responseTimeText.toLowerCase()}`} · {level.escalationText}
            </span>
          </label>
        ))}
      </fieldset>
      <label className="field">
        <span>Summary (optional)</span>
        <textarea name="summary" value={summary} onChange={(e) => setDraft({ summary: e.target.value })} rows={3} placeholder="What users see, since when, what changed" />
      </label>
      <button type="submit" className="button primary" disabled={busy || title.trim().length < 3}>
        Declare {severity}
      </button>
    </form>
  );
}
