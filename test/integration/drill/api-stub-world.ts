/**
 * A hand-built stand-in for the simulated world, for the API machinery's own tests: it seeds a
 * small static `codesign-production` (no controllers) so the protocol can be tested on its own.
 */
import { RESOURCE_KEYS } from '../../../packages/drill-cluster/src/resources';
import type { DrillClock, DrillPodRef, DrillWorld, KubeObject, ObjectStore, ScenarioName } from '../../../packages/drill-cluster/src/types';

const NS = 'codesign-production';

function realClock(): DrillClock {
  return {
    now: () => Date.now(),
    speed: 1,
    after(ms, fn) {
      const timer = setTimeout(fn, ms);
      return () => clearTimeout(timer);
    },
    every(ms, fn) {
      const timer = setInterval(fn, ms);
      return () => clearInterval(timer);
    },
  };
}

const apiContainer = () => ({
  name: 'codesign-api',
  image: 'codesign-playground:v2.0.3',
  ports: [{ containerPort: 8000, name: 'http', protocol: 'TCP' }],
  env: [
    { name: 'LOG_LEVEL', value: 'info' },
    { name: 'CACHE_SIZE_MB', value: '256' },
  ],
  resources: { limits: { memory: '2Gi', cpu: '1' }, requests: { memory: '1Gi', cpu: '500m' } },
});

function apiPod(name: string, phase: string, ready: boolean): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'codesign-api', 'pod-template-hash': '7d9f8c6b5' } },
    spec: { nodeName: 'drill-node-1', containers: [apiContainer()] },
    status: {
      phase,
      podIP: '10.244.1.10',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'codesign-api',
          image: 'codesign-playground:v2.0.3',
          imageID: '',
          ready,
          restartCount: ready ? 0 : 3,
          started: ready,
          state: ready ? { running: { startedAt: new Date().toISOString() } } : { waiting: { reason: 'CrashLoopBackOff' } },
        },
      ],
    },
  };
}

/** Seeds the objects the API tests read and write. */
export function seedStubObjects(store: ObjectStore): void {
  store.create(RESOURCE_KEYS.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS }, status: { phase: 'Active' } });
  store.create(RESOURCE_KEYS.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' }, status: { phase: 'Active' } });
  for (const n of [1, 2, 3]) {
    store.create(RESOURCE_KEYS.nodes, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `drill-node-${n}`, labels: { 'kubernetes.io/hostname': `drill-node-${n}`, 'node-role.kubernetes.io/worker': '' } },
      spec: {},
      status: {
        capacity: { cpu: '8', memory: '32Gi', pods: '110' },
        allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
        addresses: [{ type: 'InternalIP', address: `10.0.0.${n}` }],
        nodeInfo: {
          kubeletVersion: 'v1.32.4',
          osImage: 'Debian GNU/Linux 12',
          kernelVersion: '6.1.0',
          containerRuntimeVersion: 'containerd://1.7.0',
          architecture: 'amd64',
          operatingSystem: 'linux',
          bootID: '',
          kubeProxyVersion: 'v1.32.4',
          machineID: '',
          systemUUID: '',
        },
      },
    });
  }
  store.create(RESOURCE_KEYS.deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'codesign-api', namespace: NS, labels: { app: 'codesign-api' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'codesign-api' } },
      template: { metadata: { labels: { app: 'codesign-api' } }, spec: { containers: [apiContainer()] } },
    },
    status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  });
  store.create(RESOURCE_KEYS.pods, apiPod('codesign-api-7d9f8c6b5-aaaaa', 'Running', true));
  store.create(RESOURCE_KEYS.pods, apiPod('codesign-api-7d9f8c6b5-bbbbb', 'Running', true));
  store.create(RESOURCE_KEYS.pods, apiPod('codesign-api-7d9f8c6b5-ccccc', 'Pending', false));
  store.create(RESOURCE_KEYS.secrets, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'codesign-secrets', namespace: NS },
    type: 'Opaque',
    data: {
      'postgres-password': Buffer.from('old-pg').toString('base64'),
      'redis-password': Buffer.from('old-redis').toString('base64'),
      'secret-key': Buffer.from('old-key').toString('base64'),
    },
  });
  store.create(RESOURCE_KEYS.persistentvolumes, {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv-postgres-data' },
    spec: {
      capacity: { storage: '100Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: 'standard',
      claimRef: { namespace: NS, name: 'data-postgres-0' },
      hostPath: { path: '/data/postgres' },
    },
    status: { phase: 'Bound' },
  });
  store.create(RESOURCE_KEYS.certificates, {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'codesign-tls', namespace: NS },
    spec: { secretName: 'codesign-tls', issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer' }, dnsNames: ['codesign.example.com'] },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' }] },
  });
  store.create(RESOURCE_KEYS.horizontalpodautoscalers, {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'codesign-api-hpa', namespace: NS },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'codesign-api' },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
    status: { currentReplicas: 3, desiredReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 45 } } }] },
  });
}

/** A world without controllers: seeds `seedStubObjects`, answers metrics from the pods. */
export function createStubWorld(store: ObjectStore): DrillWorld {
  const active = new Set<ScenarioName>();
  return {
    clock: realClock(),
    async start() {
      seedStubObjects(store);
    },
    podRef(namespace, name): DrillPodRef | undefined {
      const pod = store.get(RESOURCE_KEYS.pods, namespace, name);
      if (!pod) return undefined;
      return {
        namespace,
        name,
        app: pod.metadata.labels?.app ?? '',
        containers: [],
        phase: 'Running',
        restartCount: 0,
        startedAt: Date.now(),
        logProfile: () => ({
          linesPerSecond: 10,
          errorRatio: 0,
          latencyMs: { p50: 50, p95: 120 },
          authFailureRatio: 0,
          memoryMiB: 800,
          memoryLimitMiB: 2048,
          dbPool: { inUse: 5, size: 20, exhausted: false },
          crashLooping: false,
        }),
      };
    },
    nodeMetrics: () =>
      store.list(RESOURCE_KEYS.nodes).map((node) => ({
        apiVersion: 'metrics.k8s.io/v1beta1',
        kind: 'NodeMetrics',
        metadata: { name: node.metadata.name, labels: node.metadata.labels ?? {} },
        timestamp: new Date().toISOString(),
        window: '20s',
        usage: { cpu: '1500m', memory: '12Gi' },
      })),
    podMetrics: (namespace) =>
      store.list(RESOURCE_KEYS.pods, namespace).map((pod) => ({
        apiVersion: 'metrics.k8s.io/v1beta1',
        kind: 'PodMetrics',
        metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, labels: pod.metadata.labels ?? {} },
        timestamp: new Date().toISOString(),
        window: '20s',
        containers: [{ name: 'codesign-api', usage: { cpu: '250m', memory: '800Mi' } }],
      })),
    prometheusText: () => '# TYPE http_requests_total counter\nhttp_requests_total{status="200"} 1\n',
    scenarios: {
      inject: (name) => void active.add(name),
      clear: (name) => void active.delete(name),
      active: () => [...active],
    },
    async stop() {},
  };
}
