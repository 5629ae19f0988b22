import { useEffect, useRef, useState } from 'react';
import Markdown from 'react-markdown';
import type { Incident, IncidentNote } from '../../shared/incidents/model';
import { clockTime } from '../shell/format';
import { useCockpit } from '../state/store';

/** How long typing must pause before a draft is saved as a revision. */
const AUTOSAVE_MS = 1500;

/**
 * Saves `text` as revisions of one note while the user types: the first save creates the note,
 * later ones revise it. Returns the note's id once it exists and a `flush` for explicit saves.
 */
function useAutosavedNote(incidentId: string, text: string, initialNoteId?: string) {
  const saveNote = useCockpit((s) => s.saveNote);
  const [noteId, setNoteId] = useState(initialNoteId);
  const saved = useRef(text);
  const saving = useRef<Promise<unknown>>(Promise.resolve());

  const flush = async (): Promise<string | undefined> => {
    await saving.current;
    const draft = text;
    if (!draft.trim() || draft === saved.current) return noteId;
    const before = new Set(useCockpit.getState().opened[incidentId]?.notes.map((n) => n.id));
    const work = saveNote(incidentId, draft, noteId).then((ok) => {
      if (!ok) return noteId;
      saved.current = draft;
      const created = useCockpit.getState().opened[incidentId]?.notes.find((n) => !before.has(n.id))?.id;
      const id = noteId ?? created;
      setNoteId(id);
      return id;
    });
    saving.current = work;
    return work;
  };

  useEffect(() => {
    if (!text.trim() || text === saved.current) return;
    const timer = setTimeout(() => void flush(), AUTOSAVE_MS);
    return () => clearTimeout(timer);
  });

  const reset = () => {
    saved.current = '';
    setNoteId(undefined);
  };
  return { noteId, flush, reset, dirty: text.trim() !== '' && text !== saved.current };
}

/** Markdown notes, autosaved; each save appends a revision to the incident's log. */
export function Notes({ incident }: { incident: Incident }) {
  const [draft, setDraft] = useState('');
  const note = useAutosavedNote(incident.id, draft);
  const add = async () => {
    await note.flush();
    setDraft('');
    note.reset();
  };
  const shown = [...incident.notes].reverse().filter((n) => n.id !== note.noteId || !draft);
  return (
    <section className="notes" aria-labelledby="notes-title">
      <h2 id="notes-title">
        Notes <span className="small muted">Markdown · autosaved</span>
      </h2>
      <textarea
        aria-label="New note"
        name="note"
        rows={4}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && draft.trim()) void add();
        }}
        placeholder="What you saw, what you tried (Markdown; Ctrl+Enter to finish)"
      />
      <div className="note-actions">
        <button type="button" className="button" disabled={!draft.trim()} onClick={() => void add()}>
          Add note
        </button>
        <span className="small muted" data-testid="draft-state">
          {draft.trim() ? (note.dirty ? 'unsaved…' : 'saved as a revision') : ''}
        </span>
      </div>
      <ul className="note-list">
        {shown.map((n) => (
          <NoteRow key={n.id} incidentId={incident.id} note={n} />
        ))}
      </ul>
    </section>
  );
}

function NoteRow({ incidentId, note }: { incidentId: string; note: IncidentNote }) {
  const [editing, setEditing] = useState<string | undefined>();
  return (
    <li className="note">
      <div className="small muted">
        {note.by} · {clockTime(note.at)}
        {note.revision > 1 ? ` · revision ${note.revision}` : ''}
      </div>
      {editing === undefined ? (
        <>
          <div className="note-text markdown">
            <Markdown skipHtml>{note.text}</Markdown>
          </div>
          <button type="button" className="link-button small" onClick={() => setEditing(note.text)}>
            Edit
          </button>
        </>
      ) : (
        <NoteEditor incidentId={incidentId} note={note} text={editing} onChange={setEditing} onDone={() => setEditing(undefined)} />
      )}
    </li>
  );
}

function NoteEditor(props: { incidentId: string; note: IncidentNote; text: string; onChange(text: string): void; onDone(): void }) {
  const autosave = useAutosavedNote(props.incidentId, props.text, props.note.id);
  return (
    <>
      <textarea aria-label="Edit note" rows={4} value={props.text} onChange={(e) => props.onChange(e.target.value)} autoFocus />
      <button type="button" className="button" disabled={!props.text.trim()} onClick={() => void autosave.flush().then(props.onDone)}>
        Done
      </button>
      <span className="small muted"> {autosave.dirty ? 'unsaved…' : 'saved'}</span>
    </>
  );
}
