import type { PanelId } from '../state/route';

export interface PanelInfo {
  id: PanelId;
  label: string;
  /** Alt+key jumps here. */
  key: string;
  available: boolean;
  /** For panels not built yet: what they will do, said plainly instead of fake data. */
  planned?: string;
}

export const PANELS: readonly PanelInfo[] = [
  { id: 'incident', label: 'Incident', key: '1', available: true },
  { id: 'runbook', label: 'Runbook', key: '2', available: true },
  { id: 'cluster', label: 'Cluster', key: '3', available: true, planned: 'Pods, deployments, rollouts and events, live through watches.' },
  { id: 'workloads', label: 'Workloads', key: '0', available: true },
  { id: 'logs', label: 'Logs', key: '4', available: false, planned: 'Pod, deployment and job log streams: follow, tail, since, previous, merged across pods, filtered by regex.' },
  { id: 'top', label: 'Top', key: '5', available: true, planned: 'Node, pod and container CPU and memory from metrics.k8s.io, against requests, limits and the runbook thresholds.' },
  { id: 'alerts', label: 'Alerts', key: '6', available: false, planned: 'Firing Prometheus alerts and the runbook threshold queries.' },
  { id: 'databases', label: 'Databases', key: '7', available: false, planned: 'PostgreSQL and Redis diagnostics over port-forward tunnels.' },
  { id: 'terminal', label: 'Terminal', key: '8', available: false, planned: 'An embedded terminal with the selected context’s KUBECONFIG, recorded into the evidence store.' },
  { id: 'evidence', label: 'Evidence', key: '9', available: true },
];
