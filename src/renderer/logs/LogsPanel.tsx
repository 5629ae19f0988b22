import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { LogFilter, LogFilterTerm, LogOptions, LogSource, LogStats, LogWindowLine } from '../../shared/contract/logs';
import { sourceColour } from '../../shared/logs/source-colours';
import { useCockpit } from '../state/store';
import { LogList } from './LogList';
import { filterForStep, KINDS, sourceFromRoute, type Kind } from './logRoute';
import './logs.css';
const n = (value: number) => value.toLocaleString('en-US');

/** `10m`, `2h`, `30s`, or an RFC3339 time, as the `since` option. */
function parseSince(text: string): LogOptions['since'] | string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const d = /^(\d+)\s*(s|m|h|d)$/.exec(t);
  if (d) return { seconds: Number(d[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[d[2] as 's' | 'm' | 'h' | 'd'] };
  if (!Number.isNaN(Date.parse(t))) return { time: new Date(t).toISOString() };
  return `"${t}" is not a duration (10m, 2h) or a time`;
}

function OpenForm({ initial }: { initial: LogSource | undefined }) {
  const openLogs = useCockpit((s) => s.openLogs);
  const [kind, setKind] = useState<Kind>(initial?.kind ?? 'deployment');
  const [name, setName] = useState(initial && initial.kind !== 'query' ? initial.name : 'codesign-api');
  const [container, setContainer] = useState(initial?.container ?? '');
  const [podPattern, setPodPattern] = useState('^codesign-');
  const [selector, setSelector] = useState('');
  const [tail, setTail] = useState('500');
  const [since, setSince] = useState('');
  const [previous, setPrevious] = useState(false);
  const [follow, setFollow] = useState(true);
  const [maxLines, setMaxLines] = useState('1000000');
  const [problem, setProblem] = useState<string>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const sinceOption = parseSince(since);
    if (typeof sinceOption === 'string') return setProblem(sinceOption);
    const c = container.trim() ? { container: container.trim() } : {};
    const source: LogSource =
      kind === 'query' ? { kind, podPattern: podPattern || '.*', ...(selector.trim() ? { labelSelector: selector.trim() } : {}), ...c } : { kind, name: name.trim(), ...c };
    const options: LogOptions = {
      follow,
      previous,
      ...(tail.trim() ? { tailLines: Number(tail) } : {}),
      ...(sinceOption ? { since: sinceOption } : {}),
      ...(maxLines.trim() ? { maxLines: Number(maxLines) } : {}),
    };
    setProblem(undefined);
    openLogs(source, options);
  };

  return (
    <form className="log-open" onSubmit={submit} aria-label="Open logs">
      <label>
        <span>Source</span>
        <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} aria-label="Source kind">
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k === 'query' ? 'pod query (stern)' : k}
            </option>
          ))}
        </select>
      </label>
      {kind === 'query' ? (
        <>
          <label>
            <span>Pod name regex</span>
            <input type="text" value={podPattern} onChange={(e) => setPodPattern(e.target.value)} aria-label="Pod name regex" />
          </label>
          <label>
            <span>Label selector</span>
            <input type="text" value={selector} placeholder="app=codesign-api" onChange={(e) => setSelector(e.target.value)} aria-label="Label selector" />
          </label>
        </>
      ) : (
        <label>
          <span>Name</span>
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} aria-label="Name" required />
        </label>
      )}
      <label>
        <span>Container</span>
        <input type="text" value={container} placeholder="all" onChange={(e) => setContainer(e.target.value)} aria-label="Container" className="narrow" />
      </label>
      <label>
        <span>Tail</span>
        <input type="number" min={0} value={tail} onChange={(e) => setTail(e.target.value)} aria-label="Tail lines" className="narrow" />
      </label>
      <label>
        <span>Since</span>
        <input type="text" value={since} placeholder="10m" onChange={(e) => setSince(e.target.value)} aria-label="Since" className="narrow" />
      </label>
      <label>
        <span>Keep lines</span>
        <input type="number" min={100} value={maxLines} onChange={(e) => setMaxLines(e.target.value)} aria-label="Lines kept" className="narrow" />
      </label>
      <label className="check">
        <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
      </label>
      <label className="check">
        <input type="checkbox" checked={previous} onChange={(e) => setPrevious(e.target.checked)} /> Previous
      </label>
      <button type="submit" className="button primary">
        Open logs
      </button>
      {problem ? <span className="selector-error">{problem}</span> : null}
    </form>
  );
}

interface Draft {
  pattern: string;
  regex: boolean;
  caseSensitive: boolean;
  invert: boolean;
}
const EMPTY_DRAFT: Draft = { pattern: '', regex: true, caseSensitive: false, invert: false };

function FilterBar({ onMode, mode }: { mode: 'filter' | 'highlight'; onMode(mode: 'filter' | 'highlight'): void }) {
  const { setLogFilter, presets, filter, filterResult, filterError } = useCockpit(
    useShallow((s) => ({
      setLogFilter: s.setLogFilter,
      presets: s.runbook?.logFilters ?? [],
      filter: s.logView?.filter ?? null,
      filterResult: s.logView?.filterResult,
      filterError: s.logView?.filterError,
    })),
  );
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [combine, setCombine] = useState<LogFilter['combine']>('any');
  const terms = filter?.terms ?? [];
  const apply = (next: LogFilterTerm[], how = combine) => void setLogFilter(next.length ? { terms: next, combine: how } : null);
  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!draft.pattern) return;
    apply([...terms, draft].slice(0, 8));
    setDraft({ ...EMPTY_DRAFT, caseSensitive: draft.caseSensitive, regex: draft.regex });
  };
  return (
    <div className="log-filter">
      <form onSubmit={add} className="inline-field" aria-label="Filter">
        <input
          type="text"
          value={draft.pattern}
          placeholder="regex, Enter to add"
          aria-label="Filter pattern"
          className={filterError ? 'invalid' : ''}
          onChange={(e) => setDraft({ ...draft, pattern: e.target.value })}
        />
        <button type="button" className={`toggle${draft.caseSensitive ? ' on' : ''}`} aria-pressed={draft.caseSensitive} title="Match case" onClick={() => setDraft({ ...draft, caseSensitive: !draft.caseSensitive })}>
          Aa
        </button>
        <button type="button" className={`toggle${draft.regex ? ' on' : ''}`} aria-pressed={draft.regex} title="Regular expression" onClick={() => setDraft({ ...draft, regex: !draft.regex })}>
          .*
        </button>
        <button type="button" className={`toggle${draft.invert ? ' on' : ''}`} aria-pressed={draft.invert} title="Lines that do not match" onClick={() => setDraft({ ...draft, invert: !draft.invert })}>
          not
        </button>
        <button type="submit" className="button">
          Add filter
        </button>
      </form>
      <div className="log-presets" role="group" aria-label="Runbook filters">
        {presets.map((p) => (
          <button
            key={p.id}
            type="button"
            className="button small-button"
            title={`/${p.regex}/${p.ignoreCase ? 'i' : ''}${p.stepId ? ` — from runbook step ${p.stepId}` : ''}`}
            onClick={() => apply([...terms.filter((t) => t.pattern !== p.regex), { pattern: p.regex, regex: true, caseSensitive: !p.ignoreCase, invert: false }])}
          >
            {p.label}
          </button>
        ))}
      </div>
      {terms.length ? (
        <div className="log-terms" aria-label="Active filters">
          {terms.map((t, i) => (
            <span key={`${t.pattern}-${i}`} className="log-term">
              {t.invert ? 'not ' : ''}
              <code>{t.regex ? `/${t.pattern}/${t.caseSensitive ? '' : 'i'}` : JSON.stringify(t.pattern)}</code>
              <button type="button" className="link-button" aria-label={`Remove filter ${t.pattern}`} onClick={() => apply(terms.filter((_, j) => j !== i))}>
                ×
              </button>
            </span>
          ))}
          {terms.length > 1 ? (
            <select
              aria-label="Combine filters"
              value={filter?.combine ?? combine}
              onChange={(e) => {
                const how = e.target.value as LogFilter['combine'];
                setCombine(how);
                apply(terms, how);
              }}
            >
              <option value="any">any term</option>
              <option value="all">every term</option>
            </select>
          ) : null}
          <select aria-label="Filter mode" value={mode} onChange={(e) => onMode(e.target.value as 'filter' | 'highlight')}>
            <option value="filter">show matches only</option>
            <option value="highlight">show all, highlight</option>
          </select>
          <button type="button" className="link-button" onClick={() => apply([])}>
            Clear
          </button>
          {filterResult ? (
            <span className="muted small" aria-label="Filter time">
              {Math.round(filterResult.tookMs)} ms (CPU {Math.round(filterResult.cpuMs)} ms) · {filterResult.engine}
            </span>
          ) : null}
        </div>
      ) : null}
      {filterError ? <p className="selector-error" role="alert">{filterError}</p> : null}
    </div>
  );
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The Logs panel: open a source, follow, filter in main, copy, download, capture to the incident. */
export function LogsPanel() {
  const route = useCockpit((s) => s.route);
  const view = useCockpit((s) => s.logView);
  const { openLogs, closeLogs, fetchLogWindow, followLogTail, onLogTail, seekLogMatch, exportLogs, captureLogs, setLogFilter, runbook, context } = useCockpit(
    useShallow((s) => ({
      openLogs: s.openLogs,
      closeLogs: s.closeLogs,
      fetchLogWindow: s.fetchLogWindow,
      followLogTail: s.followLogTail,
      onLogTail: s.onLogTail,
      seekLogMatch: s.seekLogMatch,
      exportLogs: s.exportLogs,
      captureLogs: s.captureLogs,
      setLogFilter: s.setLogFilter,
      runbook: s.runbook,
      context: s.contexts?.current,
    })),
  );
  const routeSource = sourceFromRoute(route.id);
  const [follow, setFollow] = useState(true);
  const [paused, setPaused] = useState<LogStats | undefined>();
  const [wrap, setWrap] = useState(false);
  const [timestamps, setTimestamps] = useState(false);
  const [mode, setMode] = useState<'filter' | 'highlight'>('filter');
  const [jumpTo, setJumpTo] = useState<{ seq: number; nonce: number }>();
  const [captureMinutes, setCaptureMinutes] = useState('');
  const [message, setMessage] = useState<string>();
  const visible = useRef<LogWindowLine[]>([]);

  // A route naming a source (from Workloads or a runbook step) opens it, with its preset filter.
  const routeKey = `${route.id ?? ''}/${route.step ?? ''}/${context ?? ''}`;
  useEffect(() => {
    if (!routeSource || !context) return;
    openLogs(routeSource, { follow: true, tailLines: 500 });
  }, [routeKey]);
  useEffect(() => {
    const preset = filterForStep(runbook, route.step);
    if (preset && view?.status === 'open' && !view.filter) {
      void setLogFilter({ terms: [{ pattern: preset.regex, regex: true, caseSensitive: !preset.ignoreCase, invert: false }], combine: 'any' });
    }
  }, [view?.status, view?.viewId, route.step]);
  useEffect(() => () => closeLogs(), [closeLogs]);

  const stats = paused ?? view?.stats;
  const filtered = Boolean(view?.filter) && mode === 'filter';
  const first = filtered ? (stats?.firstMatch ?? 0) : (stats?.firstSeq ?? 0);
  const count = filtered ? (stats?.matched ?? 0) : (stats ? stats.nextSeq - stats.firstSeq : 0);
  const generation = `${view?.viewId ?? ''}:${view?.generation ?? 0}:${filtered}`;
  const showPrefix = view ? view.source.kind !== 'pod' || view.sources.length > 1 : false;
  const newWhilePaused = paused && view?.stats ? view.stats.nextSeq - paused.nextSeq : 0;

  const fetchWindow = useCallback((from: number, c: number, f: boolean) => fetchLogWindow(from, c, f), [fetchLogWindow]);
  const followTail = useCallback((lines: number, f: boolean) => void followLogTail(lines, f), [followLogTail]);
  const onVisible = useCallback((lines: LogWindowLine[]) => (visible.current = lines), []);

  const seek = async (direction: 'next' | 'previous') => {
    const lines = visible.current;
    const from = direction === 'next' ? (lines[lines.length - 1]?.seq ?? stats?.firstSeq ?? 0) : (lines[0]?.seq ?? stats?.nextSeq ?? 0);
    const middle = lines[Math.floor(lines.length / 2)]?.seq ?? from;
    const seq = await seekLogMatch(jumpTo ? jumpTo.seq : middle, direction);
    if (seq !== null) setJumpTo({ seq, nonce: Math.random() });
    else setMessage(`no ${direction} match`);
  };
  const copy = async () => {
    const text = visible.current.map((l) => l.text).join('\n');
    try {
      await navigator.clipboard.writeText(text);
      setMessage(`copied ${n(visible.current.length)} lines on screen`);
    } catch {
      setMessage('the clipboard is not available here; select the lines and copy, or download them');
    }
  };
  const save = async () => {
    const file = await exportLogs(filtered, timestamps);
    if (file) {
      download(file.name, file.text);
      setMessage(`downloaded ${n(file.lines)} lines as ${file.name}`);
    }
  };
  const capture = async () => {
    const minutes = captureMinutes.trim() ? Number(captureMinutes) : undefined;
    const ok = await captureLogs({ filtered: Boolean(view?.filter), ...(minutes ? { lastMinutes: minutes } : {}) });
    if (ok) setMessage(undefined);
  };
  /** The lines on screen (a selection of the view), filtered as shown. */
  const captureShown = async () => {
    const lines = visible.current;
    if (!lines.length) return setMessage('no lines on screen to capture');
    const ok = await captureLogs({ filtered, range: { fromSeq: lines[0]!.seq, toSeq: lines[lines.length - 1]!.seq } });
    if (ok) setMessage(undefined);
  };

  const heading = view?.description ?? (routeSource && routeSource.kind !== "query" ? `${routeSource.kind}/${routeSource.name}` : "Logs");
  const matchedText = useMemo(() => {
    if (!stats || !view?.filter) return undefined;
    return `${n(stats.matched ?? 0)} of ${n(stats.nextSeq - stats.firstSeq)} lines match`;
  }, [stats, view?.filter]);

  return (
    <section className="panel logs" aria-labelledby="logs-title">
      <div className="logs-head">
        <h1 id="logs-title">Logs</h1>
        {view ? (
          <span className="muted">
            <code>{heading}</code> in <code>{view.namespace}</code> · <code>{view.context}</code>
          </span>
        ) : null}
      </div>
      <OpenForm key={route.id ?? ''} initial={routeSource} />
      {!view ? <p className="muted">Open a pod, a workload (all its pods merged) or a pod query to read its logs.</p> : null}
      {view?.status === 'opening' ? <p className="muted">Opening…</p> : null}
      {view?.status === 'failed' && view.error ? (
        <p className="error-detail" role="alert">
          <strong>{view.error.code}</strong>: {view.error.message}
        </p>
      ) : null}
      {view?.status === 'ended' ? <p className="muted" role="status">The view ended: {view.endReason}</p> : null}
      {view && view.status !== 'failed' ? (
        <>
          <div className="log-sources" aria-label="Sources">
            {view.sources.map((s) => (
              <span key={s.id} className={`log-source state-${s.state}`} title={s.message ?? s.state}>
                <span className="dot" style={{ background: sourceColour(s.pod, s.container) }} />
                {s.pod}/{s.container} <span className="muted">{s.state}</span>
                {s.resumes ? <span className="muted"> · resumed {s.resumes}×</span> : null}
              </span>
            ))}
          </div>
          <FilterBar mode={mode} onMode={setMode} />
          <div className="log-toolbar" role="toolbar" aria-label="Log view">
            <span className="log-counts" aria-label="Line counts">
              {matchedText ?? `${n(stats ? stats.nextSeq - stats.firstSeq : 0)} lines`}
              {stats ? <span className="muted"> · {n(stats.rate)}/s</span> : null}
            </span>
            {stats && stats.dropped > 0 ? (
              <span className="chip warn" role="status">
                {n(stats.dropped)} oldest lines dropped at the {n(stats.maxLines)}-line cap
              </span>
            ) : null}
            <button type="button" className="button" aria-pressed={Boolean(paused)} onClick={() => setPaused(paused ? undefined : view.stats)}>
              {paused ? 'Resume' : 'Pause'}
            </button>
            {paused ? <span className="muted small">{n(newWhilePaused)} new lines held</span> : null}
            <button type="button" className={`toggle${follow ? ' on' : ''}`} aria-pressed={follow} onClick={() => setFollow(!follow)}>
              Follow
            </button>
            <button type="button" className={`toggle${wrap ? ' on' : ''}`} aria-pressed={wrap} onClick={() => setWrap(!wrap)}>
              Wrap
            </button>
            <button type="button" className={`toggle${timestamps ? ' on' : ''}`} aria-pressed={timestamps} onClick={() => setTimestamps(!timestamps)}>
              Timestamps
            </button>
            {view.filter && mode === 'highlight' ? (
              <>
                <button type="button" className="button" onClick={() => void seek('previous')}>
                  ↑ Previous match
                </button>
                <button type="button" className="button" onClick={() => void seek('next')}>
                  ↓ Next match
                </button>
              </>
            ) : null}
            <button type="button" className="button" onClick={() => void copy()}>
              Copy
            </button>
            <button type="button" className="button" onClick={() => void save()}>
              Download
            </button>
            <input type="number" min={1} className="narrow" placeholder="min" aria-label="Capture the last minutes" value={captureMinutes} onChange={(e) => setCaptureMinutes(e.target.value)} />
            <button type="button" className="button primary" onClick={() => void capture()} title="The filtered lines (all lines without a filter), or the last N minutes">
              Capture to incident
            </button>
            <button type="button" className="button" onClick={() => void captureShown()}>
              Capture lines on screen
            </button>
          </div>
          {view.lastCapture ? (
            <p className="muted small" role="status">
              Captured {n(view.lastCapture.lines)} lines to {view.lastCapture.incidentId} as <code>{view.lastCapture.name}</code>
            </p>
          ) : null}
          {message ? <p className="muted small">{message}</p> : null}
          {view.problems.length ? (
            <ul className="log-problems">
              {view.problems.map((p, i) => (
                <li key={i} className="selector-error">
                  {p.code}: {p.message}
                </li>
              ))}
            </ul>
          ) : null}
          <LogList
            first={first}
            count={count}
            filtered={filtered}
            generation={generation}
            fetchWindow={fetchWindow}
            followTail={followTail}
            onTail={onLogTail}
            sources={view.sources}
            showPrefix={showPrefix}
            timestamps={timestamps}
            wrap={wrap}
            follow={follow && !paused}
            onFollowChange={setFollow}
            jumpTo={jumpTo}
            onVisibleLines={onVisible}
          />
        </>
      ) : null}
    </section>
  );
}
