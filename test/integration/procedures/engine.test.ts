/**
 * The procedure engine against the drill cluster: each action's effect asserted on the real
 * cluster state through client-node, the risk gate, the revert, and the API errors a responder
 * meets (404, 409, 422; 401 for a token the cluster does not know).
 */
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterActions } from '../../../src/main/procedures/cluster-actions';
import { explainApiError } from '../../../src/main/procedures/api-errors';
import { loadRunbookFile } from '../../../src/main/runbook/loader';
import type { ProcedureRunRecord } from '../../../src/shared/procedures/model';
import { CockpitFailure } from '../../../src/shared/result';
import { NS, startDrillFixture, type DrillFixture } from './drill-fixture';

let fx: DrillFixture;
let apps: AppsV1Api;
let core: CoreV1Api;

const deployment = () => apps.readNamespacedDeployment({ name: 'codesign-api', namespace: NS });
const apiEnv = async () => (await deployment()).spec!.template.spec!.containers[0]!.env ?? [];

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, tries = 600): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)?.slice(0, 300)}`);
}

/** Starts a run of `stepId` and, when it waits, confirms it (with `typedName` for destructive steps). */
async function runConfirmed(stepId: string, values: Record<string, string> = {}, typedName?: string) {
  const started = await fx.service.start({ stepId, values });
  const waiting = await fx.settled(started.id);
  if (waiting.status === 'awaiting-confirmation') {
    await fx.service.confirm(waiting.id, typedName);
    return fx.settled(waiting.id);
  }
  return waiting;
}

beforeAll(async () => {
  const runbook = await loadRunbookFile(path.resolve('resources/runbooks/codesign-playground.yaml'));
  fx = await startDrillFixture(runbook);
  apps = fx.kubeConfig.makeApiClient(AppsV1Api);
  core = fx.kubeConfig.makeApiClient(CoreV1Api);
}, 60_000);

afterAll(async () => {
  await fx?.stop();
});

describe('procedure engine on the drill cluster', () => {
  it('scale up previews the dry run (the deployment and its HPA), waits for the confirmation, then 5 replicas hold against the HPA; the revert puts 3 and the HPA back', async () => {
    const started = await fx.service.start({ stepId: 'response.scale-up' });
    const waiting = await fx.settled(started.id);
    expect(waiting.status).toBe('awaiting-confirmation');
    expect(waiting.steps[0]!.preview!.diff).toEqual([
      { kind: 'removed', path: 'spec.replicas', value: '3' },
      { kind: 'added', path: 'spec.replicas', value: '5' },
      { kind: 'removed', path: 'hpa/codesign-api-hpa: spec.minReplicas', value: '3' },
      { kind: 'added', path: 'hpa/codesign-api-hpa: spec.minReplicas', value: '5' },
    ]);
    expect(waiting.steps[0]!.preview!.summary).toContain('HPA codesign-api-hpa manages it');
    expect((await deployment()).spec!.replicas).toBe(3);
    expect(waiting.steps[0]!.kubectl).toBe('kubectl scale deployment codesign-api --replicas=5 -n codesign-production');

    await fx.service.confirm(waiting.id);
    const done = await fx.settled(waiting.id);
    expect(done.status).toBe('succeeded');
    await until(deployment, (d) => d.status?.readyReplicas === 5, '5 ready replicas');
    // Past the HPA's scale-down window (300 simulated seconds at 60x): still 5.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect((await deployment()).spec!.replicas).toBe(5);

    const record = fx.records.get('session')!.at(-1)!;
    expect(record.type).toBe('procedure.run');
    const body = record.body as ProcedureRunRecord;
    expect(body.steps[0]!.revert).toMatchObject({ replaced: 'replicas 3, HPA codesign-api-hpa min 3 max 10' });
    const revert = await fx.service.start({ revertOf: { logId: 'session', seq: record.seq, step: 0 } });
    expect((await fx.settled(revert.id)).status).toBe('awaiting-confirmation');
    await fx.service.confirm(revert.id);
    expect((await fx.settled(revert.id)).status).toBe('succeeded');
    expect((await deployment()).spec!.replicas).toBe(3);
    const hpa = await fx.kubeConfig.makeApiClient(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ name: 'codesign-api-hpa', namespace: NS });
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 10 });
  });

  it('set env sets the variable, and the form with KEY- unsets it', async () => {
    expect((await runConfirmed('response.enable-circuit-breakers')).status).toBe('succeeded');
    expect(await apiEnv()).toContainEqual({ name: 'CIRCUIT_BREAKER_ENABLED', value: 'true' });
    const unset = await runConfirmed('response.enable-circuit-breakers', { env: 'CIRCUIT_BREAKER_ENABLED-' });
    expect(unset.status).toBe('succeeded');
    expect(unset.steps[0]!.kubectl).toContain('CIRCUIT_BREAKER_ENABLED-');
    expect((await apiEnv()).map((e) => e.name)).not.toContain('CIRCUIT_BREAKER_ENABLED');
  });

  it('set image changes the image and offers the old one back; resources patch raises the memory limit', async () => {
    const before = (await deployment()).spec!.template.spec!.containers[0]!.image;
    const run = await runConfirmed('application-updates.set-image', { image: 'codesign-playground:v2.1.0' });
    expect(run.status).toBe('succeeded');
    expect((await deployment()).spec!.template.spec!.containers[0]!.image).toBe('codesign-playground:v2.1.0');
    expect(run.steps[0]!.revert?.replaced).toBe(`image ${before}`);

    expect((await runConfirmed('memory-leaks.raise-memory-limit', { 'limits.memory': '3Gi' })).status).toBe('succeeded');
    expect((await deployment()).spec!.template.spec!.containers[0]!.resources?.limits?.memory).toBe('3Gi');
  });

  it('rollout undo returns the previous template (kubectl semantics) and rollout status sees it finish', async () => {
    const history = await fx.service.start({ stepId: 'rollback-process.history' });
    const historyRun = await fx.settled(history.id);
    expect(historyRun.steps[0]!.output).toMatch(/REVISION/);
    await until(deployment, (d) => d.status?.updatedReplicas === d.spec?.replicas && d.status?.availableReplicas === d.spec?.replicas, 'previous rollout done');
    const current = (await deployment()).spec!.template.spec!.containers[0]!.image;
    const started = await fx.service.start({ stepId: 'rollback-process.undo' });
    const waiting = await fx.settled(started.id);
    expect(waiting.steps[0]!.risk).toBe('destructive');
    expect(waiting.steps[0]!.preview!.summary).toMatch(/→ revision/);
    // No typed name, or the wrong one: refused, and nothing changed.
    await expect(fx.service.confirm(waiting.id)).rejects.toThrow(/type "codesign-api"/);
    await expect(fx.service.confirm(waiting.id, 'codesign')).rejects.toThrow(/type "codesign-api"/);
    expect((await deployment()).spec!.template.spec!.containers[0]!.image).toBe(current);
    await fx.service.confirm(waiting.id, 'codesign-api');
    expect((await fx.settled(waiting.id)).status).toBe('succeeded');
    // The previous revision is the one before the memory limit patch: its template has no 3Gi limit.
    const after = (await deployment()).spec!.template.spec!.containers[0]!;
    expect(after.image).toBe(current);
    expect(after.resources?.limits?.memory).not.toBe('3Gi');
    const status = await fx.service.start({ stepId: 'rollback-process.status' });
    const statusRun = await fx.settled(status.id);
    expect(statusRun.status).toBe('succeeded');
    expect(statusRun.steps[0]!.output).toMatch(/successfully rolled out/);
  });

  it('delete pods uses the label and field selectors: only pods not Running go', async () => {
    await until(deployment, (d) => d.status?.updatedReplicas === d.spec?.replicas && d.status?.replicas === d.spec?.replicas && d.status?.availableReplicas === d.spec?.replicas, 'rollout done');
    const pods = await until(
      () => core.listNamespacedPod({ namespace: NS, labelSelector: 'app=codesign-api' }),
      (l) => l.items.every((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp),
      'all API pods running',
    );
    const run = await runConfirmed('response.delete-unhealthy-pods', {}, 'codesign-api');
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]!.output).toBe('No resources found');
    const after = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=codesign-api' });
    expect(after.items.map((p) => p.metadata!.name).sort()).toEqual(pods.items.map((p) => p.metadata!.name).sort());

    // The whole label selector (no field selector): every API pod is deleted and replaced.
    const all = await runConfirmed('memory-leaks.delete-pods', {}, 'codesign-api');
    expect(all.status).toBe('succeeded');
    const names = new Set(pods.items.map((p) => p.metadata!.name));
    const now = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=codesign-api' });
    expect(now.items.filter((p) => names.has(p.metadata!.name!) && !p.metadata?.deletionTimestamp)).toHaveLength(0);
  });

  it('deleting the certificate takes the typed name; the certificate is gone from the cluster', async () => {
    const list = await fx.settled((await fx.service.start({ stepId: 'certificate-renewal.list' })).id);
    expect(list.steps[0]!.output).toMatch(/codesign-tls/);
    const run = await runConfirmed('certificate-renewal.delete', {}, 'codesign-tls');
    expect(run.status).toBe('succeeded');
    const custom = fx.kubeConfig.makeApiClient(CustomObjectsApi);
    const uid = await custom
      .getNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', namespace: NS, plural: 'certificates', name: 'codesign-tls' })
      .then((c: { metadata?: { uid?: string } }) => c.metadata?.uid, () => undefined);
    const old = run.steps[0]!.preview!.diff.find((l) => l.path === 'metadata.name');
    expect(old?.kind).toBe('removed');
    // cert-manager (simulated) may recreate it; the one we deleted is gone either way.
    if (uid) expect(run.steps[0]!.preview!.diff.some((l) => l.value.includes(uid))).toBe(false);
  });

  it('rotating the secret writes new random values that never appear in the run or its record', async () => {
    const before = await core.readNamespacedSecret({ name: 'codesign-secrets', namespace: NS });
    const run = await runConfirmed('security-incident-response.create-secret', {}, 'codesign-secrets');
    expect(run.status).toBe('succeeded');
    const after = await core.readNamespacedSecret({ name: 'codesign-secrets', namespace: NS });
    for (const key of ['postgres-password', 'redis-password', 'secret-key']) {
      expect(after.data![key]).toBeDefined();
      expect(after.data![key]).not.toBe(before.data?.[key]);
      const plain = Buffer.from(after.data![key]!, 'base64').toString();
      const everything = JSON.stringify([run, fx.records.get('session')]);
      expect(everything).not.toContain(plain);
      expect(everything).not.toContain(after.data![key]);
    }
    expect(Buffer.from(Buffer.from(after.data!['secret-key']!, 'base64').toString(), 'base64')).toHaveLength(64);
    expect(run.steps[0]!.output).toMatch(/PostgreSQL and Redis/);
  });

  it('rollout restart stamps the pod template; deleting the secret removes it and the rotation creates it afresh', async () => {
    const before = (await deployment()).spec!.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
    expect((await runConfirmed('security-incident-response.restart')).status).toBe('succeeded');
    const stamped = (await deployment()).spec!.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
    expect(stamped).toBeDefined();
    expect(stamped).not.toBe(before);

    const deleted = await runConfirmed('security-incident-response.delete-secret', {}, 'codesign-secrets');
    expect(deleted.status).toBe('succeeded');
    expect(JSON.stringify(deleted.steps[0]!.preview)).toMatch(/hidden, \d+ bytes/);
    await expect(core.readNamespacedSecret({ name: 'codesign-secrets', namespace: NS })).rejects.toMatchObject({ code: 404 });
    const created = await runConfirmed('security-incident-response.create-secret', {}, 'codesign-secrets');
    expect(created.status).toBe('succeeded');
    const secret = await core.readNamespacedSecret({ name: 'codesign-secrets', namespace: NS });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['postgres-password', 'redis-password', 'secret-key']);
  });

  it('a 409 on the write is retried once on a fresh read', async () => {
    const actions = new ClusterActions(fx.kubeConfig);
    const stale = await core.readNamespacedSecret({ name: 'codesign-secrets', namespace: NS });
    await core.replaceNamespacedSecret({ name: 'codesign-secrets', namespace: NS, body: { ...stale, data: { ...stale.data, extra: 'eA==' } } });
    let reads = 0;
    const result = await actions.rotate(
      NS,
      'codesign-secrets',
      (current) => core.replaceNamespacedSecret({ name: 'codesign-secrets', namespace: NS, body: { ...current!, data: { ...current!.data, extra: 'eQ==' } } }),
      async () => (reads++ === 0 ? stale : core.readNamespacedSecret({ name: 'codesign-secrets', namespace: NS })),
    );
    expect(reads).toBe(2);
    expect(result.data!.extra).toBe('eQ==');
  });

  it('errors read as what to do: 404 names the context and namespace, 422 the rejected values, 401 the credentials', async () => {
    const actions = new ClusterActions(fx.kubeConfig);
    const scope = { context: 'drill', namespace: NS, doing: 'scale deployment nope' };
    const missing = await actions.prepare({ type: 'k8s.scale', params: { namespace: NS, deployment: 'nope', replicas: 2 } }).catch((e: unknown) => explainApiError(e, scope));
    expect(missing).toBeInstanceOf(CockpitFailure);
    expect((missing as CockpitFailure).code).toBe('NotFound');
    expect((missing as CockpitFailure).message).toMatch(/context drill, namespace codesign-production/);

    const invalid = await actions
      .prepare({ type: 'k8s.scale', params: { namespace: NS, deployment: 'codesign-api', replicas: -1 } })
      .catch((e: unknown) => explainApiError(e, scope));
    expect((invalid as CockpitFailure).code).toBe('Invalid');
    expect((invalid as CockpitFailure).message).toMatch(/rejected the values/);

    const stranger = new KubeConfig();
    stranger.loadFromString(fx.kubeconfigText.replace(fx.cluster.token, 'not-the-token'));
    const refused = await new ClusterActions(stranger).prepare({ type: 'k8s.pods', params: { namespace: NS } }).then((p) => p.execute(() => {}, new AbortController().signal)).catch((e: unknown) => explainApiError(e, scope));
    expect((refused as CockpitFailure).code).toBe('Unauthorized');

    // Through the service: a failing step stops the run with the reason.
    const run = await fx.service.start({ stepId: 'response.scale-up', namespace: 'no-such-namespace' });
    const failed = await fx.settled(run.id);
    expect(failed.status).toBe('failed');
    expect(failed.reason).toMatch(/Check that context drill, namespace no-such-namespace/);
  });

  it('the health check fails during the bad deploy and passes after the rollback', async () => {
    fx.inject('bad-deploy');
    const failing = await until(
      async () => fx.settled((await fx.service.start({ stepId: 'rollback-process.health-check' })).id),
      (r) => r.status === 'failed',
      'a failing health check',
      100,
    );
    expect(failing.steps[0]!.checks!.find((c) => c.name === 'Pods running and ready')!.status).toBe('fail');
    fx.clear('bad-deploy');
    const undo = await fx.settled((await fx.service.start({ stepId: 'rollback-process.undo' })).id);
    await fx.service.confirm(undo.id, 'codesign-api');
    expect((await fx.settled(undo.id)).status).toBe('succeeded');
    const passing = await until(
      async () => fx.settled((await fx.service.start({ stepId: 'rollback-process.health-check' })).id),
      (r) => r.steps[0]!.checks?.find((c) => c.name === 'Pods running and ready')?.status === 'pass' && r.steps[0]!.checks?.find((c) => c.name === 'Deployments available')?.status === 'pass',
      'a passing health check',
      200,
    );
    expect(passing.steps[0]!.checks!.map((c) => c.name)).toEqual([
      'Pods running and ready',
      'Deployments available',
      'No recent warning events',
      'Nodes Ready',
      'Database reachable',
      'Cache reachable',
      'Alerts quiet',
    ]);
  }, 120_000);
});
