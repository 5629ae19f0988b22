import '@xterm/xterm/css/xterm.css';
import './terminal.css';
import { useEffect, useRef, useState } from 'react';
import { useActiveIncidentId, useCockpit } from '../state/store';
import { describeVariables, exportLine } from '../../shared/terminal/tunnel-environment';
import { CastPlayer } from './CastPlayer';
import type { TerminalTab } from './terminalSlice';
import { terminalScreens } from './terminalScreens';

/** The active tab's xterm, adopted into the panel while it is on screen and fitted to it. */
function TerminalView({ id }: { id: string }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const screen = terminalScreens.get(id);
    const host = container.current;
    if (!screen || !host) return;
    screen.mount(host);
    screen.focus();
    const observer = new ResizeObserver(() => screen.fitToContainer());
    observer.observe(host);
    return () => {
      observer.disconnect();
      screen.unmount();
    };
  }, [id]);
  return <div ref={container} className="terminal-host" role="region" aria-label="Terminal screen" />;
}

/** Which tunnel variables the shell got, and what a tunnel opened since would add. */
function TunnelVariables({ tab }: { tab: TerminalTab }) {
  const pasteExports = useCockpit((s) => s.pasteTunnelExports);
  const { info } = tab;
  const exported = info.tunnelVariables ?? {};
  const change = info.tunnelChange;
  return (
    <div className="terminal-tunnels small" aria-label="Tunnel variables">
      {Object.keys(exported).length ? (
        <span>
          Exported from open tunnels: <code>{describeVariables(exported)}</code>
        </span>
      ) : (
        <span className="muted">No tunnel of {info.context} was open when this shell started: no PGHOST / PGPORT / REDIS_PORT exported.</span>
      )}
      {change && info.state === 'running' ? (
        <span className="terminal-notice" role="status">
          {Object.keys(change.added).length ? (
            <>
              A tunnel opened since this shell started (<code>{describeVariables(change.added)}</code>): a new terminal picks it up.{' '}
            </>
          ) : null}
          {change.gone.length ? <>Closed since: <code>{change.gone.join(' ')}</code>. </> : null}
          <button type="button" className="link-button" title={exportLine(change)} onClick={() => pasteExports(tab.id)}>
            Paste the export line
          </button>{' '}
          (pasted, not run)
        </span>
      ) : null}
    </div>
  );
}

function TabStatus({ tab }: { tab: TerminalTab }) {
  const { info } = tab;
  return (
    <div className="terminal-status small" aria-label="Terminal status">
      <span>
        <code>{info.shell}</code> · pid {info.pid} · {info.cols}×{info.rows} · {tab.renderer === 'webgl' ? 'WebGL' : 'DOM'} renderer
      </span>
      {info.state === 'exited' ? (
        <span className="chip" role="status">
          exited with code {info.exitCode ?? 0}
          {info.signal ? ` (signal ${info.signal})` : ''}
        </span>
      ) : null}
      {tab.ended && info.state !== 'exited' ? <span className="chip">{tab.ended}</span> : null}
      {info.kubeconfigOverride ? (
        <span className="terminal-warning" role="alert">
          Your shell startup file sets KUBECONFIG to <code>{info.kubeconfigOverride}</code>: kubectl in this tab does not use the {info.context} context.
        </span>
      ) : null}
    </div>
  );
}

function SearchBox({ id }: { id: string }) {
  const [query, setQuery] = useState('');
  const find = (forward: boolean) => {
    const search = terminalScreens.get(id)?.search;
    if (!search || !query) return;
    if (forward) search.findNext(query);
    else search.findPrevious(query);
  };
  return (
    <form
      className="terminal-search"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        find(true);
      }}
    >
      <input aria-label="Search the terminal" placeholder="Search scrollback" value={query} onChange={(e) => setQuery(e.target.value)} />
      <button type="button" className="link-button" onClick={() => find(false)}>
        Previous
      </button>
      <button type="submit" className="link-button">
        Next
      </button>
    </form>
  );
}

function RecordControls({ tab }: { tab: TerminalTab }) {
  const incidentId = useActiveIncidentId();
  const vault = useCockpit((s) => s.vault?.state);
  const record = useCockpit((s) => s.recordTerminal);
  const stop = useCockpit((s) => s.stopTerminalRecording);
  const [withInput, setWithInput] = useState(false);
  if (tab.info.recording) {
    return (
      <div className="terminal-record">
        <span className="chip recording" role="status">
          ● recording into {tab.info.recording.incidentId}
          {tab.info.recording.input ? ' (with input)' : ''}
        </span>
        <button type="button" className="button" onClick={() => void stop(tab.id)}>
          Stop recording
        </button>
      </div>
    );
  }
  const why = !incidentId ? 'Declare an incident to record into its evidence' : vault !== 'unlocked' ? 'Open the evidence store to record' : undefined;
  return (
    <div className="terminal-record">
      <label className="inline-field small">
        <input type="checkbox" checked={withInput} onChange={(e) => setWithInput(e.target.checked)} /> record input (never at password prompts)
      </label>
      <button type="button" className="button" disabled={!!why || tab.info.state !== 'running'} title={why} onClick={() => incidentId && void record(tab.id, incidentId, withInput)}>
        Record
      </button>
      {tab.lastRecording ? (
        <span className="small muted" role="status">
          Sealed {tab.lastRecording.name} as evidence #{tab.lastRecording.seq}
        </span>
      ) : null}
    </div>
  );
}

function NewTerminal() {
  const contexts = useCockpit((s) => s.contexts);
  const open = useCockpit((s) => s.openTerminal);
  const [context, setContext] = useState<string | undefined>();
  const chosen = context ?? contexts?.current ?? contexts?.contexts[0]?.name;
  return (
    <form
      className="terminal-new"
      onSubmit={(event) => {
        event.preventDefault();
        void open(chosen);
      }}
    >
      <label className="inline-field small">
        <span className="muted">Context</span>
        <select aria-label="Context for the new terminal" value={chosen ?? ''} onChange={(e) => setContext(e.target.value)}>
          {(contexts?.contexts ?? []).map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} ({c.namespace})
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="button" disabled={!chosen}>
        New terminal
      </button>
    </form>
  );
}

/** The embedded terminal: a tab per shell, each bound to a context; recordings replay here too. */
export function TerminalPanel() {
  const tabs = useCockpit((s) => s.terminalTabs);
  const activeId = useCockpit((s) => s.activeTerminal);
  const select = useCockpit((s) => s.selectTerminal);
  const close = useCockpit((s) => s.closeTerminal);
  const error = useCockpit((s) => s.terminalError);
  const lastPaste = useCockpit((s) => s.lastPaste);
  const loadAliases = useCockpit((s) => s.loadAliasesIntoTerminal);
  const hasAliases = useCockpit((s) => (s.runbook?.aliases.length ?? 0) > 0);
  const recording = useCockpit((s) => s.recording);
  const active = tabs.find((t) => t.id === activeId) ?? tabs.at(-1);

  return (
    <section className="terminal-panel" aria-labelledby="terminal-title">
      <header className="terminal-header">
        <h1 id="terminal-title">Terminal</h1>
        <NewTerminal />
      </header>
      {error ? (
        <p className="error-detail" role="alert">
          {error.code}: {error.message}
        </p>
      ) : null}
      {recording ? <CastPlayer recording={recording} /> : null}
      {tabs.length === 0 ? (
        !recording ? <p className="muted">No terminal open. Each tab is a shell whose kubectl talks to the context it was opened on.</p> : null
      ) : (
        <>
          <div className="terminal-tabs" role="tablist" aria-label="Terminals">
            {tabs.map((t) => (
              <div key={t.id} className={`terminal-tab${t.id === active?.id ? ' active' : ''}`}>
                <button type="button" role="tab" aria-selected={t.id === active?.id} onClick={() => select(t.id)}>
                  {t.info.recording ? '● ' : ''}
                  {t.info.title}
                  {t.info.state === 'exited' ? ` (exit ${t.info.exitCode ?? 0})` : ''}
                  {t.info.kubeconfigOverride ? ' ⚠' : ''}
                </button>
                <button type="button" className="link-button" aria-label={`Close ${t.info.title}`} onClick={() => void close(t.id)}>
                  ×
                </button>
              </div>
            ))}
          </div>
          {active ? (
            <>
              <div className="terminal-toolbar">
                <SearchBox id={active.id} />
                {hasAliases ? (
                  <button type="button" className="link-button" disabled={active.info.state !== 'running'} onClick={() => loadAliases(active.id)}>
                    Paste runbook aliases
                  </button>
                ) : null}
                <RecordControls tab={active} />
              </div>
              {lastPaste && lastPaste.tabId === active.id && lastPaste.destructive ? (
                <p className="terminal-warning" role="alert">
                  The pasted snippet looks destructive. It has not been run: read it before pressing Enter.
                </p>
              ) : null}
              <TerminalView key={active.id} id={active.id} />
              <TabStatus tab={active} />
              <TunnelVariables tab={active} />
            </>
          ) : null}
        </>
      )}
    </section>
  );
}
