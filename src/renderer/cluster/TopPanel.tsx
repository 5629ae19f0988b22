import { useEffect, useMemo } from 'react';
import type { NodeUsage, PodUsage } from '../../shared/contract';
import { formatCpu, formatMemory } from '../../shared/k8s/quantities';
import { resourceThresholds, thresholdLevel, type ThresholdLevel } from '../../shared/k8s/thresholds';
import { useCockpit } from '../state/store';
import './cluster.css';
import { selectionKey } from './clusterSlice';
import { VirtualTable, type Column } from './VirtualTable';

/** Percent of the limit, else of the request (what the runbook's "CPU usage" compares). */
export function percentOf(used: number, limit: number | undefined, request: number | undefined): number | undefined {
  const base = limit ?? request;
  return base ? (used / base) * 100 : undefined;
}

const pct = (value: number | undefined) => (value === undefined ? '—' : `${value.toFixed(0)}%`);
const levelClass = (level: ThresholdLevel | undefined) => (level ? `lvl-${level}` : undefined);

interface PodRow extends PodUsage {
  key: string;
  cpuPercent?: number;
  memoryPercent?: number;
  trend: number[];
}

/** metrics.k8s.io on an interval: CPU and memory against requests and limits, coloured by the runbook's thresholds. */
export function TopPanel() {
  const key = useCockpit((s) => selectionKey(s.contexts));
  const watchTop = useCockpit((s) => s.watchTop);
  const view = useCockpit((s) => (key ? s.top[key] : undefined));
  const runbook = useCockpit((s) => s.runbook);
  const contexts = useCockpit((s) => s.contexts);
  useEffect(() => (key ? watchTop() : undefined), [key, watchTop]);
  const thresholds = useMemo(() => resourceThresholds(runbook), [runbook]);
  const latest = view?.readings.at(-1);

  const rows = useMemo((): PodRow[] => {
    if (!latest || !view) return [];
    return latest.pods.map((p) => {
      const key = `${p.namespace}/${p.name}`;
      const memoryPercent = percentOf(p.memory, p.memoryLimit, p.memoryRequest);
      const cpuPercent = percentOf(p.cpu, p.cpuLimit, p.cpuRequest);
      const trend = view.readings.map((r) => {
        const q = r.pods.find((x) => x.namespace === p.namespace && x.name === p.name);
        return q ? (percentOf(q.memory, q.memoryLimit, q.memoryRequest) ?? 0) : 0;
      });
      return { ...p, key, trend, ...(cpuPercent !== undefined ? { cpuPercent } : {}), ...(memoryPercent !== undefined ? { memoryPercent } : {}) };
    });
  }, [latest, view]);

  const columns: Column<PodRow>[] = useMemo(
    () => [
      ...(contexts?.namespace === '' ? [{ id: 'namespace', label: 'Namespace', width: 'minmax(120px, 1fr)', text: (r: PodRow) => r.namespace }] : []),
      { id: 'name', label: 'Pod', width: 'minmax(220px, 3fr)', text: (r) => r.name },
      { id: 'cpu', label: 'CPU', width: '70px', text: (r) => formatCpu(r.cpu), sortValue: (r) => r.cpu },
      { id: 'cpuPercent', label: 'CPU % limit', width: '100px', text: (r) => pct(r.cpuPercent), sortValue: (r) => r.cpuPercent ?? -1, className: (r) => levelClass(thresholdLevel(r.cpuPercent, thresholds.cpu)) },
      { id: 'cpuReq', label: 'Req / limit', width: '110px', text: (r) => `${r.cpuRequest !== undefined ? formatCpu(r.cpuRequest) : '—'} / ${r.cpuLimit !== undefined ? formatCpu(r.cpuLimit) : '—'}` },
      { id: 'memory', label: 'Memory', width: '80px', text: (r) => formatMemory(r.memory), sortValue: (r) => r.memory },
      {
        id: 'memoryPercent',
        label: 'Mem % limit',
        width: '100px',
        text: (r) => pct(r.memoryPercent),
        sortValue: (r) => r.memoryPercent ?? -1,
        className: (r) => levelClass(thresholdLevel(r.memoryPercent, thresholds.memory)),
      },
      { id: 'memReq', label: 'Req / limit', width: '120px', text: (r) => `${r.memoryRequest !== undefined ? formatMemory(r.memoryRequest) : '—'} / ${r.memoryLimit !== undefined ? formatMemory(r.memoryLimit) : '—'}` },
      { id: 'trend', label: 'Memory trend', width: '110px', text: (r) => r.trend.map((t) => t.toFixed(0)).join(' '), render: (r) => <Sparkline values={r.trend} />, sortValue: (r) => (r.trend.at(-1) ?? 0) - (r.trend[0] ?? 0) },
      { id: 'node', label: 'Node', width: 'minmax(100px, 1fr)', text: (r) => r.node ?? '' },
    ],
    [thresholds, contexts?.namespace],
  );

  return (
    <section className="workloads top-panel" aria-labelledby="top-title">
      <header className="workloads-head">
        <h1 id="top-title">Top</h1>
        <span className="muted">
          {thresholds.cpu ? `CPU ${thresholds.cpu.warningText} / ${thresholds.cpu.criticalText}` : 'the runbook sets no CPU threshold'} ·{' '}
          {thresholds.memory ? `memory ${thresholds.memory.warningText} / ${thresholds.memory.criticalText}` : 'the runbook sets no memory threshold'} (from the runbook) · every 15 s
          {latest ? ` · read ${new Date(latest.at).toLocaleTimeString()}` : ''}
        </span>
      </header>
      {!key ? (
        <p className="muted">Choose a context.</p>
      ) : view?.error && !latest ? (
        <div className="error-detail" role="alert" data-testid="top-error">
          [{view.error.code}] {view.error.message}
        </div>
      ) : !latest ? (
        <p className="muted" role="status">
          Reading metrics.k8s.io…
        </p>
      ) : (
        <>
          {view?.error ? (
            <div className="error-detail" role="alert">
              Last reading failed: {view.error.message}
            </div>
          ) : null}
          <h2>Nodes</h2>
          <NodeTable nodes={latest.nodes} thresholds={thresholds} />
          {latest.nodesError ? <p className="muted small">Node metrics: {latest.nodesError.message}</p> : null}
          <h2>Pods</h2>
          <VirtualTable label="Pod usage" rows={rows} columns={columns} rowKey={(r) => r.key} initialSort={{ column: 'memoryPercent', descending: true }} empty="No pod metrics in this namespace." />
        </>
      )}
    </section>
  );
}

function NodeTable({ nodes, thresholds }: { nodes: NodeUsage[]; thresholds: ReturnType<typeof resourceThresholds> }) {
  return (
    <table className="table compact" aria-label="Node usage">
      <thead>
        <tr>
          <th>Node</th>
          <th>CPU</th>
          <th>CPU %</th>
          <th>Memory</th>
          <th>Memory %</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => {
          const cpu = percentOf(n.cpu, n.cpuAllocatable, undefined);
          const memory = percentOf(n.memory, n.memoryAllocatable, undefined);
          return (
            <tr key={n.name}>
              <td>{n.name}</td>
              <td>{formatCpu(n.cpu)}</td>
              <td className={levelClass(thresholdLevel(cpu, thresholds.cpu))}>{pct(cpu)}</td>
              <td>{formatMemory(n.memory)}</td>
              <td className={levelClass(thresholdLevel(memory, thresholds.memory))}>{pct(memory)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Sparkline({ values }: { values: number[] }) {
  if (values.length < 2) return <span className="muted">—</span>;
  const max = Math.max(100, ...values);
  const points = values.map((v, i) => `${(i / (values.length - 1)) * 90},${18 - (v / max) * 16}`).join(' ');
  return (
    <svg width="90" height="20" role="img" aria-label={`last ${values.length} readings`}>
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
