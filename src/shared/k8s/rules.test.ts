import { describe, expect, it } from 'vitest';
import { recentChanges } from './changes';
import { groupEvents } from './kube-events';
import type { KubeObject } from './objects';
import { formatCpu, formatMemory, parseQuantity } from './quantities';
import { summarizeCluster } from './summary';
import { resourceThresholds, thresholdLevel } from './thresholds';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

const runningPod = (name: string): KubeObject => ({
  metadata: { name, namespace: 'ns' },
  spec: { containers: [{ name: 'c' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, state: { running: {} } }], conditions: [{ type: 'Ready', status: 'True' }] },
});
const crashingPod = (name: string, restarts = 5, finished = ago(60_000)): KubeObject => ({
  metadata: { name, namespace: 'ns' },
  spec: { containers: [{ name: 'c' }] },
  status: {
    phase: 'Running',
    containerStatuses: [{ name: 'c', ready: false, restartCount: restarts, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: finished } } }],
  },
});
const event = (name: string, type: string, reason: string, lastTimestamp: string, involved = { kind: 'Pod', name: 'p1' }, message = ''): KubeObject =>
  ({ metadata: { name, namespace: 'ns' }, type, reason, lastTimestamp, involvedObject: involved, message, count: 2 }) as KubeObject;

describe('threshold colouring from the runbook', () => {
  const runbook = {
    thresholds: [
      { id: 'cpu-usage', metric: 'CPU Usage', unit: 'percent', warning: 70, critical: 90 },
      { id: 'memory-usage', metric: 'Memory Usage', unit: 'percent', warning: 80, critical: 95 },
      { id: 'api-response-time-p95', metric: 'API Response Time (P95)', unit: 'seconds', warning: 2, critical: 5 },
    ],
  } as unknown as Parameters<typeof resourceThresholds>[0];

  it('takes CPU and memory lines from the runbook data', () => {
    const t = resourceThresholds(runbook);
    expect([t.cpu?.warning, t.cpu?.critical, t.memory?.warning, t.memory?.critical]).toEqual([70, 90, 80, 95]);
  });

  it('colours above the line only (the runbook says ">70%")', () => {
    const { cpu, memory } = resourceThresholds(runbook);
    expect([thresholdLevel(70, cpu), thresholdLevel(70.1, cpu), thresholdLevel(90, cpu), thresholdLevel(91, cpu)]).toEqual(['ok', 'warning', 'warning', 'critical']);
    expect(thresholdLevel(96, memory)).toBe('critical');
    expect(thresholdLevel(undefined, memory)).toBeUndefined();
  });

  it('follows a runbook with other numbers, and finds none when it has none', () => {
    const other = { thresholds: [{ id: 'x', metric: 'CPU Usage', unit: 'percent', warning: 50, critical: 60 }] } as unknown as Parameters<typeof resourceThresholds>[0];
    expect(thresholdLevel(55, resourceThresholds(other).cpu)).toBe('warning');
    expect(resourceThresholds({ thresholds: [] }).cpu).toBeUndefined();
  });
});

describe('quantities', () => {
  it.each([
    ['250m', 0.25],
    ['2', 2],
    ['512Mi', 512 * 2 ** 20],
    ['1G', 1e9],
    ['100k', 1e5],
    ['1.5Gi', 1.5 * 2 ** 30],
  ])('%s', (text, value) => expect(parseQuantity(text)).toBeCloseTo(value));
  it('rejects junk and prints like kubectl top', () => {
    expect(parseQuantity('12 parsecs')).toBeUndefined();
    expect(formatCpu(0.25)).toBe('250m');
    expect(formatCpu(2)).toBe('2');
    expect(formatMemory(512 * 2 ** 20)).toBe('512Mi');
  });
});

describe('summary strip rules', () => {
  it('counts pods not Running or not ready, degraded deployments, recent warnings and nodes not Ready', () => {
    const items = summarizeCluster({
      now: NOW,
      pods: [runningPod('ok'), crashingPod('bad'), { ...runningPod('gone'), metadata: { name: 'gone', namespace: 'ns', deletionTimestamp: ago(1) } }],
      deployments: [
        { metadata: { name: 'api', namespace: 'ns' }, spec: { replicas: 3 }, status: { availableReplicas: 2, readyReplicas: 2 } },
        { metadata: { name: 'worker', namespace: 'ns' }, spec: { replicas: 2 }, status: { availableReplicas: 2, readyReplicas: 2, conditions: [{ type: 'Available', status: 'True' }] } },
      ],
      events: [event('e1', 'Warning', 'BackOff', ago(60_000)), event('e2', 'Warning', 'BackOff', ago(20 * 60_000)), event('e3', 'Normal', 'Pulled', ago(1000))],
      nodes: [{ metadata: { name: 'n1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { metadata: { name: 'n2' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }],
    });
    const byId = Object.fromEntries(items.map((i) => [i.id, i]));
    expect(byId['pods-unhealthy']).toMatchObject({ count: 2, keys: ['ns/bad', 'ns/gone'], view: 'pods', known: true });
    expect(byId['deployments-degraded']).toMatchObject({ count: 1, keys: ['ns/api'] });
    expect(byId['warning-events']).toMatchObject({ count: 1, keys: ['ns/e1'] });
    expect(byId['nodes-not-ready']).toMatchObject({ count: 1, keys: ['n2'] });
    expect(byId['pvcs-not-bound']).toMatchObject({ known: false });
  });
});

describe('events grouped by object', () => {
  it('puts objects with warnings first and sums counts', () => {
    const groups = groupEvents([
      event('a', 'Normal', 'Pulled', ago(1000), { kind: 'Pod', name: 'quiet' }),
      event('b', 'Warning', 'BackOff', ago(5000), { kind: 'Pod', name: 'loud' }),
      event('c', 'Normal', 'Started', ago(2000), { kind: 'Pod', name: 'loud' }),
    ]);
    expect(groups.map((g) => [g.object, g.warnings, g.total])).toEqual([
      ['Pod/loud', 2, 4],
      ['Pod/quiet', 0, 2],
    ]);
    expect(groups[0]!.events[0]!.metadata.name).toBe('b');
  });
});

describe('what changed', () => {
  const rs = (name: string, revision: string, created: string, image: string, cause?: string): KubeObject => ({
    metadata: {
      name,
      namespace: 'ns',
      creationTimestamp: created,
      annotations: { 'deployment.kubernetes.io/revision': revision, ...(cause ? { 'kubernetes.io/change-cause': cause } : {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'codesign-api', uid: 'u', controller: true }],
    },
    spec: { template: { spec: { containers: [{ name: 'api', image }] } } },
  });

  it('lists rollouts, scale changes, HPA decisions and restart bursts in the window, newest first', () => {
    const changes = recentChanges({
      now: NOW,
      windowMs: 3 * 3600_000,
      replicasets: [rs('api-1', '1', ago(10 * 86400_000), 'api:1.0'), rs('api-2', '2', ago(30 * 60_000), 'api:2.0', 'kubectl set image deployment/codesign-api api=api:2.0')],
      events: [
        event('s', 'Normal', 'ScalingReplicaSet', ago(20 * 60_000), { kind: 'Deployment', name: 'codesign-api' }, 'Scaled up replica set api-2 to 3 from 1'),
        event('h', 'Normal', 'SuccessfulRescale', ago(10 * 60_000), { kind: 'HorizontalPodAutoscaler', name: 'codesign-api' }, 'New size: 4; reason: cpu resource utilization above target'),
        event('old', 'Normal', 'ScalingReplicaSet', ago(5 * 3600_000), { kind: 'Deployment', name: 'codesign-api' }, 'old'),
      ],
      pods: [crashingPod('api-2-x', 4, ago(60_000)), crashingPod('api-2-y', 1, ago(60_000)), crashingPod('api-1-z', 9, ago(10 * 3600_000))],
    });
    expect(changes.map((c) => [c.kind, c.object])).toEqual([
      ['restarts', 'Pod/api-2-x'],
      ['hpa', 'HorizontalPodAutoscaler/codesign-api'],
      ['scale', 'Deployment/codesign-api'],
      ['rollout', 'Deployment/codesign-api'],
    ]);
    expect(changes[3]).toMatchObject({ revision: '2', image: 'api:2.0', changeCause: 'kubectl set image deployment/codesign-api api=api:2.0' });
    expect(changes[0]!.summary).toBe('4 restarts, last: OOMKilled');
  });
});

describe('label selectors', () => {
  it('reads kubectl’s forms and matches like the API server', async () => {
    const { matchesLabelSelector, parseLabelSelector } = await import('./label-selector');
    const labels = { app: 'codesign-api', tier: 'web', canary: 'true' };
    const match = (s: string) => matchesLabelSelector(labels, parseLabelSelector(s));
    expect([match('app=codesign-api'), match('app==codesign-api,tier=web'), match('tier!=db'), match('tier in (web, api)'), match('tier notin (web)'), match('canary'), match('!canary'), match('')]).toEqual([
      true, true, true, true, false, true, false, true,
    ]);
    expect(() => parseLabelSelector('app=~x')).toThrow(/cannot read "app=~x"/);
  });
});
