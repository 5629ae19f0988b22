import { useEffect } from 'react';
import { useCockpit } from '../state/store';

/** The top bar's namespace choice for the current context, "all namespaces" included. */
export function NamespacePicker() {
  const contexts = useCockpit((s) => s.contexts);
  const namespaces = useCockpit((s) => s.namespaces);
  const loadNamespaces = useCockpit((s) => s.loadNamespaces);
  const selectNamespace = useCockpit((s) => s.selectNamespace);
  const current = contexts?.current;
  useEffect(() => {
    if (current) void loadNamespaces();
  }, [current, loadNamespaces]);
  if (!contexts?.current) return null;
  const names = new Set<string>(namespaces && namespaces.context === current ? namespaces.names : []);
  if (contexts.namespace) names.add(contexts.namespace);
  const health = contexts.health[contexts.current];
  return (
    <label className="context" title={namespaces?.error ? `Cannot list namespaces: ${namespaces.error.message}` : 'Namespace for every view'}>
      <span className="muted">Namespace</span>
      <select name="namespace" aria-label="Namespace" value={contexts.namespace} onChange={(e) => void selectNamespace(e.target.value)} data-testid="namespace-select">
        <option value="">all namespaces</option>
        {[...names].sort().map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      {health && health.state !== 'reachable' && health.state !== 'unknown' ? (
        <span className="context-problem" role="status" title={health.message} data-testid="context-health">
          ⚠ {health.state}
        </span>
      ) : null}
    </label>
  );
}
