import { useEffect, useRef, useState } from 'react';
import type { DrillStatus, ScenarioName, ScenarioState } from '../../shared/contexts';
import { OptimisticCheckbox } from '../shell/OptimisticCheckbox';
import { PANELS } from '../shell/panels';
import { useCockpit } from '../state/store';

const SCENARIO_TEXT: Record<ScenarioName, { label: string; fix: string }> = {
  'high-latency': { label: 'High latency (P95 > 2 s)', fix: "Raise the capped HPA's maxReplicas, scale codesign-api up (High Response Times)" },
  'error-spike': { label: 'Error spike (5xx > 10%)', fix: 'Rollout restart (High Error Rates)' },
  'memory-leak': { label: 'Memory leak → OOMKilled', fix: 'Restart pods, raise the limit (Memory Leaks)' },
  'db-connection-exhaustion': { label: 'PostgreSQL connections exhausted', fix: 'Kill idle connections, restart (Database Connection Issues)' },
  'bad-deploy': { label: 'Bad deploy (crash-looping revision)', fix: 'Rollout undo (Rollback Process)' },
  'expiring-certificate': { label: 'Certificate expiring', fix: 'Delete the Certificate (Certificate Renewal)' },
  'auth-failure-burst': { label: 'Authentication failure burst', fix: 'Security Monitoring' },
};

/** Contexts (with kubeconfig problems spelled out) and the drill cluster's controls. */
export function ClusterPanel() {
  const contexts = useCockpit((s) => s.contexts);
  const loadContexts = useCockpit((s) => s.loadContexts);
  const selectContext = useCockpit((s) => s.selectContext);
  useEffect(() => {
    void loadContexts();
  }, [loadContexts]);

  return (
    <section className="panel cluster-panel" aria-labelledby="cluster-title">
      <h1 id="cluster-title">Cluster</h1>
      <h2>Contexts</h2>
      {contexts ? (
        <table className="table">
          <thead>
            <tr>
              <th>Context</th>
              <th>Cluster</th>
              <th>Server</th>
              <th>Namespace</th>
              <th>From</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {contexts.contexts.map((c) => (
              <tr key={c.name} className={c.name === contexts.current ? 'current' : ''}>
                <td>
                  <strong>{c.name}</strong>
                </td>
                <td>{c.cluster}</td>
                <td>
                  <code>{c.server}</code>
                </td>
                <td>{c.namespace}</td>
                <td className="small muted">{c.source === 'drill' ? 'embedded drill cluster' : c.file}</td>
                <td>
                  {c.name === contexts.current ? (
                    <span className="chip">current</span>
                  ) : (
                    <button type="button" className="link-button" onClick={() => void selectContext(c.name)}>
                      Use
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">Reading kubeconfig…</p>
      )}
      {contexts?.problems.length ? (
        <div className="error-detail" role="alert" data-testid="kubeconfig-problems">
          {contexts.problems.map((p) => (
            <div key={p.file}>
              <strong>{p.file}</strong>: {p.message}
            </div>
          ))}
        </div>
      ) : null}

      <DrillSection />
      <p className="muted small">Not yet available: {PANELS.find((p) => p.id === 'cluster')!.planned}</p>
    </section>
  );
}

const time = (epochMs: number): string => new Date(epochMs).toLocaleTimeString();

function exitText(exit: DrillStatus['exit']): string {
  if (!exit) return '';
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/** The drill cluster: its process (starting, running, crashed), the kubectl line, its scenarios live, restart and reset. */
function DrillSection() {
  const status = useCockpit((s) => s.drill);
  const error = useCockpit((s) => s.drillError);
  const busy = useCockpit((s) => s.drillBusy);
  const follow = useCockpit((s) => s.followDrill);
  const restart = useCockpit((s) => s.restartDrill);
  const loadContexts = useCockpit((s) => s.loadContexts);
  useEffect(() => follow(), [follow]);
  // The drill context appears (or its address changes) when its process comes up: list contexts again.
  const running = status?.state === 'running';
  useEffect(() => {
    if (running) void loadContexts();
  }, [running, loadContexts]);

  return (
    <div data-testid="drill-section" data-drill-state={status?.state ?? 'unknown'}>
      <h2>Drill cluster</h2>
      {error ? (
        <p className="error-detail" role="alert">
          {error.code}: {error.message}
        </p>
      ) : null}
      {!status || status.state === 'starting' ? (
        <p className="muted" role="status">
          Starting the drill cluster in its own process{status?.pid ? ` (pid ${status.pid})` : ''}… the rest of the cockpit works meanwhile.
        </p>
      ) : status.state === 'off' ? (
        <p className="muted">The drill cluster is {status.error ?? 'turned off'}.</p>
      ) : status.state !== 'running' ? (
        <div className="error-detail" role="alert" data-testid="drill-down">
          <p>
            <strong>The drill cluster {status.state === 'crashed' ? 'crashed' : status.state === 'failed' ? 'failed to start' : 'is stopped'}</strong>
            {status.exit ? ` (${exitText(status.exit)})` : ''}
            {status.error ? `: ${status.error}` : '.'}
          </p>
          <p className="small">The cockpit keeps running; incidents and evidence are not affected.</p>
          <button type="button" onClick={() => void restart()} disabled={busy === 'restart'}>
            {busy === 'restart' ? 'Restarting…' : 'Restart drill cluster'}
          </button>
        </div>
      ) : (
        <RunningDrill status={status} />
      )}
    </div>
  );
}

function RunningDrill({ status }: { status: DrillStatus }) {
  const setScenario = useCockpit((s) => s.setScenario);
  const reset = useCockpit((s) => s.resetDrill);
  const restart = useCockpit((s) => s.restartDrill);
  const busy = useCockpit((s) => s.drillBusy);
  const [confirmingReset, setConfirmingReset] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirmingReset) cancelRef.current?.focus();
  }, [confirmingReset]);

  return (
    <>
      <p>
        A simulated <code>codesign-production</code> cluster at <code>{status.url}</code> (its own process, pid {status.pid}) that the real kubectl
        accepts. From any shell:
      </p>
      <pre className="command">{`KUBECONFIG=${status.kubeconfigPath} kubectl get pods -n codesign-production`}</pre>
      <p className="small muted" data-testid="drill-persistence">
        {status.restored ? 'Its state was kept from the last run' : 'Started from its seed'}
        {status.stateFile ? (
          <>
            ; kept across restarts in <code>{status.stateFile}</code>.
          </>
        ) : (
          '.'
        )}
      </p>
      {status.restoreProblem ? (
        <p className="error-detail" role="alert">
          {status.restoreProblem}
        </p>
      ) : null}
      <h3>Fault scenarios</h3>
      <ul className="scenarios">
        {status.scenarios.map((s) => (
          <ScenarioRow key={s.name} scenario={s} onChange={(active) => setScenario(s.name, active)} />
        ))}
      </ul>
      <div className="drill-actions" style={{ display: 'flex', gap: '0.5rem', alignItems: 'flex-end', flexWrap: 'wrap' }}>
        {confirmingReset ? (
          <div role="group" aria-label="Reset drill cluster" className="confirm" style={{ display: 'flex', gap: '0.5rem', flexWrap: 'wrap', alignItems: 'center' }}>
            <p style={{ flexBasis: '100%', margin: 0 }}>{status.resetDescription ?? 'Rebuilds the drill cluster from its seed.'}</p>
            <button
              type="button"
              disabled={busy === 'reset'}
              onClick={() => void reset().finally(() => setConfirmingReset(false))}
            >
              {busy === 'reset' ? 'Resetting…' : 'Reset'}
            </button>
            <button type="button" ref={cancelRef} onClick={() => setConfirmingReset(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button type="button" onClick={() => setConfirmingReset(true)} title={status.resetDescription}>
            Reset drill cluster…
          </button>
        )}
        <button type="button" onClick={() => void restart()} disabled={busy === 'restart'} title="Stops the drill's process and starts it again (its state is kept)">
          {busy === 'restart' ? 'Restarting…' : 'Restart process'}
        </button>
      </div>
    </>
  );
}

function ScenarioRow({ scenario, onChange }: { scenario: ScenarioState; onChange(active: boolean): Promise<void> }) {
  const text = SCENARIO_TEXT[scenario.name];
  return (
    <li data-testid={`scenario-${scenario.name}`} data-active={scenario.active}>
      <label>
        <OptimisticCheckbox checked={scenario.active} onCheckedChange={onChange} data-scenario={scenario.name} />
        <span>{text.label}</span>
      </label>
      <span className="small muted"> — resolved by: {text.fix}</span>
      {scenario.active && scenario.since ? <span className="small"> · on since {time(scenario.since)} (drill clock)</span> : null}
      {!scenario.active && scenario.ended ? (
        <div className="small scenario-ended" role="status" style={{ marginLeft: '1.6rem' }}>
          Ended by itself at {time(scenario.ended.at)}: {scenario.ended.change}
        </div>
      ) : null}
    </li>
  );
}
