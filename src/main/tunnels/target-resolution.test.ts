import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/k8s/objects';
import { labelSelectorOf, noReadyPodReason, pickReadyPod, podPortNumber, podSelectorOf, podUnreadyReason, serviceTargetPort } from './target-resolution';

const pod = (name: string, options: { ready?: boolean; phase?: string; created?: string; deleting?: boolean; waiting?: string } = {}): KubeObject => ({
  metadata: { name, creationTimestamp: options.created ?? '2026-12-01T10:00:00Z', ...(options.deleting ? { deletionTimestamp: '2026-12-01T11:00:00Z' } : {}) },
  spec: { containers: [{ name: 'main', ports: [{ name: 'postgres', containerPort: 5432 }, { containerPort: 9187 }] }] },
  status: {
    phase: options.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
    containerStatuses: options.waiting ? [{ state: { waiting: { reason: options.waiting } } }] : [],
  },
});

const service = (ports: unknown[], selector: unknown = { app: 'postgres' }): KubeObject => ({ metadata: { name: 'postgres' }, spec: { selector, ports } });

describe('target resolution', () => {
  it('says why a pod cannot serve: terminating, not running, not ready (with the waiting reason)', () => {
    expect(podUnreadyReason(pod('a'))).toBeUndefined();
    expect(podUnreadyReason(pod('a', { deleting: true }))).toBe('pod a is terminating');
    expect(podUnreadyReason(pod('a', { phase: 'Pending' }))).toBe('pod a is not running (phase Pending)');
    expect(podUnreadyReason(pod('a', { ready: false, waiting: 'CrashLoopBackOff' }))).toBe('pod a is not ready (CrashLoopBackOff)');
  });

  it('keeps the current pod while it is Ready, else takes the oldest Ready one', () => {
    const pods = [pod('b', { created: '2026-12-01T09:00:00Z' }), pod('a', { created: '2026-12-01T10:00:00Z' }), pod('c', { created: '2026-12-01T08:00:00Z', ready: false })];
    expect(pickReadyPod(pods)?.metadata.name).toBe('b');
    expect(pickReadyPod(pods, 'a')?.metadata.name).toBe('a');
    expect(pickReadyPod(pods, 'c')?.metadata.name).toBe('b');
    expect(pickReadyPod([pod('x', { ready: false })])).toBeUndefined();
  });

  it('names why no pod serves: none exist, or none is Ready', () => {
    const target = { kind: 'statefulset', name: 'postgres' } as const;
    expect(noReadyPodReason(target, [])).toBe('no pod of statefulset postgres exists (pod not found)');
    expect(noReadyPodReason(target, [pod('postgres-0', { phase: 'Pending' })])).toBe('no Ready pod of statefulset postgres (pod not ready): pod postgres-0 is not running (phase Pending)');
  });

  it('maps a service port by number or name to its targetPort, defaulting to the port itself', () => {
    const svc = service([
      { name: 'pg', port: 5432, targetPort: 'postgres' },
      { name: 'metrics', port: 80, targetPort: 9187 },
      { name: 'plain', port: 6000 },
      { name: 'digits', port: 7000, targetPort: '7001' },
    ]);
    expect(serviceTargetPort(svc, 5432)).toBe('postgres');
    expect(serviceTargetPort(svc, 'metrics')).toBe(9187);
    expect(serviceTargetPort(svc, 6000)).toBe(6000);
    expect(serviceTargetPort(svc, 7000)).toBe(7001);
    expect(() => serviceTargetPort(svc, 1234)).toThrow('service postgres has no port 1234; its ports: 5432 (pg), 80 (metrics), 6000 (plain), 7000 (digits)');
  });

  it('resolves a container port name in the pod, and takes numbers as they are (as kubectl does)', () => {
    expect(podPortNumber(pod('p'), 'postgres')).toBe(5432);
    expect(podPortNumber(pod('p'), 15432)).toBe(15432);
    expect(() => podPortNumber(pod('p'), 'http')).toThrow('pod p has no container port named "http"; its ports: postgres=5432, 9187');
  });

  it('turns selectors into label-selector queries, and refuses a service without one', () => {
    expect(labelSelectorOf({ app: 'redis', tier: 'cache' })).toBe('app=redis,tier=cache');
    expect(
      labelSelectorOf({
        matchLabels: { app: 'api' },
        matchExpressions: [
          { key: 'track', operator: 'In', values: ['stable', 'canary'] },
          { key: 'legacy', operator: 'DoesNotExist' },
          { key: 'zone', operator: 'NotIn', values: ['b'] },
          { key: 'owner', operator: 'Exists' },
        ],
      }),
    ).toBe('app=api,track in (stable,canary),!legacy,zone notin (b),owner');
    expect(podSelectorOf({ kind: 'service', name: 'postgres' }, service([]))).toBe('app=postgres');
    expect(() => podSelectorOf({ kind: 'service', name: 'external' }, service([], null))).toThrow(/service external has no selector/);
  });
});
