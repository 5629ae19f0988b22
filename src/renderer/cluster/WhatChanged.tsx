import { useMemo, useState } from 'react';
import { recentChanges, type ChangeEntry } from '../../shared/k8s/changes';
import { humanDuration } from '../../shared/k8s/printers';
import { useNow } from '../shell/useNow';
import { useActiveIncidentId, useCockpit } from '../state/store';
import { ResourceStatus } from './ResourceStatus';
import { useResource } from './useResource';

const WINDOWS = [1, 6, 24];

/** Recent rollouts, scale changes, HPA decisions and restart bursts in the namespace; any can be pinned to the incident. */
export function WhatChanged() {
  const replicasets = useResource('replicasets');
  const events = useResource('events');
  const pods = useResource('pods');
  const now = useNow(10_000).getTime();
  const [hours, setHours] = useState(6);
  const [pinned, setPinned] = useState<Set<string>>(new Set());
  const activeId = useActiveIncidentId();
  const saveNote = useCockpit((s) => s.saveNote);
  const namespace = useCockpit((s) => s.contexts?.namespace);
  const context = useCockpit((s) => s.contexts?.current);
  const changes = useMemo(
    () =>
      recentChanges({
        now,
        windowMs: hours * 3600_000,
        ...(replicasets?.synced ? { replicasets: replicasets.items.values() } : {}),
        ...(events?.synced ? { events: events.items.values() } : {}),
        ...(pods?.synced ? { pods: pods.items.values() } : {}),
      }),
    [now, hours, replicasets, events, pods],
  );
  const pin = async (entry: ChangeEntry) => {
    if (!activeId) return;
    const text = `What changed (${context ?? '?'} / ${namespace || 'all namespaces'}), ${new Date(entry.at).toISOString()}: ${entry.kind} ${entry.object}: ${entry.summary}`;
    if (await saveNote(activeId, text)) setPinned((p) => new Set(p).add(entry.id));
  };
  return (
    <div className="what-changed">
      <div className="filter-bar">
        <label>
          Last{' '}
          <select aria-label="Window" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {WINDOWS.map((h) => (
              <option key={h} value={h}>
                {h} h
              </option>
            ))}
          </select>
        </label>
        <span className="muted small">{activeId ? `Pin adds a note to ${activeId}.` : 'Declare or open an incident to pin entries to its timeline.'}</span>
      </div>
      <ResourceStatus view={replicasets} what="replicasets" />
      <ol className="changes" aria-label="Changes">
        {changes.length === 0 && replicasets?.synced ? <li className="muted">No rollouts, scale changes or restart bursts in the last {hours} h.</li> : null}
        {changes.map((c) => (
          <li key={c.id} className={`change change-${c.kind}`} data-testid="change">
            <span className="change-when" title={new Date(c.at).toLocaleString()}>
              {humanDuration(now - c.at)} ago
            </span>
            <span className={`chip change-kind`}>{c.kind}</span>
            <strong>{c.object}</strong>
            <span className="change-summary">{c.summary}</span>
            <button type="button" className="link-button" disabled={!activeId || pinned.has(c.id)} onClick={() => void pin(c)}>
              {pinned.has(c.id) ? 'Pinned' : 'Pin'}
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}
