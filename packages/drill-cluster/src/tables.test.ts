import { describe, expect, it } from 'vitest';
import { ageOf, buildTable, humanDuration, tableColumns, tableRow } from './tables';
import type { KubeObject } from './types';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();

function pod(overrides: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'codesign-api-7d9f-abcde', namespace: 'codesign-production', creationTimestamp: minutesAgo(5) },
    spec: { nodeName: 'node-1', containers: [{ name: 'codesign-api' }, { name: 'sidecar' }] },
    status: {
      phase: 'Running',
      podIP: '10.0.0.12',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'codesign-api', ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: minutesAgo(3) } } },
        { name: 'sidecar', ready: true, restartCount: 0, state: { running: {} } },
      ],
    },
    ...overrides,
  };
}

const cellsByColumn = (object: KubeObject) => {
  const columns = tableColumns(object.kind).map((c) => c.name);
  const cells = tableRow(object, NOW).cells;
  return Object.fromEntries(columns.map((c, i) => [c, cells[i]]));
};

describe('humanDuration', () => {
  it('formats like the API server', () => {
    expect(humanDuration(5_000)).toBe('5s');
    expect(humanDuration(119_000)).toBe('119s');
    expect(humanDuration(125_000)).toBe('2m5s');
    expect(humanDuration(600_000)).toBe('10m');
    expect(humanDuration(3 * 3_600_000 + 60_000)).toBe('3h1m');
    expect(humanDuration(30 * 3_600_000)).toBe('30h');
    expect(humanDuration(3 * 86_400_000 + 3_600_000)).toBe('3d1h');
    expect(humanDuration(100 * 86_400_000)).toBe('100d');
    expect(humanDuration(-5_000)).toBe('<invalid>');
    expect(ageOf(undefined, NOW)).toBe('<unknown>');
  });
});

describe('pod table', () => {
  it('prints READY, STATUS, RESTARTS with the last restart, AGE, IP and NODE', () => {
    expect(cellsByColumn(pod())).toMatchObject({
      Name: 'codesign-api-7d9f-abcde',
      Ready: '2/2',
      Status: 'Running',
      Restarts: '2 (3m ago)',
      Age: '5m',
      IP: '10.0.0.12',
      Node: 'node-1',
    });
    const wide = tableColumns('Pod').filter((c) => c.priority === 1).map((c) => c.name);
    expect(wide).toEqual(['IP', 'Node', 'Nominated Node', 'Readiness Gates']);
  });

  it('shows the waiting reason of a crash-looping container and Terminating when deleted', () => {
    const crashing = pod({
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'codesign-api', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } },
          { name: 'sidecar', ready: true, restartCount: 0, state: { running: {} } },
        ],
      },
    });
    expect(cellsByColumn(crashing)).toMatchObject({ Ready: '1/2', Status: 'CrashLoopBackOff', Restarts: '4' });
    const terminating = pod();
    terminating.metadata.deletionTimestamp = minutesAgo(0);
    expect(cellsByColumn(terminating).Status).toBe('Terminating');
  });
});

describe('other kinds', () => {
  it('prints deployment READY, UP-TO-DATE, AVAILABLE', () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'codesign-api', creationTimestamp: minutesAgo(60) },
      spec: { replicas: 3, selector: { matchLabels: { app: 'codesign-api' } }, template: { spec: { containers: [{ name: 'codesign-api', image: 'codesign-playground:v2.0.3' }] } } },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(cellsByColumn(deployment)).toEqual({
      Name: 'codesign-api',
      Ready: '2/3',
      'Up-to-date': 3,
      Available: 2,
      Age: '60m',
      Containers: 'codesign-api',
      Images: 'codesign-playground:v2.0.3',
      Selector: 'app=codesign-api',
    });
  });

  it('prints HPA targets, PV access modes and claim, secret data count, job completions', () => {
    const hpa: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'codesign-api-hpa', creationTimestamp: minutesAgo(1) },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'codesign-api' },
        minReplicas: 3,
        maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      },
      status: { currentReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 45 } } }] },
    };
    expect(cellsByColumn(hpa)).toMatchObject({ Reference: 'Deployment/codesign-api', Targets: 'cpu: 45%/70%', MinPods: '3', MaxPods: 10, Replicas: 3 });

    const pv: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv-postgres', creationTimestamp: minutesAgo(1) },
      spec: { capacity: { storage: '100Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'codesign-production', name: 'data-postgres-0' }, storageClassName: 'standard' },
      status: { phase: 'Bound' },
    };
    expect(cellsByColumn(pv)).toMatchObject({ Capacity: '100Gi', 'Access Modes': 'RWO', 'Reclaim Policy': 'Retain', Status: 'Bound', Claim: 'codesign-production/data-postgres-0' });

    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { a: 'eA==', b: 'eQ==' } };
    expect(cellsByColumn(secret)).toMatchObject({ Type: 'Opaque', Data: 2 });

    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'backup-job-20261128', creationTimestamp: minutesAgo(10) },
      spec: { completions: 1 },
      status: { succeeded: 1, startTime: minutesAgo(10), completionTime: minutesAgo(8), conditions: [{ type: 'Complete', status: 'True' }] },
    };
    expect(cellsByColumn(job)).toMatchObject({ Status: 'Complete', Completions: '1/1', Duration: '2m' });
  });

  it('prints certificate READY and SECRET from the Ready condition', () => {
    const cert: KubeObject = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'codesign-tls', creationTimestamp: minutesAgo(2) },
      spec: { secretName: 'codesign-tls', issuerRef: { name: 'letsencrypt-prod' } },
      status: { conditions: [{ type: 'Ready', status: 'True', message: 'Certificate is up to date and has not expired' }] },
    };
    expect(cellsByColumn(cert)).toMatchObject({ Ready: 'True', Secret: 'codesign-tls', Issuer: 'letsencrypt-prod', Age: '2m' });
  });

  it('prints events with the object they are about', () => {
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'x.1', namespace: 'ns' },
      involvedObject: { kind: 'Pod', name: 'codesign-api-1' },
      reason: 'BackOff',
      type: 'Warning',
      message: 'Back-off restarting failed container',
      lastTimestamp: minutesAgo(1),
    };
    expect(cellsByColumn(event)).toMatchObject({ 'Last Seen': '60s', Type: 'Warning', Reason: 'BackOff', Object: 'pod/codesign-api-1' });
  });
});

describe('buildTable', () => {
  it('carries list metadata and the object per includeObject', () => {
    const table = buildTable('Pod', [pod()], NOW, { resourceVersion: '42', continue: 'abc', include: 'Object' });
    expect(table).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '42', continue: 'abc' } });
    expect(table.rows[0]?.object).toMatchObject({ kind: 'Pod' });
    const metadataOnly = buildTable('Pod', [pod()], NOW);
    expect(metadataOnly.rows[0]?.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'codesign-api-7d9f-abcde' } });
    expect(buildTable('Pod', [pod()], NOW, { include: 'None' }).rows[0]).not.toHaveProperty('object');
  });

  it('falls back to NAME and Created At for kinds without a printer', () => {
    const table = buildTable('Widget', [{ apiVersion: 'x/v1', kind: 'Widget', metadata: { name: 'w', creationTimestamp: minutesAgo(1) } }], NOW);
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Created At']);
  });
});
