import { useMemo, useState } from 'react';
import { useCockpit } from '../state/store';
import { buildSearchIndex, searchRunbook, type SearchResult } from './runbookSearch';

/**
 * Search over the runbook's procedures, step descriptions and commands (Ctrl+K or `/`, anywhere);
 * a result opens its step in the Runbook panel.
 */
export function RunbookSearch() {
  const open = useCockpit((s) => s.runbookSearchOpen);
  if (!open) return null;
  return <SearchDialog />;
}

function SearchDialog() {
  const runbook = useCockpit((s) => s.runbook);
  const setOpen = useCockpit((s) => s.setRunbookSearchOpen);
  const openStep = useCockpit((s) => s.openRunbookStep);
  const index = useMemo(() => (runbook ? buildSearchIndex(runbook) : []), [runbook]);
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState(0);
  const results = useMemo(() => searchRunbook(index, query), [index, query]);
  const choose = (result: SearchResult | undefined) => {
    if (result) openStep(result.sectionId, result.stepId);
  };

  return (
    <div className="search-backdrop" onMouseDown={(e) => e.target === e.currentTarget && setOpen(false)}>
      <div className="search-dialog" role="dialog" aria-modal="true" aria-label="Search the runbook">
        <input
          type="search"
          aria-label="Search the runbook"
          placeholder={runbook ? 'Procedures, steps, commands… (Enter opens, Esc closes)' : 'The runbook is not loaded'}
          value={query}
          autoFocus
          onChange={(e) => {
            setQuery(e.target.value);
            setSelected(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
            else if (e.key === 'ArrowDown') setSelected((i) => Math.min(i + 1, results.length - 1));
            else if (e.key === 'ArrowUp') setSelected((i) => Math.max(i - 1, 0));
            else if (e.key === 'Enter') choose(results[selected]);
            else return;
            e.preventDefault();
          }}
        />
        {query.trim() ? (
          <ul className="search-results" aria-label="Search results">
            {results.length === 0 ? <li className="muted small search-empty">Nothing in the runbook matches “{query.trim()}”.</li> : null}
            {results.map((result, i) => (
              <li key={`${result.sectionId}/${result.stepId ?? ''}`}>
                <button
                  type="button"
                  className={`search-result${i === selected ? ' selected' : ''}`}
                  aria-current={i === selected ? 'true' : undefined}
                  onMouseEnter={() => setSelected(i)}
                  onClick={() => choose(result)}
                >
                  <span className="search-result-title">{result.title}</span>
                  <span className="small muted">{result.stepId ? result.sectionTitle : `Procedure · ${result.sectionTitle}`}</span>
                  {result.command ? <code className="small search-result-command">{result.command.split('\n')[0]}</code> : null}
                  {!result.command && result.description ? <span className="small">{result.description}</span> : null}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="small muted search-hint">Search procedure titles, step descriptions and commands, e.g. “rollout undo” or “connections”.</p>
        )}
      </div>
    </div>
  );
}
