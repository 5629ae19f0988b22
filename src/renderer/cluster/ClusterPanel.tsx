import { useEffect } from 'react';
import type { ScenarioName } from '../../shared/contexts';
import { OptimisticCheckbox } from '../shell/OptimisticCheckbox';
import { PANELS } from '../shell/panels';
import { useCockpit } from '../state/store';

const SCENARIO_TEXT: Record<ScenarioName, { label: string; fix: string }> = {
  'high-latency': { label: 'High latency (P95 > 2 s)', fix: 'Scale codesign-api up (High Response Times)' },
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
  const drill = useCockpit((s) => s.drill);
  const loadContexts = useCockpit((s) => s.loadContexts);
  const loadDrill = useCockpit((s) => s.loadDrill);
  const selectContext = useCockpit((s) => s.selectContext);
  const setScenario = useCockpit((s) => s.setScenario);
  useEffect(() => {
    void loadContexts();
    void loadDrill();
  }, [loadContexts, loadDrill]);

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

      <h2>Drill cluster</h2>
      {!drill ? (
        <p className="muted">Starting…</p>
      ) : !drill.running ? (
        <p className="error-detail">The drill cluster is not running{drill.error ? `: ${drill.error}` : ''}.</p>
      ) : (
        <>
          <p>
            A simulated <code>codesign-production</code> cluster at <code>{drill.url}</code> that the real kubectl accepts. From any shell:
          </p>
          <pre className="command">{`KUBECONFIG=${drill.kubeconfigPath} kubectl get pods -n codesign-production`}</pre>
          <h3>Fault scenarios</h3>
          <ul className="scenarios">
            {drill.scenarios.map((s) => (
              <li key={s.name}>
                <label>
                  <OptimisticCheckbox checked={s.active} onCheckedChange={(active) => setScenario(s.name, active)} data-scenario={s.name} />
                  <span>{SCENARIO_TEXT[s.name].label}</span>
                </label>
                <span className="small muted"> — resolved by: {SCENARIO_TEXT[s.name].fix}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <p className="muted small">Not yet available: {PANELS.find((p) => p.id === 'cluster')!.planned}</p>
    </section>
  );
}
