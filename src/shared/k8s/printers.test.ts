import { describe, expect, it } from 'vitest';
import type { KubeObject } from './objects';
import { ageOf, containerStates, deploymentColumns, humanDuration, nodeStatus, podReady, podRestarts, podRestartsText, podStatusReason } from './printers';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

function pod(containerStatuses: unknown[], extra: { phase?: string; deletionTimestamp?: string; initContainerStatuses?: unknown[]; reason?: string } = {}): KubeObject {
  return {
    metadata: { name: 'p', namespace: 'ns', creationTimestamp: ago(3 * 3600_000), ...(extra.deletionTimestamp ? { deletionTimestamp: extra.deletionTimestamp } : {}) },
    spec: { containers: containerStatuses.map((_, i) => ({ name: `c${i}`, image: 'img' })) },
    status: {
      phase: extra.phase ?? 'Running',
      containerStatuses: containerStatuses.map((c, i) => ({ name: `c${i}`, ...(c as object) })),
      ...(extra.initContainerStatuses ? { initContainerStatuses: extra.initContainerStatuses } : {}),
      ...(extra.reason ? { reason: extra.reason } : {}),
    },
  };
}
const running = { ready: true, restartCount: 0, state: { running: { startedAt: ago(60_000) } } };

describe('pod STATUS with its reason, as kubectl prints it', () => {
  it.each([
    ['Running', pod([running])],
    ['CrashLoopBackOff', pod([{ ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } }])],
    ['ImagePullBackOff', pod([{ ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }], { phase: 'Pending' })],
    ['OOMKilled', pod([{ ready: false, restartCount: 1, state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }])],
    ['ExitCode:3', pod([{ ready: false, state: { terminated: { exitCode: 3 } } }])],
    ['Signal:9', pod([{ ready: false, state: { terminated: { exitCode: 137, signal: 9 } } }])],
    ['Terminating', pod([running], { deletionTimestamp: ago(1000) })],
    ['Unknown', pod([running], { deletionTimestamp: ago(1000), reason: 'NodeLost' })],
    ['Evicted', pod([], { phase: 'Failed', reason: 'Evicted' })],
    ['Init:0/1', pod([], { phase: 'Pending', initContainerStatuses: [{ state: { running: {} } }] })],
    ['Init:CrashLoopBackOff', pod([], { phase: 'Pending', initContainerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }] })],
    ['Init:Error', pod([], { phase: 'Pending', initContainerStatuses: [{ state: { terminated: { reason: 'Error', exitCode: 1 } } }] })],
    ['NotReady', pod([running, { ready: false, state: { terminated: { reason: 'Completed', exitCode: 0 } } }])],
    ['Completed', pod([{ ready: false, state: { terminated: { reason: 'Completed', exitCode: 0 } } }], { phase: 'Succeeded' })],
  ])('%s', (expected, object) => {
    expect(podStatusReason(object)).toBe(expected);
  });

  it('the last container that is not running decides (kubectl walks them from the end)', () => {
    const p = pod([
      { ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } },
      { ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } },
    ]);
    expect(podStatusReason(p)).toBe('ImagePullBackOff');
  });
});

describe('READY, RESTARTS and AGE', () => {
  it('counts ready containers against the spec', () => {
    expect(podReady(pod([running, { ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } }])).text).toBe('1/2');
  });

  it('prints restarts with the last restart’s age, and its reason and exit code', () => {
    const p = pod([
      { ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(3600_000) } } },
      { ready: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(150_000) } } },
    ]);
    expect(podRestartsText(p, NOW)).toBe('3 (2m30s ago)');
    expect(podRestarts(p)).toMatchObject({ count: 3, lastReason: 'OOMKilled', lastExitCode: 137 });
    expect(podRestartsText(pod([running]), NOW)).toBe('0');
  });

  it.each([
    [0, '0s'],
    [59_000, '59s'],
    [150_000, '2m30s'],
    [600_000, '10m'],
    [3 * 3600_000 + 5 * 60_000, '3h5m'],
    [30 * 3600_000, '30h'],
    [3 * 86400_000 + 4 * 3600_000, '3d4h'],
    [20 * 86400_000, '20d'],
    [3 * 365 * 86400_000 + 10 * 86400_000, '3y10d'],
  ])('AGE of %i ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('AGE of a missing timestamp is <unknown>', () => {
    expect(ageOf(undefined, NOW)).toBe('<unknown>');
    expect(ageOf('not a date', NOW)).toBe('<unknown>');
  });

  it('container states carry the last termination reason and exit code', () => {
    const [c] = containerStates(pod([{ ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } }, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(1000) } } }]));
    expect(c).toMatchObject({ state: 'waiting', reason: 'CrashLoopBackOff', restarts: 4, lastTermination: { reason: 'OOMKilled', exitCode: 137 } });
  });
});

describe('deployments and nodes', () => {
  it('reads desired / updated / ready / available, the revision and ProgressDeadlineExceeded', () => {
    const d: KubeObject = {
      metadata: { name: 'api', annotations: { 'deployment.kubernetes.io/revision': '4' } },
      spec: { replicas: 3 },
      status: {
        updatedReplicas: 1,
        readyReplicas: 2,
        availableReplicas: 2,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
    };
    expect(deploymentColumns(d)).toEqual({ desired: 3, updated: 1, ready: 2, available: 2, readyText: '2/3', revision: '4', problem: 'ProgressDeadlineExceeded' });
  });

  it('prints a cordoned node as Ready,SchedulingDisabled', () => {
    expect(nodeStatus({ metadata: { name: 'n' }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } })).toBe('Ready,SchedulingDisabled');
    expect(nodeStatus({ metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } })).toBe('NotReady');
  });
});
