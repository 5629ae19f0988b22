import { useMemo, useRef } from 'react';
import { summarizeCluster, type SummaryItem } from '../../shared/k8s/summary';
import { useNow } from '../shell/useNow';
import { useResource } from './useResource';

/** The runbook's quick system check at a glance; each item opens the list filtered to its objects. */
export function SummaryStrip({ onPick }: { onPick: (item: SummaryItem) => void }) {
  const pods = useResource('pods');
  const deployments = useResource('deployments');
  const events = useResource('events');
  const nodes = useResource('nodes');
  const pvcs = useResource('persistentvolumeclaims');
  // Recomputed every 2 s, not per update: 20,000 pods changing 200 times a second would
  // otherwise re-run every rule on every frame.
  const now = useNow(2000).getTime();
  const latest = useRef({ pods, deployments, events, nodes, pvcs });
  latest.current = { pods, deployments, events, nodes, pvcs };
  const loaded = [pods, deployments, events, nodes, pvcs].map((v) => (v?.synced ? '1' : '0')).join('');
  const items = useMemo(() => {
    const v = latest.current;
    return summarizeCluster({
      now,
      ...(v.pods?.synced ? { pods: v.pods.items.values() } : {}),
      ...(v.deployments?.synced ? { deployments: v.deployments.items.values() } : {}),
      ...(v.events?.synced ? { events: v.events.items.values() } : {}),
      ...(v.nodes?.synced ? { nodes: v.nodes.items.values() } : {}),
      ...(v.pvcs?.synced ? { persistentvolumeclaims: v.pvcs.items.values() } : {}),
    });
  }, [now, loaded]);
  const errors = { pods, deployments, events, nodes, persistentvolumeclaims: pvcs };
  return (
    <ul className="summary-strip" aria-label="Quick system check">
      {items.map((item) => {
        const failed = errors[item.view]?.state === 'failed';
        const state = failed ? 'unknown' : !item.known ? 'loading' : item.count > 0 ? 'bad' : 'ok';
        return (
          <li key={item.id}>
            <button type="button" className={`summary-item summary-${state}`} data-testid={`summary-${item.id}`} disabled={!item.known} onClick={() => onPick(item)} title={failed ? errors[item.view]?.error?.message : undefined}>
              <span className="summary-count">{failed ? '?' : item.known ? item.count : '…'}</span>
              <span className="summary-label">{item.label}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
