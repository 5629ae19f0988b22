import { clockTime } from '../shell/format';
import { useState } from 'react';
import type { Incident, IncidentNote } from '../../shared/incidents/model';
import { useCockpit } from '../state/store';

/** Free-text notes; each save appends a revision to the incident's log. */
export function Notes({ incident }: { incident: Incident }) {
  const saveNote = useCockpit((s) => s.saveNote);
  const [draft, setDraft] = useState('');
  const add = async () => {
    if (await saveNote(incident.id, draft)) setDraft('');
  };
  return (
    <section className="notes" aria-labelledby="notes-title">
      <h2 id="notes-title">Notes</h2>
      <textarea
        aria-label="New note"
        name="note"
        rows={3}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && draft.trim()) void add();
        }}
        placeholder="What you saw, what you tried (Ctrl+Enter to add)"
      />
      <button type="button" className="button" disabled={!draft.trim()} onClick={() => void add()}>
        Add note
      </button>
      <ul className="note-list">
        {[...incident.notes].reverse().map((note) => (
          <NoteRow key={note.id} incidentId={incident.id} note={note} />
        ))}
      </ul>
    </section>
  );
}

function NoteRow({ incidentId, note }: { incidentId: string; note: IncidentNote }) {
  const saveNote = useCockpit((s) => s.saveNote);
  const [editing, setEditing] = useState<string | undefined>();
  return (
    <li className="note">
      <div className="small muted">
        {note.by} · {clockTime(note.at)}
        {note.revision > 1 ? ` · revision ${note.revision}` : ''}
      </div>
      {editing === undefined ? (
        <>
          <p className="note-text">{note.text}</p>
          <button type="button" className="link-button small" onClick={() => setEditing(note.text)}>
            Edit
          </button>
        </>
      ) : (
        <>
          <textarea aria-label="Edit note" rows={3} value={editing} onChange={(e) => setEditing(e.target.value)} />
          <button type="button" className="button" disabled={!editing.trim()} onClick={() => void saveNote(incidentId, editing, note.id).then((ok) => ok && setEditing(undefined))}>
            Save revision
          </button>
          <button type="button" className="link-button" onClick={() => setEditing(undefined)}>
            Cancel
          </button>
        </>
      )}
    </li>
  );
}
