import { useEffect, useRef } from 'react';
import type { PendingResolution } from './incidentsSlice';
import { useCockpit } from '../state/store';

/**
 * Resolving with checklist items still open asks first, listing them; confirming records the
 * list with the resolution (it shows in the timeline). Escalation items are marked: leaving one
 * open means the response was never made.
 */
export function ConfirmResolveDialog({ pending }: { pending: PendingResolution }) {
  const confirm = useCockpit((s) => s.confirmResolution);
  const cancel = useCockpit((s) => s.cancelResolution);
  const keepWorking = useRef<HTMLButtonElement>(null);
  useEffect(() => keepWorking.current?.focus(), []);
  const count = pending.openItems.length;
  return (
    <div className="modal-backdrop">
      <div
        className="confirm-dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-resolve-title"
        aria-describedby="confirm-resolve-text"
        onKeyDown={(e) => {
          if (e.key === 'Escape') cancel();
        }}
      >
        <h2 id="confirm-resolve-title">Resolve with {count} open checklist item{count > 1 ? 's' : ''}?</h2>
        <p id="confirm-resolve-text">These are not done. Resolving records them as left open, in the timeline and the evidence log.</p>
        <ul className="open-items" aria-label="Open checklist items">
          {pending.openItems.map((item) => (
            <li key={item.id}>
              {item.label}
              {item.group === 'escalation' ? <span className="chip warn">escalation: no response recorded</span> : null}
            </li>
          ))}
        </ul>
        <div className="note-actions">
          <button type="button" className="button primary" onClick={() => void confirm()}>
            Resolve with {count} open
          </button>
          <button type="button" className="button" ref={keepWorking} onClick={cancel}>
            Keep working
          </button>
        </div>
      </div>
    </div>
  );
}
