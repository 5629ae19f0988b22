/**
 * The `codesign-production` world as the drill cluster starts it: namespaces, nodes, the
 * codesign-api and celery-worker Deployments with their revision history, postgres and redis
 * StatefulSets with their volumes, services, secrets, the nightly backup, the HPA, and the
 * cert-manager Certificate. Pods start out running for a while already.
 */
import { randomBytes } from 'node:crypto';
import { certificateCrd } from '../crds';
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject, ObjectStore } from '../types';
import { API_APP, API_NAMESPACE } from './app-model';
import { issuedStatus, tlsSecretData } from './certificate-controller';
import { REVISION_ANNOTATION } from './deployment-controller';
import { COMPLETES_AFTER_ANNOTATION, jobPodLabels } from './job-controllers';
import { podTemplateHash, POD_TEMPLATE_HASH_LABEL, randomNameSuffix, rfc3339, utcDateStamp } from './object-names';
import type { NodeSlot } from './pod-lifecycle';
import { controllerRef, podFromTemplate, type ContainerSpec, type PodTemplate } from './workloads';
import { POSTGRES_BACKEND_ANNOTATION, postgresBackendLabel, postgresClientImage, postgresImage } from './versions';

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
export const API_IMAGE = 'codesign-playground:v2.0.3';
export const NAMESPACES = [API_NAMESPACE, 'kube-system', 'monitoring', 'cert-manager', 'default'];
const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/** The simulated machines: 4 cores, 16 GiB, 110 pods each. */
export const NODE_SLOTS: NodeSlot[] = [1, 2, 3].map((i) => ({
  name: `drill-node-${i}`,
  internalIP: `10.0.1.${10 + i}`,
  podCidrPrefix: `10.244.${i}`,
}));

interface SeedContext {
  store: ObjectStore;
  now: number;
  clockNow: () => number;
  nextPod: Map<string, number>;
}

/** A store that can stamp creationTimestamp from a clock of our choosing (MemoryObjectStore can). */
interface BackdatingStore {
  useClock(now: () => number): void;
}

function canBackdate(store: ObjectStore): store is ObjectStore & BackdatingStore {
  return typeof (store as Partial<BackdatingStore>).useClock === 'function';
}

/** Creates `object` unless it exists; `ageMs` back-dates its creationTimestamp where the store allows. */
function create(ctx: SeedContext, resource: string, object: KubeObject, ageMs = 30 * DAY): KubeObject {
  const existing = ctx.store.get(resource, object.metadata.namespace, object.metadata.name);
  if (existing) return existing;
  const store = ctx.store;
  if (!canBackdate(store)) return store.create(resource, object);
  const createdAt = ctx.now - ageMs;
  store.useClock(() => createdAt);
  try {
    return store.create(resource, object);
  } finally {
    store.useClock(ctx.clockNow);
  }
}

function secretValue(bytes: number): string {
  return Buffer.from(randomBytes(bytes).toString('base64')).toString('base64');
}

/** The codesign-api container of a given image, the way the team deploys it. */
export function apiContainer(image: string, extraEnv: Array<{ name: string; value: string }> = []): ContainerSpec {
  return {
    name: API_APP,
    image,
    ports: [
      { containerPort: 8000, name: 'http', protocol: 'TCP' },
      { containerPort: 9090, name: 'metrics', protocol: 'TCP' },
    ],
    env: [
      { name: 'ENVIRONMENT', value: 'production' },
      { name: 'LOG_LEVEL', value: 'INFO' },
      { name: 'DATABASE_HOST', value: 'postgres' },
      { name: 'DATABASE_NAME', value: 'codesign_db' },
      { name: 'DATABASE_USER', value: 'codesign' },
      { name: 'DB_POOL_SIZE', value: '10' },
      { name: 'DB_MAX_OVERFLOW', value: '20' },
      { name: 'DB_POOL_TIMEOUT', value: '30' },
      { name: 'REDIS_HOST', value: 'redis' },
      { name: 'CACHE_SIZE_MB', value: '256' },
      { name: 'MAX_WORKERS', value: '8' },
      { name: 'CIRCUIT_BREAKER_ENABLED', value: 'false' },
      { name: 'RATE_LIMITING_ENABLED', value: 'false' },
      { name: 'MEMORY_MONITORING_ENABLED', value: 'false' },
      { name: 'MAINTENANCE_MODE', value: 'false' },
      ...extraEnv,
      { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'codesign-secrets', key: 'postgres-password' } } },
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'codesign-secrets', key: 'redis-password' } } },
      { name: 'SECRET_KEY', valueFrom: { secretKeyRef: { name: 'codesign-secrets', key: 'secret-key' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    ],
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
    readinessProbe: {
      httpGet: { path: '/health/ready', port: 8000, scheme: 'HTTP' },
      initialDelaySeconds: 5,
      periodSeconds: 10,
      timeoutSeconds: 2,
      successThreshold: 1,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: '/health/live', port: 8000, scheme: 'HTTP' },
      initialDelaySeconds: 15,
      periodSeconds: 20,
      timeoutSeconds: 2,
      successThreshold: 1,
      failureThreshold: 3,
    },
  };
}

function template(labels: Record<string, string>, containers: ContainerSpec[], extra: Record<string, unknown> = {}): PodTemplate {
  return { metadata: { labels }, spec: { containers, ...extra } };
}

/** Status of a pod whose containers have been running since `startedAt`. */
function runningStatus(pod: KubeObject, node: NodeSlot, podIP: string, startedAt: number, ready = true): Record<string, unknown> {
  const containers = (pod.spec as { containers: ContainerSpec[] }).containers;
  const since = rfc3339(startedAt);
  const cond = (type: string, status = 'True'): Record<string, unknown> => ({ type, status, lastProbeTime: null, lastTransitionTime: since });
  return {
    phase: 'Running',
    conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready', ready ? 'True' : 'False'), cond('ContainersReady', ready ? 'True' : 'False'), cond('PodScheduled')],
    hostIP: node.internalIP,
    hostIPs: [{ ip: node.internalIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: since,
    containerStatuses: containers.map((c) => ({
      name: c.name,
      state: { running: { startedAt: since } },
      lastState: {},
      ready,
      restartCount: 0,
      image: c.image,
      imageID: '',
      containerID: `containerd://${randomBytes(32).toString('hex')}`,
      started: true,
    })),
    qosClass: (pod.status as { qosClass?: string }).qosClass ?? 'Burstable',
  };
}

function placePod(ctx: SeedContext, pod: KubeObject, index: number, startedAt: number): KubeObject {
  const node = NODE_SLOTS[index % NODE_SLOTS.length] as NodeSlot;
  const n = (ctx.nextPod.get(node.name) ?? 20) + 1;
  ctx.nextPod.set(node.name, n);
  (pod.spec as Record<string, unknown>).nodeName = node.name;
  pod.status = runningStatus(pod, node, `${node.podCidrPrefix}.${n}`, startedAt);
  return pod;
}

interface RevisionSeed {
  template: PodTemplate;
  changeCause: string;
  ageMs: number;
}

interface DeploymentSeed {
  namespace: string;
  name: string;
  replicas: number;
  selector: Record<string, string>;
  revisions: RevisionSeed[];
  labels?: Record<string, string>;
  progressDeadlineSeconds?: number;
}

function seedDeployment(ctx: SeedContext, seed: DeploymentSeed, nodeOffset: number): void {
  const current = seed.revisions[seed.revisions.length - 1] as RevisionSeed;
  const deployment = create(ctx, RESOURCE_KEYS.deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: seed.name,
      namespace: seed.namespace,
      labels: seed.labels ?? seed.selector,
      annotations: { [REVISION_ANNOTATION]: String(seed.revisions.length), [CHANGE_CAUSE]: current.changeCause },
    },
    spec: {
      replicas: seed.replicas,
      selector: { matchLabels: seed.selector },
      template: current.template,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: seed.progressDeadlineSeconds ?? 600,
      minReadySeconds: 0,
    },
  }, (seed.revisions[0] as RevisionSeed).ageMs);
  seed.revisions.forEach((revision, i) => {
    const isCurrent = i === seed.revisions.length - 1;
    const hash = podTemplateHash(revision.template);
    const rsTemplate = structuredClone(revision.template);
    rsTemplate.metadata = { ...(rsTemplate.metadata ?? {}), labels: { ...(rsTemplate.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const replicas = isCurrent ? seed.replicas : 0;
    const rs = create(ctx, RESOURCE_KEYS.replicasets, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${seed.name}-${hash}`,
        namespace: seed.namespace,
        labels: { ...(revision.template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash },
        annotations: {
          [REVISION_ANNOTATION]: String(i + 1),
          [CHANGE_CAUSE]: revision.changeCause,
          'deployment.kubernetes.io/desired-replicas': String(seed.replicas),
          'deployment.kubernetes.io/max-replicas': String(seed.replicas + Math.ceil(seed.replicas / 4)),
        },
        ownerReferences: [controllerRef(deployment)],
      },
      spec: { replicas, minReadySeconds: 0, selector: { matchLabels: { ...seed.selector, [POD_TEMPLATE_HASH_LABEL]: hash } }, template: rsTemplate },
      status: { replicas: 0, observedGeneration: 1 },
    }, revision.ageMs);
    if (!isCurrent) return;
    for (let p = 0; p < replicas; p++) {
      const pod = podFromTemplate(rsTemplate, { name: `${rs.metadata.name}-${randomNameSuffix()}`, namespace: seed.namespace, owner: rs });
      const age = revision.ageMs - 5_000 - p * 35_000;
      create(ctx, RESOURCE_KEYS.pods, placePod(ctx, pod, nodeOffset + p, ctx.now - age + 4_000), age);
    }
  });
}

interface StatefulSetSeed {
  name: string;
  image: string;
  port: number;
  portName: string;
  env: ContainerSpec['env'];
  storage: string;
  resources: ContainerSpec['resources'];
  command?: string[];
  nodeIndex: number;
  /** On the pod template, so every postgres-0 the controller makes carries them. */
  podAnnotations?: Record<string, string>;
}

function seedStatefulSet(ctx: SeedContext, seed: StatefulSetSeed): void {
  const labels = { app: seed.name };
  const claimTemplate: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data' },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: seed.storage } } },
  };
  const podTemplate = template(labels, [
    {
      name: seed.name,
      image: seed.image,
      ...(seed.command ? { command: seed.command } : {}),
      ports: [{ containerPort: seed.port, name: seed.portName, protocol: 'TCP' }],
      env: seed.env,
      resources: seed.resources,
      readinessProbe: { exec: { command: seed.name === 'postgres' ? ['pg_isready', '-U', 'codesign'] : ['redis-cli', 'ping'] }, initialDelaySeconds: 5, periodSeconds: 10 },
      volumeMounts: [{ name: 'data', mountPath: seed.name === 'postgres' ? '/var/lib/postgresql/data' : '/data' }],
    },
  ]);
  if (seed.podAnnotations) podTemplate.metadata = { ...podTemplate.metadata, annotations: { ...seed.podAnnotations } };
  const sts = create(ctx, RESOURCE_KEYS.statefulsets, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: seed.name, namespace: API_NAMESPACE, labels },
    spec: {
      replicas: 1,
      serviceName: seed.name,
      selector: { matchLabels: labels },
      template: podTemplate,
      volumeClaimTemplates: [claimTemplate],
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      revisionHistoryLimit: 10,
    },
  });
  const podName = `${seed.name}-0`;
  const claimName = `data-${podName}`;
  seedBoundClaim(ctx, API_NAMESPACE, claimName, seed.storage, labels, 30 * DAY);
  const revision = `${seed.name}-${podTemplateHash(podTemplate)}`;
  const podTpl = structuredClone(podTemplate);
  (podTpl.spec as Record<string, unknown>).volumes = [{ name: 'data', persistentVolumeClaim: { claimName } }];
  (podTpl.spec as Record<string, unknown>).hostname = podName;
  (podTpl.spec as Record<string, unknown>).subdomain = seed.name;
  const pod = podFromTemplate(podTpl, {
    name: podName,
    namespace: API_NAMESPACE,
    owner: sts,
    labels: { 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': '0', 'controller-revision-hash': revision },
  });
  const podAge = 9 * DAY + 3 * HOUR;
  create(ctx, RESOURCE_KEYS.pods, placePod(ctx, pod, seed.nodeIndex, ctx.now - podAge + 4_000), podAge);
}

function seedBoundClaim(ctx: SeedContext, namespace: string, name: string, size: string, labels: Record<string, string>, ageMs: number): void {
  const claim = create(ctx, RESOURCE_KEYS.persistentvolumeclaims, {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name,
      namespace,
      labels,
      annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes', 'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path' },
      finalizers: ['kubernetes.io/pvc-protection'],
    },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', volumeMode: 'Filesystem', resources: { requests: { storage: size } } },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: size } },
  }, ageMs);
  const volumeName = `pvc-${claim.metadata.uid}`;
  create(ctx, RESOURCE_KEYS.persistentvolumes, {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: volumeName, annotations: { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' }, finalizers: ['kubernetes.io/pv-protection'] },
    spec: {
      capacity: { storage: size },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'standard',
      volumeMode: 'Filesystem',
      hostPath: { path: `/var/lib/drill/volumes/${volumeName}`, type: 'DirectoryOrCreate' },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, namespace, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion },
    },
    status: { phase: 'Bound', lastPhaseTransitionTime: rfc3339(ctx.now - ageMs) },
  }, ageMs);
  ctx.store.mutate(RESOURCE_KEYS.persistentvolumeclaims, namespace, name, (draft) => {
    draft.spec = { ...(draft.spec as Record<string, unknown>), volumeName };
  });
}

function service(namespace: string, name: string, clusterIP: string, selector: Record<string, string>, ports: Array<{ name: string; port: number; targetPort: number | string }>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { app: selector.app ?? name } },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      clusterIPs: [clusterIP],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      selector,
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: 'TCP' })),
    },
    status: { loadBalancer: {} },
  };
}

/** The backup CronJob's job template: pg_dump of codesign_db to the backup volume. */
function backupJobTemplate(): { metadata: Record<string, unknown>; spec: Record<string, unknown> } {
  return {
    metadata: { labels: { app: 'backup' } },
    spec: {
      backoffLimit: 2,
      completions: 1,
      parallelism: 1,
      template: {
        metadata: { labels: { app: 'backup' } },
        spec: {
          restartPolicy: 'OnFailure',
          containers: [
            {
              name: 'backup',
              image: postgresClientImage(),
              command: ['/bin/sh', '-c', 'pg_dump -h postgres -U codesign -d codesign_db -Fc -f /backup/codesign_db_$(date +%Y%m%d).dump && ls -l /backup'],
              env: [{ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'codesign-secrets', key: 'postgres-password' } } }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
              volumeMounts: [{ name: 'backup', mountPath: '/backup' }],
            },
          ],
          volumes: [{ name: 'backup', persistentVolumeClaim: { claimName: 'backup-storage' } }],
        },
      },
    },
  };
}

const BACKUP_RUN_SECONDS = 134;

/** A backup Job from `scheduledAt`: finished (with its Completed pod) when its run is over by now. */
function seedBackupJob(ctx: SeedContext, cronJob: KubeObject, scheduledAt: number): void {
  const name = `backup-job-${utcDateStamp(scheduledAt)}`;
  const tpl = backupJobTemplate();
  const job = create(ctx, RESOURCE_KEYS.jobs, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: API_NAMESPACE,
      labels: { app: 'backup' },
      annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': rfc3339(scheduledAt), [COMPLETES_AFTER_ANNOTATION]: String(BACKUP_RUN_SECONDS) },
      ownerReferences: [controllerRef(cronJob)],
    },
    spec: tpl.spec,
  }, ctx.now - scheduledAt);
  const startedAt = scheduledAt + 5_000;
  const finishedAt = startedAt + BACKUP_RUN_SECONDS * 1000;
  if (finishedAt > ctx.now) return;
  const labels = jobPodLabels(job);
  const withSelector = ctx.store.mutate(RESOURCE_KEYS.jobs, API_NAMESPACE, name, (draft) => {
    const spec = draft.spec as { selector?: unknown; template: PodTemplate };
    spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': labels['batch.kubernetes.io/controller-uid'] } };
    spec.template.metadata = { ...(spec.template.metadata ?? {}), labels: { ...(spec.template.metadata?.labels ?? {}), ...labels } };
    draft.metadata.labels = { ...(draft.metadata.labels ?? {}), ...labels };
  });
  const podTpl = (withSelector.spec as { template: PodTemplate }).template;
  const pod = podFromTemplate(podTpl, { name: `${name}-${randomNameSuffix()}`, namespace: API_NAMESPACE, owner: withSelector });
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [COMPLETES_AFTER_ANNOTATION]: String(BACKUP_RUN_SECONDS) };
  const node = NODE_SLOTS[2] as NodeSlot;
  (pod.spec as Record<string, unknown>).nodeName = node.name;
  (pod.spec as Record<string, unknown>).restartPolicy = 'OnFailure';
  const finished = rfc3339(finishedAt);
  const cond = (type: string, status: string, reason?: string): Record<string, unknown> => ({ type, status, lastProbeTime: null, lastTransitionTime: finished, ...(reason ? { reason } : {}) });
  const podIP = `${node.podCidrPrefix}.${200 + (new Date(scheduledAt).getUTCDate() % 50)}`;
  pod.status = {
    phase: 'Succeeded',
    podIP,
    podIPs: [{ ip: podIP }],
    conditions: [cond('PodReadyToStartContainers', 'False'), cond('Initialized', 'True', 'PodCompleted'), cond('Ready', 'False', 'PodCompleted'), cond('ContainersReady', 'False', 'PodCompleted'), cond('PodScheduled', 'True')],
    hostIP: node.internalIP,
    hostIPs: [{ ip: node.internalIP }],
    startTime: rfc3339(startedAt),
    containerStatuses: [
      {
        name: 'backup',
        state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: rfc3339(startedAt + 1_000), finishedAt: finished, containerID: `containerd://${randomBytes(32).toString('hex')}` } },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: postgresClientImage(),
        imageID: '',
        started: false,
      },
    ],
    qosClass: 'Burstable',
  };
  create(ctx, RESOURCE_KEYS.pods, pod, ctx.now - startedAt);
  const completion = rfc3339(finishedAt + 2_000);
  ctx.store.mutate(RESOURCE_KEYS.jobs, API_NAMESPACE, name, (draft) => {
    draft.status = {
      startTime: rfc3339(startedAt),
      completionTime: completion,
      succeeded: 1,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
      conditions: [
        { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: completion, lastTransitionTime: completion, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
        { type: 'Complete', status: 'True', lastProbeTime: completion, lastTransitionTime: completion, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
      ],
    };
  });
}

function seedNodes(ctx: SeedContext): void {
  for (const [i, slot] of NODE_SLOTS.entries()) {
    const since = rfc3339(ctx.now - 30 * DAY + i * HOUR);
    const heartbeat = rfc3339(ctx.now);
    const cond = (type: string, status: string, reason: string, message: string): Record<string, unknown> => ({
      type,
      status,
      lastHeartbeatTime: heartbeat,
      lastTransitionTime: since,
      reason,
      message,
    });
    create(ctx, RESOURCE_KEYS.nodes, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: slot.name,
        labels: {
          'beta.kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/hostname': slot.name,
          'kubernetes.io/os': 'linux',
          'node-role.kubernetes.io/worker': '',
          'node.kubernetes.io/instance-type': 'drill-standard-4',
          'topology.kubernetes.io/zone': `drill-zone-${String.fromCharCode(96 + i + 1)}`,
        },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: { podCIDR: `${slot.podCidrPrefix}.0/24`, podCIDRs: [`${slot.podCidrPrefix}.0/24`], providerID: `drill://${slot.name}` },
      status: {
        capacity: { cpu: '4', 'ephemeral-storage': '104845292Ki', 'hugepages-2Mi': '0', memory: '16393220Ki', pods: '110' },
        allocatable: { cpu: '3920m', 'ephemeral-storage': '96625420722', 'hugepages-2Mi': '0', memory: '15242244Ki', pods: '110' },
        conditions: [
          cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
          cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
          cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
          cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
        ],
        addresses: [
          { type: 'InternalIP', address: slot.internalIP },
          { type: 'Hostname', address: slot.name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: randomBytes(16).toString('hex'),
          systemUUID: randomBytes(16).toString('hex'),
          bootID: randomBytes(16).toString('hex'),
          kernelVersion: '6.1.0-28-amd64',
          osImage: 'Debian GNU/Linux 12 (bookworm)',
          containerRuntimeVersion: 'containerd://1.7.24',
          kubeletVersion: 'v1.32.4',
          kubeProxyVersion: 'v1.32.4',
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    });
  }
}

/** The Certificate the world's ingress asks for (cert-manager recreates it when deleted). */
export function codesignCertificate(): KubeObject {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'codesign-tls', namespace: API_NAMESPACE, labels: { app: API_APP } },
    spec: {
      secretName: 'codesign-tls',
      dnsNames: ['codesign.example.com'],
      commonName: 'codesign.example.com',
      duration: '2160h0m0s',
      renewBefore: '720h0m0s',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    },
  };
}

/** Seeds everything; objects that already exist are left as they are. Returns the wanted Certificate. */
export function seedWorld(store: ObjectStore, clockNow: () => number): { certificate: KubeObject } {
  const now = clockNow();
  const ctx: SeedContext = { store, now, clockNow, nextPod: new Map() };
  for (const ns of NAMESPACES) {
    create(ctx, RESOURCE_KEYS.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    create(ctx, RESOURCE_KEYS.serviceaccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } });
  }
  seedNodes(ctx);
  const crd = certificateCrd();
  if (!store.get(RESOURCE_KEYS.customresourcedefinitions, undefined, crd.metadata.name)) {
    create(ctx, RESOURCE_KEYS.customresourcedefinitions, crd);
  }

  create(ctx, RESOURCE_KEYS.secrets, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'codesign-secrets', namespace: API_NAMESPACE, labels: { app: API_APP } },
    type: 'Opaque',
    data: { 'postgres-password': secretValue(24), 'redis-password': secretValue(24), 'secret-key': secretValue(48) },
  });
  create(ctx, RESOURCE_KEYS.configmaps, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'codesign-config', namespace: API_NAMESPACE, labels: { app: API_APP } },
    data: {
      'gunicorn.conf.py': 'bind = "0.0.0.0:8000"\nworkers = 8\ntimeout = 60\naccesslog = "-"\n',
      'logging.yaml': 'version: 1\nroot:\n  level: INFO\n  handlers: [console]\n',
      COMPLIANCE_MODE: 'gdpr',
      AUDIT_RETENTION_DAYS: '365',
    },
  });
  create(ctx, RESOURCE_KEYS.configmaps, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'postgres-config', namespace: API_NAMESPACE, labels: { app: 'postgres' } },
    data: { 'postgresql.conf': "max_connections = 200\nshared_buffers = 512MB\nshared_preload_libraries = 'pg_stat_statements'\nidle_in_transaction_session_timeout = 0\n" },
  });

  const apiLabels = { app: API_APP, tier: 'backend' };
  const apiTemplate = (image: string, extraEnv: Array<{ name: string; value: string }> = []): PodTemplate =>
    template(apiLabels, [{ ...apiContainer(image, extraEnv), volumeMounts: [{ name: 'config', mountPath: '/app/config', readOnly: true }] }], {
      terminationGracePeriodSeconds: 30,
      volumes: [{ name: 'config', configMap: { name: 'codesign-config' } }],
    });
  seedDeployment(
    ctx,
    {
      namespace: API_NAMESPACE,
      name: API_APP,
      replicas: 3,
      selector: { app: API_APP },
      labels: apiLabels,
      revisions: [
        { template: apiTemplate('codesign-playground:v2.0.0'), changeCause: 'kubectl set image deployment/codesign-api codesign-api=codesign-playground:v2.0.0', ageMs: 23 * DAY },
        { template: apiTemplate('codesign-playground:v2.0.1'), changeCause: 'kubectl set image deployment/codesign-api codesign-api=codesign-playground:v2.0.1', ageMs: 16 * DAY },
        { template: apiTemplate('codesign-playground:v2.0.2'), changeCause: 'kubectl set image deployment/codesign-api codesign-api=codesign-playground:v2.0.2', ageMs: 8 * DAY },
        { template: apiTemplate(API_IMAGE), changeCause: `kubectl set image deployment/codesign-api codesign-api=${API_IMAGE}`, ageMs: 2 * DAY + 5 * HOUR },
      ],
    },
    0,
  );
  const celeryTemplate = (image: string): PodTemplate =>
    template({ app: 'celery-worker', tier: 'worker' }, [
      {
        name: 'celery-worker',
        image,
        command: ['celery', '-A', 'backend.codesign_playground.worker', 'worker', '--loglevel=INFO', '--concurrency=4'],
        env: [
          { name: 'ENVIRONMENT', value: 'production' },
          { name: 'DATABASE_HOST', value: 'postgres' },
          { name: 'REDIS_HOST', value: 'redis' },
          { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'codesign-secrets', key: 'postgres-password' } } },
          { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'codesign-secrets', key: 'redis-password' } } },
        ],
        resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
      },
    ]);
  seedDeployment(
    ctx,
    {
      namespace: API_NAMESPACE,
      name: 'celery-worker',
      replicas: 2,
      selector: { app: 'celery-worker' },
      labels: { app: 'celery-worker', tier: 'worker' },
      revisions: [
        { template: celeryTemplate('codesign-playground:v2.0.2'), changeCause: 'kubectl set image deployment/celery-worker celery-worker=codesign-playground:v2.0.2', ageMs: 8 * DAY },
        { template: celeryTemplate(API_IMAGE), changeCause: `kubectl set image deployment/celery-worker celery-worker=${API_IMAGE}`, ageMs: 2 * DAY + 5 * HOUR },
      ],
    },
    1,
  );
  const platform: Array<{ ns: string; name: string; image: string; replicas: number; port: number; cpu: string; memory: string; labels: Record<string, string> }> = [
    { ns: 'kube-system', name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.3', replicas: 2, port: 53, cpu: '100m', memory: '70Mi', labels: { 'k8s-app': 'kube-dns', app: 'coredns' } },
    { ns: 'kube-system', name: 'metrics-server', image: 'registry.k8s.io/metrics-server/metrics-server:v0.7.2', replicas: 1, port: 10250, cpu: '100m', memory: '200Mi', labels: { 'k8s-app': 'metrics-server', app: 'metrics-server' } },
    { ns: 'monitoring', name: 'prometheus', image: 'prom/prometheus:v2.54.1', replicas: 1, port: 9090, cpu: '200m', memory: '1Gi', labels: { app: 'prometheus' } },
    { ns: 'cert-manager', name: 'cert-manager', image: 'quay.io/jetstack/cert-manager-controller:v1.16.2', replicas: 1, port: 9402, cpu: '10m', memory: '64Mi', labels: { app: 'cert-manager', 'app.kubernetes.io/name': 'cert-manager' } },
  ];
  platform.forEach((p, i) => {
    seedDeployment(
      ctx,
      {
        namespace: p.ns,
        name: p.name,
        replicas: p.replicas,
        selector: p.labels,
        revisions: [
          {
            template: template(p.labels, [
              { name: p.name, image: p.image, ports: [{ containerPort: p.port, protocol: 'TCP' }], resources: { requests: { cpu: p.cpu, memory: p.memory } } },
            ]),
            changeCause: '',
            ageMs: 30 * DAY,
          },
        ],
      },
      i,
    );
  });

  seedStatefulSet(ctx, {
    name: 'postgres',
    image: postgresImage(),
    podAnnotations: { [POSTGRES_BACKEND_ANNOTATION]: postgresBackendLabel() },
    port: 5432,
    portName: 'postgres',
    storage: '20Gi',
    env: [
      { name: 'POSTGRES_USER', value: 'codesign' },
      { name: 'POSTGRES_DB', value: 'codesign_db' },
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
      { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'codesign-secrets', key: 'postgres-password' } } },
    ],
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    nodeIndex: 2,
  });
  seedStatefulSet(ctx, {
    name: 'redis',
    image: 'redis:7.4-alpine',
    port: 6379,
    portName: 'redis',
    storage: '5Gi',
    command: ['redis-server', '--requirepass', '$(REDIS_PASSWORD)', '--maxmemory', '512mb', '--appendonly', 'yes'],
    env: [{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'codesign-secrets', key: 'redis-password' } } }],
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '768Mi' } },
    nodeIndex: 1,
  });
  seedBoundClaim(ctx, API_NAMESPACE, 'backup-storage', '50Gi', { app: 'backup' }, 30 * DAY);
  seedBoundClaim(ctx, 'monitoring', 'prometheus-data', '30Gi', { app: 'prometheus' }, 30 * DAY);
  create(ctx, RESOURCE_KEYS.persistentvolumes, {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'local-pv-spare-01', labels: { type: 'local' } },
    spec: {
      capacity: { storage: '100Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: 'standard',
      volumeMode: 'Filesystem',
      hostPath: { path: '/mnt/disks/spare-01', type: 'DirectoryOrCreate' },
    },
    status: { phase: 'Available', lastPhaseTransitionTime: rfc3339(now - 30 * DAY) },
  });

  create(ctx, RESOURCE_KEYS.services, service(API_NAMESPACE, API_APP, '10.96.120.15', { app: API_APP }, [{ name: 'http', port: 80, targetPort: 8000 }, { name: 'metrics', port: 9090, targetPort: 9090 }]));
  create(ctx, RESOURCE_KEYS.services, service(API_NAMESPACE, 'postgres', '10.96.54.32', { app: 'postgres' }, [{ name: 'postgres', port: 5432, targetPort: 5432 }]));
  create(ctx, RESOURCE_KEYS.services, service(API_NAMESPACE, 'redis', '10.96.63.79', { app: 'redis' }, [{ name: 'redis', port: 6379, targetPort: 6379 }]));
  create(ctx, RESOURCE_KEYS.services, service('monitoring', 'prometheus', '10.96.90.90', { app: 'prometheus' }, [{ name: 'web', port: 9090, targetPort: 9090 }]));
  create(ctx, RESOURCE_KEYS.services, service('kube-system', 'kube-dns', '10.96.0.10', { 'k8s-app': 'kube-dns' }, [{ name: 'dns', port: 53, targetPort: 53 }]));
  create(ctx, RESOURCE_KEYS.services, service('kube-system', 'metrics-server', '10.96.0.140', { 'k8s-app': 'metrics-server' }, [{ name: 'https', port: 443, targetPort: 10250 }]));
  create(ctx, RESOURCE_KEYS.services, service('cert-manager', 'cert-manager', '10.96.12.4', { app: 'cert-manager' }, [{ name: 'tcp-prometheus-servicemonitor', port: 9402, targetPort: 9402 }]));
  create(ctx, RESOURCE_KEYS.services, service('default', 'kubernetes', '10.96.0.1', {}, [{ name: 'https', port: 443, targetPort: 6443 }]));

  const cronJob = create(ctx, RESOURCE_KEYS.cronjobs, {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'backup', namespace: API_NAMESPACE, labels: { app: 'backup' } },
    spec: {
      schedule: '0 0 * * *',
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: backupJobTemplate(),
    },
  });
  const midnight = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
  seedBackupJob(ctx, cronJob, midnight - DAY);
  seedBackupJob(ctx, cronJob, midnight);
  ctx.store.mutate(RESOURCE_KEYS.cronjobs, API_NAMESPACE, 'backup', (draft) => {
    draft.status = { lastScheduleTime: rfc3339(midnight), ...(midnight + (BACKUP_RUN_SECONDS + 7) * 1000 < now ? { lastSuccessfulTime: rfc3339(midnight + (BACKUP_RUN_SECONDS + 7) * 1000) } : {}) };
  });

  create(ctx, RESOURCE_KEYS.horizontalpodautoscalers, {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'codesign-api-hpa', namespace: API_NAMESPACE, labels: { app: API_APP } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: API_APP },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }] },
        scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
      },
    },
  });
  create(ctx, RESOURCE_KEYS.poddisruptionbudgets, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'codesign-api-pdb', namespace: API_NAMESPACE, labels: { app: API_APP } },
    spec: { minAvailable: 2, selector: { matchLabels: { app: API_APP } } },
  });

  const certificate = codesignCertificate();
  if (!store.get(RESOURCE_KEYS.certificates, API_NAMESPACE, 'codesign-tls')) {
    const created = create(ctx, RESOURCE_KEYS.certificates, structuredClone(certificate));
    store.mutate(RESOURCE_KEYS.certificates, API_NAMESPACE, 'codesign-tls', (draft) => {
      draft.status = issuedStatus(now - 30 * DAY, 3, created.metadata.generation ?? 1);
    });
    create(ctx, RESOURCE_KEYS.secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'codesign-tls',
        namespace: API_NAMESPACE,
        labels: { 'controller.cert-manager.io/fao': 'true' },
        annotations: {
          'cert-manager.io/alt-names': 'codesign.example.com',
          'cert-manager.io/certificate-name': 'codesign-tls',
          'cert-manager.io/common-name': 'codesign.example.com',
          'cert-manager.io/ip-sans': '',
          'cert-manager.io/issuer-group': 'cert-manager.io',
          'cert-manager.io/issuer-kind': 'ClusterIssuer',
          'cert-manager.io/issuer-name': 'letsencrypt-prod',
          'cert-manager.io/uri-sans': '',
        },
      },
      type: 'kubernetes.io/tls',
      data: tlsSecretData(),
    });
  }
  return { certificate };
}
