import Anser from 'anser';
import { memo, type ReactNode } from 'react';
import type { LogSourceInfo, LogWindowLine } from '../../shared/contract/logs';
import { sourceColour } from '../../shared/logs/source-colours';

/** Text with the filter's matches in <mark>. */
function marked(text: string, marks: number[] | undefined): ReactNode {
  if (!marks?.length) return text;
  const out: ReactNode[] = [];
  let at = 0;
  for (let i = 0; i < marks.length; i += 2) {
    const start = marks[i]!;
    const end = marks[i + 1]!;
    if (start > at) out.push(text.slice(at, start));
    out.push(<mark key={i}>{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** ANSI colours as spans (anser); a line without escapes is plain text with its matches marked. */
function body(text: string, marks: number[] | undefined): ReactNode {
  if (!text.includes('\u001b[')) return marked(text, marks);
  return Anser.ansiToJson(text, { remove_empty: true }).map((part, i) => (
    <span
      key={i}
      style={{
        ...(part.fg ? { color: `rgb(${part.fg})` } : {}),
        ...(part.bg ? { backgroundColor: `rgb(${part.bg})` } : {}),
        ...(part.decorations.includes('bold') ? { fontWeight: 700 } : {}),
        ...(part.decorations.includes('underline') ? { textDecoration: 'underline' } : {}),
      }}
    >
      {part.content}
    </span>
  ));
}

const looksLikeJson = (text: string) => {
  const t = text.trimStart();
  return t.startsWith('{') || t.startsWith('[');
};

function pretty(text: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
}

export interface LogLineProps {
  line: LogWindowLine;
  source: LogSourceInfo | undefined;
  showPrefix: boolean;
  timestamps: boolean;
  expanded: boolean;
  current: boolean;
  onToggleJson(seq: number): void;
}

/** One line: pod/container prefix in its stable colour, optional stamp, text (ANSI, marks, JSON on demand). */
export const LogLine = memo(function LogLine({ line, source, showPrefix, timestamps, expanded, current, onToggleJson }: LogLineProps) {
  const json = looksLikeJson(line.text);
  const prettyText = expanded && json ? pretty(line.text) : undefined;
  return (
    <>
      {timestamps ? <span className="log-time">{line.time === null ? '—' : new Date(line.time).toISOString().replace('T', ' ').slice(0, 23)}</span> : null}
      {showPrefix && source ? (
        <span className={`log-prefix${source.state === 'gone' ? ' gone' : ''}`} style={{ color: sourceColour(source.pod, source.container) }} title={`${source.pod}/${source.container}${source.state === 'gone' ? ' (gone)' : ''}`}>
          {source.pod}/{source.container}
        </span>
      ) : null}
      {json ? (
        <button type="button" className="log-json" aria-pressed={expanded} aria-label={expanded ? 'Show the line as written' : 'Pretty-print this JSON line'} onClick={() => onToggleJson(line.seq)}>
          {'{}'}
        </button>
      ) : null}
      <span className={`log-text${current ? ' current' : ''}`}>{prettyText ? <pre className="log-pretty">{prettyText}</pre> : body(line.text, line.marks)}</span>
    </>
  );
});
