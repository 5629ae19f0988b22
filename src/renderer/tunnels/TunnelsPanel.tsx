import { useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { TunnelInfo, TunnelTarget } from '../../shared/contract/tunnels';
import { useCockpit } from '../state/store';
import { TunnelStatus, useFollowTunnels } from './TunnelStatus';
import './tunnels.css';

const KINDS: TunnelTarget['kind'][] = ['pod', 'service', 'statefulset', 'deployment'];

/** The runbook's two databases, one click away on the drill's namespace. */
const PRESETS: Array<{ label: string; target: TunnelTarget; port: string }> = [
  { label: 'PostgreSQL: pod postgres-0 :5432', target: { kind: 'pod', name: 'postgres-0' }, port: '5432' },
  { label: 'Redis: service redis :6379', target: { kind: 'service', name: 'redis' }, port: '6379' },
];

function CopyAddress({ port }: { port: number }) {
  const address = `127.0.0.1:${port}`;
  const [copied, setCopied] = useState<'copied' | 'unavailable'>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(address);
      setCopied('copied');
    } catch {
      setCopied('unavailable');
    }
  };
  return (
    <span className="tunnel-address">
      <code>{address}</code>
      <button type="button" className="link-button small" onClick={() => void copy()} aria-label={`Copy ${address}`}>
        copy
      </button>
      {copied ? <span className="small muted">{copied === 'copied' ? 'copied' : 'select and copy it (no clipboard here)'}</span> : null}
    </span>
  );
}

function OpenTunnelForm({ context, namespace }: { context: string; namespace: string }) {
  const { openTunnel, opening, error, clearError } = useCockpit(
    useShallow((s) => ({ openTunnel: s.openTunnel, opening: s.tunnelOpening, error: s.tunnelError, clearError: s.clearTunnelError })),
  );
  const [ns, setNs] = useState(namespace);
  const [kind, setKind] = useState<TunnelTarget['kind']>('pod');
  const [name, setName] = useState('');
  const [port, setPort] = useState('');
  const [localPort, setLocalPort] = useState('');
  const [invalid, setInvalid] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setInvalid(undefined);
    clearError();
    const remotePort = /^\d+$/.test(port.trim()) ? Number(port.trim()) : port.trim();
    if (!name.trim()) return setInvalid('Name the pod, service, statefulset or deployment to forward to.');
    if (remotePort === '' || (typeof remotePort === 'number' && (remotePort < 1 || remotePort > 65535))) return setInvalid('The remote port is a number from 1 to 65535, or a port name.');
    const local = localPort.trim() ? Number(localPort.trim()) : undefined;
    if (local !== undefined && (!Number.isInteger(local) || local < 1024 || local > 65535)) return setInvalid('The local port is a number from 1024 to 65535, or empty for a free one.');
    const opened = await openTunnel({ context, namespace: ns.trim(), target: { kind, name: name.trim() }, remotePort, ...(local !== undefined ? { localPort: local } : {}) });
    if (opened) setName('');
  };

  return (
    <section aria-labelledby="open-tunnel-title" className="card">
      <h2 id="open-tunnel-title">Open a tunnel</h2>
      <form className="tunnel-form" onSubmit={(e) => void submit(e)} aria-label="Open a tunnel">
        <label className="field">
          <span className="small muted">Namespace</span>
          <input name="namespace" value={ns} onChange={(e) => setNs(e.target.value)} required />
        </label>
        <label className="field">
          <span className="small muted">Kind</span>
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as TunnelTarget['kind'])}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="small muted">Name</span>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="postgres-0" />
        </label>
        <label className="field">
          <span className="small muted">Remote port</span>
          <input name="remotePort" value={port} onChange={(e) => setPort(e.target.value)} placeholder="5432" />
        </label>
        <label className="field">
          <span className="small muted">Local port</span>
          <input name="localPort" value={localPort} onChange={(e) => setLocalPort(e.target.value)} placeholder="free" inputMode="numeric" />
        </label>
        <button type="submit" className="button" disabled={opening}>
          {opening ? 'Opening…' : 'Open'}
        </button>
      </form>
      <div className="tunnel-presets small">
        <span className="muted">Runbook:</span>
        {PRESETS.map((p) => (
          <button
            key={p.label}
            type="button"
            className="link-button small"
            onClick={() => {
              setKind(p.target.kind);
              setName(p.target.name);
              setPort(p.port);
            }}
          >
            {p.label}
          </button>
        ))}
      </div>
      {invalid ? (
        <p className="error-detail tunnel-error" role="alert">
          {invalid}
        </p>
      ) : null}
      {error ? (
        <p className="error-detail tunnel-error" role="alert">
          <strong>{error.code}</strong>: {error.message}
        </p>
      ) : null}
    </section>
  );
}

function TunnelRow({ tunnel }: { tunnel: TunnelInfo }) {
  const closeTunnel = useCockpit((s) => s.closeTunnel);
  const label = `${tunnel.target.kind}/${tunnel.target.name}:${tunnel.remotePort}`;
  return (
    <tr aria-label={`tunnel ${label}`}>
      <td>
        <code>{label}</code>
        <div className="small muted">
          {tunnel.namespace}
          {tunnel.pod && tunnel.pod !== tunnel.target.name ? ` · pod ${tunnel.pod}` : ''}
        </div>
      </td>
      <td>
        <CopyAddress port={tunnel.localPort} />
      </td>
      <td>
        <TunnelStatus tunnel={tunnel} />
      </td>
      <td className="mono">{tunnel.connections}</td>
      <td className="mono">{tunnel.reconnects}</td>
      <td>
        <button type="button" className="button" onClick={() => void closeTunnel(tunnel.id)} aria-label={`Close tunnel ${label}`}>
          Close
        </button>
      </td>
    </tr>
  );
}

/**
 * The Tunnels view: every port-forward of the current context with its local address, state
 * and why, reconnects and connections, Close; and the form that opens one. Tunnels reconnect by
 * themselves in main; this only shows them.
 */
export function TunnelsPanel() {
  useFollowTunnels();
  const { context, namespace, tunnels } = useCockpit(useShallow((s) => ({ context: s.contexts?.current, namespace: s.contexts?.namespace, tunnels: s.tunnels })));
  const list = Object.values(tunnels)
    .filter((t) => t.context === context)
    .sort((a, b) => a.since.localeCompare(b.since));
  const others = Object.values(tunnels).length - list.length;
  return (
    <div className="panel tunnels-panel">
      <h1>Tunnels</h1>
      <p className="muted small">
        Port-forwards from 127.0.0.1 through {context ? <code>{context}</code> : 'the context'}&apos;s API server. When the pod behind one is replaced or the stream drops, the tunnel finds the pod again and reconnects by itself; its local port stays the same.
      </p>
      {context ? <OpenTunnelForm key={`${context}/${namespace ?? ''}`} context={context} namespace={namespace || 'codesign-production'} /> : <p>Choose a context to open tunnels.</p>}
      <section aria-labelledby="tunnel-list-title">
        <h2 id="tunnel-list-title">Open tunnels</h2>
        {list.length === 0 ? (
          <p className="muted">No tunnels in this context.</p>
        ) : (
          <table className="table tunnel-table">
            <thead>
              <tr>
                <th>Target</th>
                <th>Local address</th>
                <th>State</th>
                <th>Connections</th>
                <th>Reconnects</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((t) => (
                <TunnelRow key={t.id} tunnel={t} />
              ))}
            </tbody>
          </table>
        )}
        {others > 0 ? <p className="small muted">{others} more in other contexts.</p> : null}
      </section>
    </div>
  );
}
