/**
 * `meta.k8s.io/v1` Table responses: the columns `kubectl get` prints per kind, computed the way
 * the real API server's printers compute them (k8s.io/kubernetes/pkg/printers/internalversion).
 */
import type { KubeObject } from './types';
import { formatLabelSelector, type LabelSelectorObject } from './selectors';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableRow {
  cells: unknown[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumn[];
  rows: TableRow[];
}

type Cell = string | number | boolean;
type Printer = { columns: TableColumn[]; cells: (object: KubeObject, now: number) => Cell[] };

function column(name: string, type: TableColumn['type'] = 'string', priority = 0, format = ''): TableColumn {
  return { name, type, format, description: name, priority };
}

const NAME = column('Name', 'string', 0, 'name');
const AGE = column('Age');

/** Go's `duration.HumanDuration`, which the server uses for AGE cells. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(seconds / 3600);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    const years = Math.floor(hours / 24 / 365);
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** `5m`, or `<unknown>` when the timestamp is missing: the server's translateTimestampSince. */
export function ageOf(timestamp: string | undefined, now: number): string {
  if (!timestamp) return '<unknown>';
  const at = Date.parse(timestamp);
  return Number.isNaN(at) ? '<unknown>' : humanDuration(now - at);
}

const age = (object: KubeObject, now: number) => ageOf(object.metadata.creationTimestamp, now);

type Obj = Record<string, unknown>;
const asObj = (value: unknown): Obj => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {});
const asList = (value: unknown): Obj[] => (Array.isArray(value) ? (value as Obj[]) : []);
const str = (value: unknown, fallback = ''): string => (value === undefined || value === null ? fallback : String(value));
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const spec = (object: KubeObject) => asObj(object.spec);
const status = (object: KubeObject) => asObj(object.status);

function podTemplateContainers(object: KubeObject): Obj[] {
  return asList(asObj(asObj(spec(object).template).spec).containers);
}

function containerNames(object: KubeObject): string {
  return podTemplateContainers(object).map((c) => str(c.name)).join(',');
}

function containerImages(object: KubeObject): string {
  return podTemplateContainers(object).map((c) => str(c.image)).join(',');
}

function podStatusReason(pod: KubeObject): string {
  const podStatus = status(pod);
  let reason = str(podStatus.phase);
  if (podStatus.reason) reason = str(podStatus.reason);
  let initializing = false;
  const initStatuses = asList(podStatus.initContainerStatuses);
  initStatuses.forEach((container, i) => {
    const state = asObj(container.state);
    const terminated = asObj(state.terminated);
    const waiting = asObj(state.waiting);
    if (state.terminated && num(terminated.exitCode) === 0) return;
    if (state.terminated) {
      reason = terminated.reason ? `Init:${str(terminated.reason)}` : `Init:ExitCode:${num(terminated.exitCode)}`;
    } else if (state.waiting && waiting.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initStatuses.length}`;
    }
    initializing = true;
  });
  if (!initializing) {
    let hasRunning = false;
    for (const container of [...asList(podStatus.containerStatuses)].reverse()) {
      const state = asObj(container.state);
      const waiting = asObj(state.waiting);
      const terminated = asObj(state.terminated);
      if (state.waiting && waiting.reason) {
        reason = str(waiting.reason);
      } else if (state.terminated && terminated.reason) {
        reason = str(terminated.reason);
      } else if (state.terminated) {
        reason = terminated.signal ? `Signal:${str(terminated.signal)}` : `ExitCode:${num(terminated.exitCode)}`;
      } else if (container.ready && state.running) {
        hasRunning = true;
      }
    }
    const readyCondition = asList(podStatus.conditions).some((c) => c.type === 'Ready' && c.status === 'True');
    if (reason === 'Completed' && hasRunning) reason = readyCondition ? 'Running' : 'NotReady';
  }
  if (pod.metadata.deletionTimestamp) reason = podStatus.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

function podRestarts(pod: KubeObject, now: number): string {
  let restarts = 0;
  let lastRestart = 0;
  for (const container of asList(status(pod).containerStatuses)) {
    restarts += num(container.restartCount);
    const finishedAt = str(asObj(asObj(container.lastState).terminated).finishedAt);
    if (finishedAt) lastRestart = Math.max(lastRestart, Date.parse(finishedAt));
  }
  return restarts > 0 && lastRestart > 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
}

const ACCESS_MODES: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

function accessModes(modes: unknown): string {
  return asList(modes).map((m) => ACCESS_MODES[str(m)] ?? str(m)).join(',');
}

function servicePorts(service: KubeObject): string {
  const ports = asList(spec(service).ports).map((p) => {
    const base = `${str(p.port)}${p.nodePort ? `:${str(p.nodePort)}` : ''}/${str(p.protocol, 'TCP')}`;
    return base;
  });
  return ports.length > 0 ? ports.join(',') : '<none>';
}

function serviceExternalIp(service: KubeObject): string {
  const s = spec(service);
  const type = str(s.type, 'ClusterIP');
  const ingress = asList(asObj(status(service).loadBalancer).ingress).map((i) => str(i.ip || i.hostname));
  const external = (s.externalIPs as string[] | undefined) ?? [];
  if (type === 'ExternalName') return str(s.externalName);
  if (type === 'LoadBalancer') {
    const all = [...ingress, ...external];
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  return external.length > 0 ? external.join(',') : '<none>';
}

function nodeStatus(node: KubeObject): string {
  const ready = asList(status(node).conditions).find((c) => c.type === 'Ready');
  const states = [ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown'];
  if (spec(node).unschedulable) states.push('SchedulingDisabled');
  return states.join(',');
}

function nodeRoles(node: KubeObject): string {
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((label) => label.startsWith('node-role.kubernetes.io/'))
    .map((label) => label.slice('node-role.kubernetes.io/'.length))
    .filter((role) => role !== '');
  const kubernetesRole = node.metadata.labels?.['kubernetes.io/role'];
  if (kubernetesRole) roles.push(kubernetesRole);
  return roles.length > 0 ? roles.sort().join(',') : '<none>';
}

function nodeAddress(node: KubeObject, type: string): string {
  return str(asList(status(node).addresses).find((a) => a.type === type)?.address, '<none>');
}

function jobStatus(job: KubeObject): string {
  const conditions = asList(status(job).conditions).filter((c) => c.status === 'True');
  if (conditions.some((c) => c.type === 'Complete')) return 'Complete';
  if (conditions.some((c) => c.type === 'Failed')) return 'Failed';
  if (conditions.some((c) => c.type === 'FailureTarget')) return 'FailureTarget';
  if (conditions.some((c) => c.type === 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (spec(job).suspend) return 'Suspended';
  return 'Running';
}

function jobDuration(job: KubeObject, now: number): string {
  const s = status(job);
  if (!s.startTime) return '';
  const start = Date.parse(str(s.startTime));
  const end = s.completionTime ? Date.parse(str(s.completionTime)) : now;
  return humanDuration(end - start);
}

function jobCompletions(job: KubeObject): string {
  const completions = spec(job).completions;
  const succeeded = num(status(job).succeeded);
  if (typeof completions === 'number') return `${succeeded}/${completions}`;
  const parallelism = num(spec(job).parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function hpaTargets(hpa: KubeObject): string {
  const current = asList(status(hpa).currentMetrics);
  const targets = asList(spec(hpa).metrics).map((metric, i) => {
    if (metric.type !== 'Resource') return `${str(metric.type).toLowerCase()}: <unknown>`;
    const resource = asObj(metric.resource);
    const target = asObj(resource.target);
    const name = str(resource.name);
    const currentResource = asObj(
      asList(current).find((c, j) => c.type === 'Resource' && (asObj(c.resource).name === name || j === i))?.resource,
    );
    const currentValue = asObj(currentResource.current);
    if (target.averageUtilization !== undefined) {
      const now = currentValue.averageUtilization !== undefined ? `${str(currentValue.averageUtilization)}%` : '<unknown>';
      return `${name}: ${now}/${str(target.averageUtilization)}%`;
    }
    const now = str(currentValue.averageValue, '<unknown>');
    return `${name}: ${now}/${str(target.averageValue ?? target.value)}`;
  });
  return targets.length > 0 ? targets.join(', ') : '<none>';
}

function eventObject(event: KubeObject): string {
  const involved = asObj(event.involvedObject ?? event.regarding);
  return `${str(involved.kind).toLowerCase()}/${str(involved.name)}`;
}

function eventLastSeen(event: KubeObject, now: number): string {
  const last = str(event.lastTimestamp || event.eventTime || asObj(event.series).lastObservedTime || event.metadata.creationTimestamp);
  return ageOf(last, now);
}

function condition(object: KubeObject, type: string): Obj | undefined {
  return asList(status(object).conditions).find((c) => c.type === type);
}

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      NAME,
      column('Ready'),
      column('Status'),
      column('Restarts'),
      AGE,
      column('IP', 'string', 1),
      column('Node', 'string', 1),
      column('Nominated Node', 'string', 1),
      column('Readiness Gates', 'string', 1),
    ],
    cells: (pod, now) => {
      const statuses = asList(status(pod).containerStatuses);
      const total = asList(spec(pod).containers).length;
      const ready = statuses.filter((c) => c.ready === true).length;
      const gates = asList(spec(pod).readinessGates);
      return [
        pod.metadata.name,
        `${ready}/${total}`,
        podStatusReason(pod),
        podRestarts(pod, now),
        age(pod, now),
        str(status(pod).podIP, '<none>'),
        str(spec(pod).nodeName, '<none>'),
        str(status(pod).nominatedNodeName, '<none>'),
        gates.length > 0 ? `0/${gates.length}` : '<none>',
      ];
    },
  },
  Deployment: {
    columns: [NAME, column('Ready'), column('Up-to-date', 'integer'), column('Available', 'integer'), AGE, column('Containers', 'string', 1), column('Images', 'string', 1), column('Selector', 'string', 1)],
    cells: (d, now) => [
      d.metadata.name,
      `${num(status(d).readyReplicas)}/${num(spec(d).replicas ?? 1)}`,
      num(status(d).updatedReplicas),
      num(status(d).availableReplicas),
      age(d, now),
      containerNames(d),
      containerImages(d),
      formatLabelSelector(spec(d).selector as LabelSelectorObject),
    ],
  },
  ReplicaSet: {
    columns: [NAME, column('Desired', 'integer'), column('Current', 'integer'), column('Ready', 'integer'), AGE, column('Containers', 'string', 1), column('Images', 'string', 1), column('Selector', 'string', 1)],
    cells: (rs, now) => [
      rs.metadata.name,
      num(spec(rs).replicas ?? 1),
      num(status(rs).replicas),
      num(status(rs).readyReplicas),
      age(rs, now),
      containerNames(rs),
      containerImages(rs),
      formatLabelSelector(spec(rs).selector as LabelSelectorObject),
    ],
  },
  StatefulSet: {
    columns: [NAME, column('Ready'), AGE, column('Containers', 'string', 1), column('Images', 'string', 1)],
    cells: (sts, now) => [
      sts.metadata.name,
      `${num(status(sts).readyReplicas)}/${num(spec(sts).replicas ?? 1)}`,
      age(sts, now),
      containerNames(sts),
      containerImages(sts),
    ],
  },
  Job: {
    columns: [NAME, column('Status'), column('Completions'), column('Duration'), AGE, column('Containers', 'string', 1), column('Images', 'string', 1), column('Selector', 'string', 1)],
    cells: (job, now) => [
      job.metadata.name,
      jobStatus(job),
      jobCompletions(job),
      jobDuration(job, now),
      age(job, now),
      containerNames(job),
      containerImages(job),
      formatLabelSelector(spec(job).selector as LabelSelectorObject),
    ],
  },
  CronJob: {
    columns: [NAME, column('Schedule'), column('Timezone'), column('Suspend', 'boolean'), column('Active', 'integer'), column('Last Schedule'), AGE, column('Containers', 'string', 1), column('Images', 'string', 1), column('Selector', 'string', 1)],
    cells: (cj, now) => {
      const jobTemplateSpec = asObj(asObj(spec(cj).jobTemplate).spec);
      const containers = asList(asObj(asObj(jobTemplateSpec.template).spec).containers);
      return [
        cj.metadata.name,
        str(spec(cj).schedule),
        str(spec(cj).timeZone, '<none>'),
        Boolean(spec(cj).suspend),
        asList(status(cj).active).length,
        status(cj).lastScheduleTime ? ageOf(str(status(cj).lastScheduleTime), now) : '<none>',
        age(cj, now),
        containers.map((c) => str(c.name)).join(','),
        containers.map((c) => str(c.image)).join(','),
        formatLabelSelector(jobTemplateSpec.selector as LabelSelectorObject),
      ];
    },
  },
  Service: {
    columns: [NAME, column('Type'), column('Cluster-IP'), column('External-IP'), column('Port(s)'), AGE, column('Selector', 'string', 1)],
    cells: (svc, now) => [
      svc.metadata.name,
      str(spec(svc).type, 'ClusterIP'),
      str(spec(svc).clusterIP, '<none>'),
      serviceExternalIp(svc),
      servicePorts(svc),
      age(svc, now),
      spec(svc).selector
        ? Object.entries(asObj(spec(svc).selector)).map(([k, v]) => `${k}=${str(v)}`).join(',')
        : '<none>',
    ],
  },
  Endpoints: {
    columns: [NAME, column('Endpoints'), AGE],
    cells: (ep, now) => {
      const endpoints = asList(ep.subsets).flatMap((subset) =>
        asList(subset.addresses).flatMap((a) => asList(subset.ports).map((p) => `${str(a.ip)}:${str(p.port)}`)),
      );
      return [ep.metadata.name, endpoints.length > 0 ? endpoints.slice(0, 3).join(',') + (endpoints.length > 3 ? ` + ${endpoints.length - 3} more...` : '') : '<none>', age(ep, now)];
    },
  },
  EndpointSlice: {
    columns: [NAME, column('AddressType'), column('Ports'), column('Endpoints'), AGE],
    cells: (slice, now) => {
      const addresses = asList(slice.endpoints).flatMap((e) => asList(e.addresses).map((a) => str(a)));
      const ports = asList(slice.ports).map((p) => str(p.port));
      return [
        slice.metadata.name,
        str(slice.addressType, 'IPv4'),
        ports.length > 0 ? ports.join(',') : '<unset>',
        addresses.length > 0 ? addresses.slice(0, 3).join(',') + (addresses.length > 3 ? ` + ${addresses.length - 3} more...` : '') : '<unset>',
        age(slice, now),
      ];
    },
  },
  Secret: {
    columns: [NAME, column('Type'), column('Data', 'integer'), AGE],
    cells: (secret, now) => [
      secret.metadata.name,
      str(secret.type, 'Opaque'),
      Object.keys(asObj(secret.data)).length + Object.keys(asObj(secret.stringData)).length,
      age(secret, now),
    ],
  },
  ConfigMap: {
    columns: [NAME, column('Data', 'integer'), AGE],
    cells: (cm, now) => [cm.metadata.name, Object.keys(asObj(cm.data)).length + Object.keys(asObj(cm.binaryData)).length, age(cm, now)],
  },
  Namespace: {
    columns: [NAME, column('Status'), AGE],
    cells: (ns, now) => [ns.metadata.name, str(status(ns).phase, 'Active'), age(ns, now)],
  },
  Node: {
    columns: [
      NAME,
      column('Status'),
      column('Roles'),
      AGE,
      column('Version'),
      column('Internal-IP', 'string', 1),
      column('External-IP', 'string', 1),
      column('OS-Image', 'string', 1),
      column('Kernel-Version', 'string', 1),
      column('Container-Runtime', 'string', 1),
    ],
    cells: (node, now) => {
      const info = asObj(status(node).nodeInfo);
      return [
        node.metadata.name,
        nodeStatus(node),
        nodeRoles(node),
        age(node, now),
        str(info.kubeletVersion),
        nodeAddress(node, 'InternalIP'),
        nodeAddress(node, 'ExternalIP'),
        str(info.osImage, '<unknown>'),
        str(info.kernelVersion, '<unknown>'),
        str(info.containerRuntimeVersion, '<unknown>'),
      ];
    },
  },
  Event: {
    columns: [
      column('Last Seen'),
      column('Type'),
      column('Reason'),
      column('Object'),
      column('Subobject', 'string', 1),
      column('Source', 'string', 1),
      column('Message'),
      column('First Seen', 'string', 1),
      column('Count', 'string', 1),
      { ...NAME, priority: 1 },
    ],
    cells: (event, now) => {
      const source = asObj(event.source);
      return [
        eventLastSeen(event, now),
        str(event.type),
        str(event.reason),
        eventObject(event),
        str(asObj(event.involvedObject).fieldPath),
        [str(source.component), str(source.host)].filter((s) => s).join(', '),
        str(event.message).trim(),
        ageOf(str(event.firstTimestamp || event.eventTime || event.metadata.creationTimestamp), now),
        str(event.count ?? 1),
        event.metadata.name,
      ];
    },
  },
  PersistentVolume: {
    columns: [
      NAME,
      column('Capacity'),
      column('Access Modes'),
      column('Reclaim Policy'),
      column('Status'),
      column('Claim'),
      column('StorageClass'),
      column('VolumeAttributesClass'),
      column('Reason'),
      AGE,
      column('VolumeMode', 'string', 1),
    ],
    cells: (pv, now) => {
      const claim = asObj(spec(pv).claimRef);
      return [
        pv.metadata.name,
        str(asObj(spec(pv).capacity).storage),
        accessModes(spec(pv).accessModes),
        str(spec(pv).persistentVolumeReclaimPolicy),
        str(status(pv).phase),
        claim.name ? `${str(claim.namespace)}/${str(claim.name)}` : '',
        str(spec(pv).storageClassName),
        str(spec(pv).volumeAttributesClassName, '<unset>'),
        str(status(pv).reason),
        age(pv, now),
        str(spec(pv).volumeMode, 'Filesystem'),
      ];
    },
  },
  PersistentVolumeClaim: {
    columns: [
      NAME,
      column('Status'),
      column('Volume'),
      column('Capacity'),
      column('Access Modes'),
      column('StorageClass'),
      column('VolumeAttributesClass'),
      AGE,
      column('VolumeMode', 'string', 1),
    ],
    cells: (pvc, now) => {
      const bound = status(pvc).phase === 'Bound';
      return [
        pvc.metadata.name,
        str(status(pvc).phase),
        str(spec(pvc).volumeName),
        bound ? str(asObj(status(pvc).capacity).storage) : '',
        bound ? accessModes(status(pvc).accessModes) : '',
        str(spec(pvc).storageClassName),
        str(spec(pvc).volumeAttributesClassName, '<unset>'),
        age(pvc, now),
        str(spec(pvc).volumeMode, 'Filesystem'),
      ];
    },
  },
  ServiceAccount: {
    columns: [NAME, column('Secrets', 'integer'), AGE],
    cells: (sa, now) => [sa.metadata.name, asList(sa.secrets).length, age(sa, now)],
  },
  HorizontalPodAutoscaler: {
    columns: [NAME, column('Reference'), column('Targets'), column('MinPods', 'integer'), column('MaxPods', 'integer'), column('Replicas', 'integer'), AGE],
    cells: (hpa, now) => {
      const ref = asObj(spec(hpa).scaleTargetRef);
      const targets =
        spec(hpa).metrics !== undefined
          ? hpaTargets(hpa)
          : spec(hpa).targetCPUUtilizationPercentage !== undefined
            ? `cpu: ${status(hpa).currentCPUUtilizationPercentage !== undefined ? `${str(status(hpa).currentCPUUtilizationPercentage)}%` : '<unknown>'}/${str(spec(hpa).targetCPUUtilizationPercentage)}%`
            : '<none>';
      return [
        hpa.metadata.name,
        `${str(ref.kind)}/${str(ref.name)}`,
        targets,
        str(spec(hpa).minReplicas ?? 1),
        num(spec(hpa).maxReplicas),
        num(status(hpa).currentReplicas),
        age(hpa, now),
      ];
    },
  },
  PodDisruptionBudget: {
    columns: [NAME, column('Min Available'), column('Max Unavailable'), column('Allowed Disruptions', 'integer'), AGE],
    cells: (pdb, now) => [
      pdb.metadata.name,
      str(spec(pdb).minAvailable, 'N/A'),
      str(spec(pdb).maxUnavailable, 'N/A'),
      num(status(pdb).disruptionsAllowed),
      age(pdb, now),
    ],
  },
  Certificate: {
    columns: [NAME, column('Ready'), column('Secret'), column('Issuer', 'string', 1), column('Status', 'string', 1), AGE],
    cells: (cert, now) => {
      const ready = condition(cert, 'Ready');
      return [
        cert.metadata.name,
        str(ready?.status),
        str(spec(cert).secretName),
        str(asObj(spec(cert).issuerRef).name),
        str(ready?.message),
        age(cert, now),
      ];
    },
  },
  CustomResourceDefinition: {
    columns: [NAME, column('Created At', 'date')],
    cells: (crd) => [crd.metadata.name, str(crd.metadata.creationTimestamp)],
  },
};

const DEFAULT_PRINTER: Printer = {
  columns: [NAME, { ...AGE, name: 'Created At', type: 'date' }],
  cells: (object) => [object.metadata.name, str(object.metadata.creationTimestamp)],
};

/** The column definitions of a kind's table. */
export function tableColumns(kind: string): TableColumn[] {
  return (PRINTERS[kind] ?? DEFAULT_PRINTER).columns;
}

/** What a row carries besides its cells, per `includeObject` (default Metadata, as the server does). */
function rowObject(object: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

/** One table row for an object. */
export function tableRow(object: KubeObject, now: number, include: IncludeObject = 'Metadata'): TableRow {
  const cells = (PRINTERS[object.kind] ?? DEFAULT_PRINTER).cells(object, now);
  const row: TableRow = { cells };
  const carried = rowObject(object, include);
  if (carried !== undefined) row.object = carried;
  return row;
}

/** Builds the Table for a list of objects of one kind. */
export function buildTable(
  kind: string,
  objects: readonly KubeObject[],
  now: number,
  options: { include?: IncludeObject; resourceVersion?: string; continue?: string; remainingItemCount?: number; columns?: boolean } = {},
): Table {
  const metadata: Table['metadata'] = {};
  if (options.resourceVersion !== undefined) metadata.resourceVersion = options.resourceVersion;
  if (options.continue) metadata.continue = options.continue;
  if (options.remainingItemCount !== undefined) metadata.remainingItemCount = options.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: options.columns === false ? [] : tableColumns(kind),
    rows: objects.map((object) => tableRow(object, now, options.include)),
  };
}
