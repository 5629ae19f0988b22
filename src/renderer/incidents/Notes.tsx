import { useEffect, useRef, useState } from 'react';
import Markdown from 'react-markdown';
import { NEW_NOTE_DRAFT, type DraftKey, type Incident, type IncidentNote } from '../../shared/incidents/model';
import { clockTime } from '../shell/format';
import { useCockpit } from '../state/store';
import { draftSlot } from './incidentsSlice';

/** How long typing must pause before the draft is sealed. */
const AUTOSAVE_MS = 1500;

/**
 * The text of one draft (a new note, or an edit of a note) while the responder types: held in
 * the store (it survives switching panels) and sealed in the incident's log after a pause (it
 * survives a restart), but not a note until `add`. `fallback` is the text before any draft.
 */
function useSealedDraft(incident: Incident, key: DraftKey, fallback = '') {
  const slot = draftSlot(incident.id, key);
  const typed = useCockpit((s) => s.noteDrafts[slot]);
  const setNoteDraft = useCockpit((s) => s.setNoteDraft);
  const dropNoteDraft = useCockpit((s) => s.dropNoteDraft);
  const sealDraft = useCockpit((s) => s.sealDraft);
  const saveNote = useCockpit((s) => s.saveNote);
  const sealed = incident.drafts[key]?.text;
  const text = typed ?? sealed ?? fallback;
  const sealing = useRef<Promise<unknown>>(Promise.resolve());

  const seal = (value: string) => {
    sealing.current = sealing.current.then(() => sealDraft(incident.id, key, value));
    return sealing.current;
  };

  const unsealed = typed !== undefined && typed !== (sealed ?? fallback) && !(typed === '' && sealed === undefined);
  useEffect(() => {
    if (!unsealed) return;
    const timer = setTimeout(() => void seal(typed), AUTOSAVE_MS);
    return () => clearTimeout(timer);
  });

  // Leaving the panel (or the incident) seals what is still unsealed at once, not after the pause.
  const latest = useRef({ unsealed, typed });
  latest.current = { unsealed, typed };
  useEffect(
    () => () => {
      const { unsealed: pending, typed: text } = latest.current;
      if (pending && text !== undefined) void sealDraft(incident.id, key, text);
    },
    [incident.id, key, sealDraft],
  );

  return {
    text,
    setText: (value: string) => setNoteDraft(incident.id, key, value),
    state: !text.trim() ? '' : unsealed ? 'unsaved draft…' : 'draft sealed',
    /** Adds the draft as a note (or a revision of the note being edited). */
    async add(): Promise<boolean> {
      await sealing.current;
      return saveNote(incident.id, text, key === NEW_NOTE_DRAFT ? undefined : key);
    },
    /** Drops the draft, sealed or not. */
    async discard(): Promise<void> {
      dropNoteDraft(incident.id, key);
      await sealing.current;
      if (sealed !== undefined) await seal('');
    },
    /** Whether there is a draft to come back to. */
    exists: typed !== undefined || sealed !== undefined,
  };
}

/** Markdown notes. Typing is kept as a sealed draft; a note is recorded when the responder adds it. */
export function Notes({ incident }: { incident: Incident }) {
  const draft = useSealedDraft(incident, NEW_NOTE_DRAFT);
  const [busy, setBusy] = useState(false);
  const add = async () => {
    if (!draft.text.trim() || busy) return;
    setBusy(true);
    await draft.add();
    setBusy(false);
  };
  return (
    <section className="notes" aria-labelledby="notes-title">
      <h2 id="notes-title">
        Notes <span className="small muted">Markdown · drafts are kept until you add them</span>
      </h2>
      <textarea
        aria-label="New note"
        name="note"
        rows={4}
        value={draft.text}
        onChange={(e) => draft.setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void add();
        }}
        placeholder="What you saw, what you tried (Markdown; Ctrl+Enter adds it)"
      />
      <div className="note-actions">
        <button type="button" className="button" disabled={busy || !draft.text.trim()} onClick={() => void add()}>
          Add note
        </button>
        <span className="small muted" data-testid="draft-state" role="status">
          {draft.state}
        </span>
      </div>
      <ul className="note-list" aria-label="Notes">
        {[...incident.notes].reverse().map((n) => (
          <NoteRow key={n.id} incident={incident} note={n} />
        ))}
      </ul>
    </section>
  );
}

function NoteRow({ incident, note }: { incident: Incident; note: IncidentNote }) {
  const hasDraft = useCockpit((s) => s.noteDrafts[draftSlot(incident.id, note.id as DraftKey)] !== undefined) || incident.drafts[note.id as DraftKey] !== undefined;
  const [editing, setEditing] = useState(hasDraft);
  return (
    <li className="note">
      <div className="small muted">
        {note.by} · {clockTime(note.at)}
        {note.revision > 1 ? ` · revision ${note.revision}` : ''}
      </div>
      {editing || hasDraft ? (
        <NoteEditor incident={incident} note={note} onDone={() => setEditing(false)} />
      ) : (
        <>
          <div className="note-text markdown" data-testid="note-text">
            <Markdown skipHtml>{note.text}</Markdown>
          </div>
          <button type="button" className="link-button small" onClick={() => setEditing(true)}>
            Edit
          </button>
        </>
      )}
    </li>
  );
}

function NoteEditor({ incident, note, onDone }: { incident: Incident; note: IncidentNote; onDone(): void }) {
  const draft = useSealedDraft(incident, note.id as DraftKey, note.text);
  const [busy, setBusy] = useState(false);
  const finish = async () => {
    setBusy(true);
    if (draft.text !== note.text && draft.text.trim()) await draft.add();
    else await draft.discard();
    setBusy(false);
    onDone();
  };
  return (
    <>
      <textarea aria-label="Edit note" rows={4} value={draft.text} onChange={(e) => draft.setText(e.target.value)} autoFocus />
      <div className="note-actions">
        <button type="button" className="button" disabled={busy || !draft.text.trim()} onClick={() => void finish()}>
          Save revision
        </button>
        <button
          type="button"
          className="link-button"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void draft.discard().finally(() => {
              setBusy(false);
              onDone();
            });
          }}
        >
          Discard edit
        </button>
        <span className="small muted" role="status">
          {draft.text === note.text ? '' : draft.state}
        </span>
      </div>
    </>
  );
}
