/**
 * Access reviews and 403s through the real client-node, against a small API server that, like
 * an RBAC-restricted cluster, answers SelfSubjectAccessReviews and refuses writes (the drill
 * cluster has one all-powerful token, so it cannot play a user without rights).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainApiError } from '../../../src/main/procedures/api-errors';
import { ClusterActions } from '../../../src/main/procedures/cluster-actions';
import { ProcedureService } from '../../../src/main/procedures/procedure-service';
import { loadRunbookFile } from '../../../src/main/runbook/loader';
import { CockpitFailure } from '../../../src/shared/result';
import { quietLogger } from './drill-fixture';

let server: Server;
let kubeConfig: KubeConfig;
const reviews: unknown[] = [];

const status = (code: number, reason: string, message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json');
      if (req.method === 'POST' && req.url?.startsWith('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')) {
        const review = JSON.parse(body) as { spec: { resourceAttributes: { verb: string } } };
        reviews.push(review.spec.resourceAttributes);
        const allowed = ['get', 'list'].includes(review.spec.resourceAttributes.verb);
        res.end(JSON.stringify({ ...review, status: { allowed, ...(allowed ? {} : { reason: 'RBAC: role view does not allow it' }) } }));
        return;
      }
      res.statusCode = 403;
      res.end(status(403, 'Forbidden', `deployments.apps "codesign-api" is forbidden: User "viewer" cannot ${req.method === 'PATCH' ? 'patch' : 'get'} resource "deployments" in API group "apps" in the namespace "codesign-production"`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'rbac', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'viewer', token: 'viewer-token' }],
    contexts: [{ name: 'rbac', cluster: 'rbac', user: 'viewer', namespace: 'codesign-production' }],
    currentContext: 'rbac',
  });
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

describe('access reviews and 403', () => {
  it('asks the API before offering a change and names the verb and resource it lacks', async () => {
    const actions = new ClusterActions(kubeConfig);
    const verdict = await actions.access({ type: 'k8s.scale', params: { namespace: 'codesign-production', deployment: 'codesign-api', replicas: 5 } });
    expect(verdict).toEqual({ allowed: false, checked: true, missing: 'patch deployments/scale.apps in codesign-production', reason: 'RBAC: role view does not allow it' });
    expect(reviews.at(-1)).toMatchObject({ verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', name: 'codesign-api' });
    expect(await actions.access({ type: 'k8s.pods', params: { namespace: 'codesign-production' } })).toEqual({ allowed: true, checked: true });
  });

  it('the preview shows the step as not allowed and the run refuses it before touching anything', async () => {
    const runbook = await loadRunbookFile(path.resolve('resources/runbooks/codesign-playground.yaml'));
    const service = new ProcedureService({
      runbook,
      currentContext: async () => 'rbac',
      kubeConfig: async () => kubeConfig,
      recorder: { writable: async () => false, read: async () => [], append: () => Promise.reject(new Error('unused')) },
      actor: 'viewer',
      logger: quietLogger,
    });
    const preview = await service.preview({ stepId: 'response.scale-up' });
    expect(preview.access).toMatchObject({ allowed: false, missing: 'patch deployments/scale.apps in codesign-production' });
    expect(preview.diff).toBeUndefined();
    let run = await service.start({ stepId: 'response.scale-up' });
    while (run.status === 'running') {
      await new Promise((r) => setTimeout(r, 20));
      run = service.get(run.id);
    }
    expect(run.status).toBe('failed');
    expect(run.reason).toMatch(/lacks "patch deployments\/scale.apps in codesign-production"/);
    service.dispose();
  });

  it('a 403 from the API reads as who may not do what, and what to ask for', async () => {
    const actions = new ClusterActions(kubeConfig);
    const error = await actions.rolloutHistory('codesign-production', 'codesign-api').catch((e: unknown) => explainApiError(e, { context: 'rbac', namespace: 'codesign-production', doing: 'read the rollout history' }));
    expect(error).toBeInstanceOf(CockpitFailure);
    expect((error as CockpitFailure).code).toBe('Forbidden');
    expect((error as CockpitFailure).message).toMatch(/Not allowed to read the rollout history in context rbac.*User "viewer" cannot get.*Ask for a role/);
  });
});
