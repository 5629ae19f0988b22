/** The columns each kind's view shows, computed with the shared printers (as kubectl prints them). */
import { asList, asObj, num, specOf, statusOf, str, type KubeObject } from '../../shared/k8s/objects';
import {
  conditionOf,
  deploymentColumns,
  humanDuration,
  imagesOf,
  jobCompletions,
  jobStatus,
  nodeStatus,
  objectAge,
  podReady,
  podRestarts,
  podRestartsText,
  podStatusReason,
} from '../../shared/k8s/printers';
import type { ResourceName } from '../../shared/k8s/resources';
import type { Column } from './VirtualTable';

const created = (o: KubeObject) => Date.parse(o.metadata.creationTimestamp ?? '') || 0;

export const BAD_POD_REASONS = /CrashLoopBackOff|OOMKilled|Error|ImagePullBackOff|ErrImagePull|Evicted|Failed|ExitCode|Signal|Unknown|CreateContainer|InvalidImageName|NotReady/;

export function statusClass(reason: string): string {
  if (reason === 'Running' || reason === 'Completed' || reason === 'Succeeded' || reason === 'Complete' || reason === 'Ready' || reason === 'Bound') return 'st-ok';
  if (BAD_POD_REASONS.test(reason) || reason.startsWith('Init:') || reason === 'NotReady' || reason === 'Lost') return 'st-bad';
  return 'st-warn';
}

const name = (allNamespaces: boolean): Column<KubeObject>[] => [
  ...(allNamespaces ? [{ id: 'namespace', label: 'Namespace', width: 'minmax(120px, 1fr)', text: (o: KubeObject) => o.metadata.namespace ?? '' }] : []),
  { id: 'name', label: 'Name', width: 'minmax(200px, 3fr)', text: (o) => o.metadata.name },
];
const age = (now: number): Column<KubeObject> => ({ id: 'age', label: 'Age', width: '70px', text: (o) => objectAge(o, now), sortValue: (o) => -created(o) });

export function columnsFor(resource: ResourceName, now: number, allNamespaces: boolean): Column<KubeObject>[] {
  const n = name(allNamespaces);
  switch (resource) {
    case 'pods':
      return [
        ...n,
        { id: 'ready', label: 'Ready', width: '64px', text: (o) => podReady(o).text, sortValue: (o) => podReady(o).ready - podReady(o).total },
        { id: 'status', label: 'Status', width: 'minmax(130px, 1.2fr)', text: podStatusReason, className: (o) => statusClass(podStatusReason(o)) },
        {
          id: 'restarts',
          label: 'Restarts',
          width: '120px',
          text: (o) => podRestartsText(o, now),
          sortValue: (o) => podRestarts(o).count,
          className: (o) => (podRestarts(o).count > 0 ? 'st-warn' : undefined),
        },
        {
          id: 'last',
          label: 'Last exit',
          width: '120px',
          text: (o) => {
            const r = podRestarts(o);
            return r.lastRestartAt ? `${r.lastReason ?? 'exited'} (${r.lastExitCode ?? '?'})` : '';
          },
          className: (o) => (podRestarts(o).lastReason === 'OOMKilled' ? 'st-bad' : undefined),
        },
        age(now),
        { id: 'node', label: 'Node', width: 'minmax(110px, 1fr)', text: (o) => str(specOf(o).nodeName) },
        { id: 'ip', label: 'IP', width: '110px', text: (o) => str(statusOf(o).podIP) },
      ];
    case 'deployments':
      return [
        ...n,
        { id: 'ready', label: 'Ready', width: '70px', text: (o) => deploymentColumns(o).readyText, className: (o) => (deploymentColumns(o).available < deploymentColumns(o).desired ? 'st-bad' : 'st-ok') },
        { id: 'desired', label: 'Desired', width: '70px', text: (o) => String(deploymentColumns(o).desired), sortValue: (o) => deploymentColumns(o).desired },
        { id: 'updated', label: 'Up-to-date', width: '90px', text: (o) => String(deploymentColumns(o).updated), sortValue: (o) => deploymentColumns(o).updated },
        { id: 'available', label: 'Available', width: '80px', text: (o) => String(deploymentColumns(o).available), sortValue: (o) => deploymentColumns(o).available },
        { id: 'revision', label: 'Rev', width: '50px', text: (o) => deploymentColumns(o).revision ?? '', sortValue: (o) => Number(deploymentColumns(o).revision ?? 0) },
        { id: 'condition', label: 'Condition', width: 'minmax(140px, 1.5fr)', text: (o) => deploymentColumns(o).problem ?? 'Available', className: (o) => (deploymentColumns(o).problem ? 'st-bad' : 'st-ok') },
        { id: 'images', label: 'Images', width: 'minmax(160px, 2fr)', text: imagesOf },
        age(now),
      ];
    case 'statefulsets':
    case 'replicasets':
      return [
        ...n,
        {
          id: 'ready',
          label: 'Ready',
          width: '70px',
          text: (o) => `${num(statusOf(o).readyReplicas)}/${typeof specOf(o).replicas === 'number' ? num(specOf(o).replicas) : 1}`,
          className: (o) => (num(statusOf(o).readyReplicas) < (typeof specOf(o).replicas === 'number' ? num(specOf(o).replicas) : 1) ? 'st-bad' : 'st-ok'),
        },
        ...(resource === 'replicasets' ? [{ id: 'revision', label: 'Rev', width: '50px', text: (o: KubeObject) => o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '' }] : []),
        { id: 'images', label: 'Images', width: 'minmax(160px, 2fr)', text: imagesOf },
        age(now),
      ];
    case 'daemonsets':
      return [
        ...n,
        { id: 'desired', label: 'Desired', width: '70px', text: (o) => String(num(statusOf(o).desiredNumberScheduled)) },
        { id: 'ready', label: 'Ready', width: '70px', text: (o) => String(num(statusOf(o).numberReady)), className: (o) => (num(statusOf(o).numberReady) < num(statusOf(o).desiredNumberScheduled) ? 'st-bad' : 'st-ok') },
        { id: 'available', label: 'Available', width: '80px', text: (o) => String(num(statusOf(o).numberAvailable)) },
        age(now),
      ];
    case 'jobs':
      return [
        ...n,
        { id: 'status', label: 'Status', width: '110px', text: jobStatus, className: (o) => statusClass(jobStatus(o)) },
        { id: 'completions', label: 'Completions', width: '100px', text: jobCompletions },
        {
          id: 'duration',
          label: 'Duration',
          width: '90px',
          text: (o) => {
            const start = Date.parse(str(statusOf(o).startTime));
            if (Number.isNaN(start)) return '';
            const end = Date.parse(str(statusOf(o).completionTime));
            return humanDuration((Number.isNaN(end) ? now : end) - start);
          },
        },
        age(now),
      ];
    case 'cronjobs':
      return [
        ...n,
        { id: 'schedule', label: 'Schedule', width: '120px', text: (o) => str(specOf(o).schedule) },
        { id: 'suspend', label: 'Suspend', width: '80px', text: (o) => String(specOf(o).suspend === true) },
        { id: 'active', label: 'Active', width: '60px', text: (o) => String(asList(statusOf(o).active).length) },
        {
          id: 'last',
          label: 'Last schedule',
          width: '110px',
          text: (o) => {
            const at = Date.parse(str(statusOf(o).lastScheduleTime));
            return Number.isNaN(at) ? '<none>' : `${humanDuration(now - at)} ago`;
          },
        },
        {
          id: 'today',
          label: 'Ran today',
          width: '90px',
          text: (o) => (ranToday(o, now) ? 'yes' : 'no'),
          className: (o) => (ranToday(o, now) ? 'st-ok' : 'st-bad'),
        },
        age(now),
      ];
    case 'nodes':
      return [
        ...n,
        { id: 'status', label: 'Status', width: 'minmax(120px, 1fr)', text: nodeStatus, className: (o) => statusClass(nodeStatus(o) === 'Ready' ? 'Ready' : 'NotReady') },
        {
          id: 'pressure',
          label: 'Conditions',
          width: 'minmax(160px, 2fr)',
          text: (o) =>
            asList(statusOf(o).conditions)
              .filter((c) => c.type !== 'Ready' && c.status === 'True')
              .map((c) => str(c.type))
              .join(', ') || 'no pressure',
        },
        { id: 'cpu', label: 'CPU', width: '60px', text: (o) => str(asObj(statusOf(o).capacity).cpu) },
        { id: 'memory', label: 'Memory', width: '100px', text: (o) => str(asObj(statusOf(o).capacity).memory) },
        { id: 'version', label: 'Version', width: '90px', text: (o) => str(asObj(statusOf(o).nodeInfo).kubeletVersion) },
        age(now),
      ];
    case 'horizontalpodautoscalers':
      return [
        ...n,
        { id: 'target', label: 'Reference', width: 'minmax(140px, 1.5fr)', text: (o) => `${str(asObj(specOf(o).scaleTargetRef).kind)}/${str(asObj(specOf(o).scaleTargetRef).name)}` },
        { id: 'current', label: 'Current', width: '70px', text: (o) => String(num(statusOf(o).currentReplicas)) },
        { id: 'desired', label: 'Desired', width: '70px', text: (o) => String(num(statusOf(o).desiredReplicas)) },
        { id: 'min', label: 'Min', width: '50px', text: (o) => String(specOf(o).minReplicas ?? 1) },
        { id: 'max', label: 'Max', width: '50px', text: (o) => String(num(specOf(o).maxReplicas)) },
        { id: 'metrics', label: 'Metrics', width: 'minmax(140px, 2fr)', text: hpaMetrics },
        age(now),
      ];
    case 'services':
      return [
        ...n,
        { id: 'type', label: 'Type', width: '100px', text: (o) => str(specOf(o).type, 'ClusterIP') },
        { id: 'clusterIP', label: 'Cluster IP', width: '120px', text: (o) => str(specOf(o).clusterIP) },
        { id: 'ports', label: 'Ports', width: 'minmax(120px, 2fr)', text: (o) => asList(specOf(o).ports).map((p) => `${str(p.port)}/${str(p.protocol, 'TCP')}`).join(',') },
        age(now),
      ];
    case 'persistentvolumeclaims':
      return [
        ...n,
        { id: 'status', label: 'Status', width: '80px', text: (o) => str(statusOf(o).phase), className: (o) => statusClass(str(statusOf(o).phase)) },
        { id: 'volume', label: 'Volume', width: 'minmax(140px, 2fr)', text: (o) => str(specOf(o).volumeName) },
        { id: 'capacity', label: 'Capacity', width: '90px', text: (o) => str(asObj(statusOf(o).capacity).storage) },
        { id: 'class', label: 'Storage class', width: '110px', text: (o) => str(specOf(o).storageClassName) },
        age(now),
      ];
    case 'persistentvolumes':
      return [
        ...n,
        { id: 'capacity', label: 'Capacity', width: '90px', text: (o) => str(asObj(specOf(o).capacity).storage) },
        { id: 'status', label: 'Status', width: '80px', text: (o) => str(statusOf(o).phase), className: (o) => statusClass(str(statusOf(o).phase) === 'Bound' ? 'Bound' : 'Lost') },
        { id: 'claim', label: 'Claim', width: 'minmax(160px, 2fr)', text: (o) => (asObj(specOf(o).claimRef).name ? `${str(asObj(specOf(o).claimRef).namespace)}/${str(asObj(specOf(o).claimRef).name)}` : '') },
        { id: 'reclaim', label: 'Reclaim', width: '80px', text: (o) => str(specOf(o).persistentVolumeReclaimPolicy) },
        age(now),
      ];
    default:
      return [...n, age(now)];
  }
}

/** Whether a CronJob (the daily `backup-job`) was scheduled since local midnight. */
export function ranToday(cronJob: KubeObject, now: number): boolean {
  const at = Date.parse(str(statusOf(cronJob).lastScheduleTime));
  if (Number.isNaN(at)) return false;
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  return at >= midnight.getTime();
}

function hpaMetrics(hpa: KubeObject): string {
  const current = asList(statusOf(hpa).currentMetrics);
  return asList(specOf(hpa).metrics)
    .map((metric) => {
      const resource = asObj(metric.resource);
      const target = asObj(resource.target);
      const now = asObj(asObj(current.find((c) => asObj(c.resource).name === resource.name)?.resource).current);
      return `${str(resource.name, str(metric.type))}: ${now.averageUtilization !== undefined ? `${str(now.averageUtilization)}%` : '<unknown>'}/${str(target.averageUtilization ?? target.averageValue, '?')}${target.averageUtilization !== undefined ? '%' : ''}`;
    })
    .join(', ');
}

/** Why a Progressing/Available condition matters, for the drawer. */
export function conditionText(object: KubeObject, type: string): string {
  const c = conditionOf(object, type);
  return c ? `${str(c.status)}${c.reason ? ` (${str(c.reason)})` : ''}` : '';
}
