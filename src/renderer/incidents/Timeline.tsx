import { clockTime } from '../shell/format';
import type { Incident } from '../../shared/incidents/model';

export function Timeline({ incident }: { incident: Incident }) {
  return (
    <section className="timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol>
        {[...incident.timeline].reverse().map((entry) => (
          <li key={entry.seq} className={`timeline-entry kind-${entry.kind}`}>
            <time dateTime={entry.at}>{clockTime(entry.at)}</time>
            <span className="timeline-actor muted">{entry.actor}</span>
            <span className="timeline-text">{entry.text}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
