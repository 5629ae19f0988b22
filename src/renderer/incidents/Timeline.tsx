import { useState } from 'react';
import Markdown from 'react-markdown';
import { diffLines } from '../../shared/incidents/noteDiff';
import type { Incident, TimelineEntry } from '../../shared/incidents/model';
import { clockTime } from '../shell/format';
import { useCockpit } from '../state/store';

export function Timeline({ incident }: { incident: Incident }) {
  return (
    <section className="timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol>
        {[...incident.timeline].reverse().map((entry) => (
          <li key={entry.seq} className={`timeline-entry kind-${entry.kind}`}>
            <time dateTime={entry.at}>{clockTime(entry.at)}</time>
            <span className="timeline-actor muted">{entry.actor}</span>
            <div className="timeline-body">
              <span className="timeline-text" data-testid="timeline-text">
                {entry.text}
              </span>
              {entry.note ? <TimelineNote note={entry.note} /> : null}
              {entry.procedure ? <TimelineRun incidentId={incident.id} seq={entry.seq} run={entry.procedure} /> : null}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** A note revision in the timeline: rendered, with the diff against the previous revision on demand. */
function TimelineNote({ note }: { note: NonNullable<TimelineEntry['note']> }) {
  const [showDiff, setShowDiff] = useState(false);
  const previous = note.previousText;
  return (
    <div className="timeline-note">
      <div className="markdown timeline-note-text" data-testid="timeline-note">
        <Markdown skipHtml>{note.text}</Markdown>
      </div>
      {previous !== undefined ? (
        <>
          <button type="button" className="link-button small" aria-expanded={showDiff} onClick={() => setShowDiff(!showDiff)}>
            {showDiff ? 'Hide changes' : `Changes from revision ${note.revision - 1}`}
          </button>
          {showDiff ? (
            <pre className="note-diff" aria-label={`Changes from revision ${note.revision - 1} to ${note.revision}`}>
              {diffLines(previous, note.text).map((line, i) => {
                const Line = line.kind === 'added' ? 'ins' : line.kind === 'removed' ? 'del' : 'span';
                return (
                  <Line key={i} className={`diff-${line.kind}`}>
                    {line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  '}
                    {line.text}
                    {'\n'}
                  </Line>
                );
              })}
            </pre>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

/** A recorded procedure run: its steps in brief, and a revert for each change it can undo (previewed and confirmed). */
function TimelineRun({ incidentId, seq, run }: { incidentId: string; seq: number; run: NonNullable<TimelineEntry['procedure']> }) {
  const startRevert = useCockpit((s) => s.startRevert);
  return (
    <div className="timeline-run">
      <ul className={`small${run.steps.length === 1 ? ' single-step' : ''}`}>
        {run.steps.map((step, i) => (
          <li key={i}>
            {run.steps.length > 1 ? `${step.title}: ${step.status}` : ''}
            {step.summary ? ` (${step.summary})` : ''}
            {step.confirmation ? ` · ${step.confirmation}` : ''}
            {step.error ? ` · ${step.error}` : ''}
            <code className="small"> {step.kubectl}</code>
          </li>
        ))}
      </ul>
      {run.reverts.map((revert) => (
        <button key={revert.step} type="button" className="button small" onClick={() => void startRevert(incidentId, seq, revert.step, revert.title)}>
          Revert: {revert.title} (was {revert.replaced})…
        </button>
      ))}
    </div>
  );
}
