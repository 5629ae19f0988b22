import { useMemo } from 'react';
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
  const now = useNow(10_000).getTime();
  const items = useMemo(
    () =>
      summarizeCluster({
        now,
        ...(pods?.synced ? { pods: pods.items.values() } : {}),
        ...(deployments?.synced ? { deployments: deployments.items.values() } : {}),
        ...(events?.synced ? { events: events.items.values() } : {}),
        ...(nodes?.synced ? { nodes: nodes.items.values() } : {}),
        ...(pvcs?.synced ? { persistentvolumeclaims: pvcs.items.values() } : {}),
      }),
    [now, pods, deployments, events, nodes, pvcs],
  );
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
