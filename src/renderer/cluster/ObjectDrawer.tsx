import { useEffect, useMemo, useRef } from 'react';
import { stringify } from 'yaml';
import { eventCount, eventLastSeen, eventMessage, eventObject, eventReason, eventType } from '../../shared/k8s/kube-events';
import { asList, str, statusOf, type KubeObject } from '../../shared/k8s/objects';
import { containerStates, controllerOf, humanDuration, imagesOf, podStatusReason } from '../../shared/k8s/printers';
import { RESOURCES } from '../../shared/k8s/resources';
import { useNow } from '../shell/useNow';
import { statusClass } from './columns';
import { useResource } from './useResource';
import { KIND_RESOURCE, type DrawerTarget } from './kinds';

/** One object: status, conditions, containers, owners, rollout history, its events and its YAML (read-only). */
export function ObjectDrawer({ target, onClose, onOpen }: { target: DrawerTarget; onClose: () => void; onOpen: (target: DrawerTarget) => void }) {
  const view = useResource(target.resource);
  const events = useResource('events');
  const replicasets = useResource('replicasets');
  const deployments = useResource('deployments');
  const now = useNow(5000).getTime();
  const object = view?.items.get(target.key);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [target.key]);
  const kind = RESOURCES[target.resource].kind;

  const ownEvents = useMemo(() => {
    if (!object || !events) return [];
    return [...events.items.values()]
      .filter((e) => eventObject(e).kind === kind && eventObject(e).name === object.metadata.name)
      .sort((a, b) => Number(eventType(b) === 'Warning') - Number(eventType(a) === 'Warning') || eventLastSeen(b) - eventLastSeen(a));
  }, [object, events, kind]);

  const owners = useMemo(() => {
    const chain: Array<{ kind: string; name: string }> = [];
    let current = object;
    for (let depth = 0; current && depth < 4; depth++) {
      const owner = controllerOf(current);
      if (!owner) break;
      chain.push(owner);
      const ns = current.metadata.namespace;
      const key = ns ? `${ns}/${owner.name}` : owner.name;
      current = owner.kind === 'ReplicaSet' ? replicasets?.items.get(key) : owner.kind === 'Deployment' ? deployments?.items.get(key) : undefined;
    }
    return chain;
  }, [object, replicasets, deployments]);

  const history = useMemo(() => {
    if (!object || target.resource !== 'deployments' || !replicasets) return [];
    return [...replicasets.items.values()]
      .filter((rs) => rs.metadata.namespace === object.metadata.namespace && controllerOf(rs)?.kind === 'Deployment' && controllerOf(rs)?.name === object.metadata.name)
      .map((rs) => ({
        revision: Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0),
        changeCause: rs.metadata.annotations?.['kubernetes.io/change-cause'] ?? '<none>',
        image: imagesOf(rs),
        at: Date.parse(rs.metadata.creationTimestamp ?? ''),
        name: rs.metadata.name,
      }))
      .sort((a, b) => b.revision - a.revision);
  }, [object, target.resource, replicasets]);

  const yaml = useMemo(() => (object ? stringify(object, { lineWidth: 0 }) : ''), [object]);

  return (
    <aside className="drawer" aria-labelledby="drawer-title" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <header className="drawer-head">
        <h2 id="drawer-title" tabIndex={-1} ref={heading}>
          {kind}/{target.key.split('/').pop()}
        </h2>
        {['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(kind) ? <a className="button" href={`#/logs/${kind.toLowerCase()}:${target.key.split('/').pop()}`}>Logs</a> : null}
        <button type="button" className="button" onClick={onClose} aria-label="Close details">
          Close
        </button>
      </header>
      {!object ? (
        <p className="muted">{view?.synced ? 'This object no longer exists.' : 'Loading…'}</p>
      ) : (
        <>
          {target.resource === 'pods' ? (
            <p>
              Status <span className={statusClass(podStatusReason(object))}>{podStatusReason(object)}</span>
            </p>
          ) : null}
          {owners.length ? (
            <section aria-label="Owners">
              <h3>Owned by</h3>
              <p className="owner-chain">
                {owners.map((o, i) => (
                  <span key={`${o.kind}/${o.name}`}>
                    {i > 0 ? ' → ' : ''}
                    {KIND_RESOURCE[o.kind] ? (
                      <button type="button" className="link-button" onClick={() => onOpen({ resource: KIND_RESOURCE[o.kind]!, key: object.metadata.namespace ? `${object.metadata.namespace}/${o.name}` : o.name })}>
                        {o.kind}/{o.name}
                      </button>
                    ) : (
                      `${o.kind}/${o.name}`
                    )}
                  </span>
                ))}
              </p>
            </section>
          ) : null}
          <Conditions object={object} now={now} />
          {target.resource === 'pods' ? <Containers object={object} now={now} /> : null}
          {history.length ? (
            <section aria-label="Rollout history">
              <h3>Rollout history</h3>
              <table className="table compact">
                <thead>
                  <tr>
                    <th>Rev</th>
                    <th>Change-cause</th>
                    <th>Image</th>
                    <th>When</th>
                  </tr>
                </thead>
                <tbody>
                  {history.map((h) => (
                    <tr key={h.name}>
                      <td>{h.revision}</td>
                      <td>{h.changeCause}</td>
                      <td className="mono">{h.image}</td>
                      <td>{Number.isNaN(h.at) ? '' : `${humanDuration(now - h.at)} ago`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
          <section aria-label="Events">
            <h3>Events</h3>
            {ownEvents.length === 0 ? (
              <p className="muted small">No events for this object.</p>
            ) : (
              <table className="table compact">
                <tbody>
                  {ownEvents.slice(0, 50).map((e) => (
                    <tr key={e.metadata.name}>
                      <td className={eventType(e) === 'Warning' ? 'st-bad' : 'muted'}>{eventType(e)}</td>
                      <td>{eventReason(e)}</td>
                      <td>{eventMessage(e)}</td>
                      <td>×{eventCount(e)}</td>
                      <td className="muted">{humanDuration(now - eventLastSeen(e))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-label="YAML">
            <h3>YAML</h3>
            <pre className="yaml" tabIndex={0}>
              {yaml}
            </pre>
          </section>
        </>
      )}
    </aside>
  );
}

function Conditions({ object, now }: { object: KubeObject; now: number }) {
  const conditions = asList(statusOf(object).conditions);
  if (conditions.length === 0) return null;
  return (
    <section aria-label="Conditions">
      <h3>Conditions</h3>
      <table className="table compact">
        <tbody>
          {conditions.map((c) => (
            <tr key={str(c.type)}>
              <td>{str(c.type)}</td>
              <td className={c.status === 'True' ? (/Pressure|Unavailable/.test(str(c.type)) ? 'st-bad' : 'st-ok') : 'st-bad'}>{str(c.status)}</td>
              <td>{str(c.reason)}</td>
              <td className="small">{str(c.message)}</td>
              <td className="muted">{c.lastTransitionTime ? humanDuration(now - Date.parse(str(c.lastTransitionTime))) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Containers({ object, now }: { object: KubeObject; now: number }) {
  return (
    <section aria-label="Containers">
      <h3>Containers</h3>
      <table className="table compact">
        <thead>
          <tr>
            <th>Name</th>
            <th>State</th>
            <th>Ready</th>
            <th>Restarts</th>
            <th>Last termination</th>
          </tr>
        </thead>
        <tbody>
          {containerStates(object).map((c) => (
            <tr key={c.name}>
              <td>
                {c.name}
                <div className="mono small muted">{c.image}</div>
              </td>
              <td className={c.state === 'running' ? 'st-ok' : 'st-bad'}>
                {c.state}
                {c.reason ? `: ${c.reason}` : ''}
                {c.since ? <span className="muted"> ({humanDuration(now - Date.parse(c.since))})</span> : null}
              </td>
              <td>{c.ready ? 'yes' : 'no'}</td>
              <td>{c.restarts}</td>
              <td data-testid="last-termination">
                {c.lastTermination ? `${c.lastTermination.reason ?? 'exited'} (exit ${c.lastTermination.exitCode ?? '?'})${c.lastTermination.finishedAt ? `, ${humanDuration(now - Date.parse(c.lastTermination.finishedAt))} ago` : ''}` : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

