/**
 * Issue 16, the write commands that need the server's OpenAPI and field ownership, with the real
 * kubectl against the drill: apply (client- and server-side, dry-run), edit with KUBE_EDITOR,
 * replace from `get -o yaml`, explain, diff, apply conflicts between two field managers, and the
 * typed-client commands that post protobuf (create job --from, create deployment, autoscale).
 */
import { chmod, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import descriptors from '../../../packages/drill-cluster/src/protobuf/kubernetes-protos.json' with { type: 'json' };
import { KubectlHarness } from './kubectl-harness';

const NS = 'codesign-production';

let cluster: DrillCluster;
let kubectl: KubectlHarness;

function raw(method: string, urlPath: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // Node sends a DELETE body neither chunked nor with a length unless told its length.
    const length = body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
    const req = httpsRequest(`${cluster.url}${urlPath}`, { method, ca: cluster.caCertificate, headers: { Authorization: `Bearer ${cluster.token}`, ...length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function deploymentManifest(name: string, replicas: number, image = 'nginx:1.27'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${NS}
  labels: {app: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: web
        image: ${image}
        ports: [{containerPort: 80}]
`;
}

async function manifestFile(name: string, text: string): Promise<string> {
  const file = path.join(kubectl.dir, name);
  await writeFile(file, text);
  return file;
}

async function replicasOf(name: string): Promise<number> {
  return (await kubectl.json<{ spec: { replicas: number } }>(['get', 'deployment', name, '-n', NS])).spec.replicas;
}

beforeAll(async () => {
  cluster = await DrillCluster.start({ speed: 30, postgres: 'none', redis: 'none' });
  kubectl = await KubectlHarness.create(cluster);
});

afterAll(async () => {
  await kubectl?.dispose();
  await cluster?.stop();
});

describe('OpenAPI documents', () => {
  it('explains a field and a whole kind recursively, from /openapi/v3', async () => {
    const field = await kubectl.run(['explain', 'deployment.spec.replicas']);
    expect(field.code, field.stderr).toBe(0);
    expect(field.stdout).toContain('FIELD: replicas <integer>');
    expect(field.stdout).toContain('Number of desired pods');
    const pods = await kubectl.run(['explain', 'pods', '--recursive']);
    expect(pods.code, pods.stderr).toBe(0);
    expect(pods.stdout).toMatch(/containers\s+<\[\]Container> -required-/);
    expect(pods.stdout).toMatch(/terminationGracePeriodSeconds\s+<integer>/);
    const certificate = await kubectl.run(['explain', 'certificates.spec.secretName']);
    expect(certificate.code, certificate.stderr).toBe(0);
  });

  it('explains from the protobuf /openapi/v2 too', async () => {
    const v2 = await kubectl.run(['explain', 'deployment.spec.template.spec.containers.ports', '--output=plaintext-openapiv2']);
    expect(v2.code, v2.stderr).toBe(0);
    expect(v2.stdout).toMatch(/containerPort\s+<integer> -required-/);
  });

  it('answers the v3 index with hashed URLs; a stale hash redirects, a current one is immutable, If-None-Match is 304', async () => {
    const index = JSON.parse((await raw('GET', '/openapi/v3')).body.toString()) as { paths: Record<string, { serverRelativeURL: string }> };
    expect(Object.keys(index.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/autoscaling/v2', 'apis/autoscaling/v1', 'apis/cert-manager.io/v1']));
    const url = index.paths['apis/apps/v1']?.serverRelativeURL as string;
    const current = await raw('GET', url);
    expect(current.status).toBe(200);
    expect(current.headers['cache-control']).toBe('public, immutable');
    const stale = await raw('GET', '/openapi/v3/apis/apps/v1?hash=0000');
    expect(stale.status).toBe(301);
    expect(stale.headers.location).toBe(url);
    const again = await raw('GET', '/openapi/v3/apis/apps/v1', undefined, { 'If-None-Match': String(current.headers.etag) });
    expect(again.status).toBe(304);
    const missing = await raw('GET', '/openapi/v3/apis/example.com/v1');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString())).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, details: {} });
  });
});

describe('apply, edit, replace and diff', () => {
  it('applies a manifest client-side, then again unchanged, and previews with --dry-run=server', async () => {
    const file = await manifestFile('web-apply.yaml', deploymentManifest('web-apply', 2));
    const first = await kubectl.run(['apply', '-f', file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('deployment.apps/web-apply created');
    const second = await kubectl.run(['apply', '-f', file]);
    expect(second.stdout).toContain('deployment.apps/web-apply unchanged');
    const bigger = await manifestFile('web-apply-3.yaml', deploymentManifest('web-apply', 3));
    const dry = await kubectl.run(['apply', '-f', bigger, '--dry-run=server']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('deployment.apps/web-apply configured (server dry run)');
    expect(await replicasOf('web-apply')).toBe(2);
  });

  it('diffs a changed manifest (exit 1, the change shown) and an equal one (exit 0, nothing shown)', async () => {
    const file = await manifestFile('web-diff.yaml', deploymentManifest('web-diff', 2));
    expect((await kubectl.run(['apply', '-f', file])).code).toBe(0);
    const equal = await kubectl.run(['diff', '-f', file]);
    expect(equal.code, equal.stderr).toBe(0);
    expect(equal.stdout).toBe('');
    const changed = await kubectl.run(['diff', '-f', await manifestFile('web-diff-4.yaml', deploymentManifest('web-diff', 4))]);
    expect(changed.code, changed.stderr).toBe(1);
    expect(changed.stdout).toContain('-  replicas: 2');
    expect(changed.stdout).toContain('+  replicas: 4');
    expect(await replicasOf('web-diff')).toBe(2);
  });

  it('edits with KUBE_EDITOR: a change is written, no change is cancelled', async () => {
    const editor = path.join(kubectl.dir, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i "s/replicas: [0-9]*/replicas: 1/" "$1"\n');
    await chmod(editor, 0o755);
    const edited = await kubectl.run(['edit', 'deployment/celery-worker', '-n', NS], { env: { KUBE_EDITOR: editor } });
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stdout).toContain('deployment.apps/celery-worker edited');
    expect(await replicasOf('celery-worker')).toBe(1);
    const unchanged = await kubectl.run(['edit', 'deployment/celery-worker', '-n', NS], { env: { KUBE_EDITOR: 'true' } });
    expect(unchanged.code, unchanged.stderr).toBe(0);
    expect(unchanged.stderr).toContain('Edit cancelled, no changes made.');
    const managers = (await kubectl.json<{ metadata: { managedFields?: Array<{ manager: string; operation: string }> } }>(['get', 'deployment', 'celery-worker', '-n', NS, '--show-managed-fields'])).metadata.managedFields;
    expect(managers).toEqual(expect.arrayContaining([expect.objectContaining({ manager: 'kubectl-edit', operation: 'Update' })]));
  });

  it('replaces an object from its own get -o yaml', async () => {
    const yaml = await kubectl.run(['get', 'service', 'codesign-api', '-n', NS, '-o', 'yaml']);
    const replaced = await kubectl.run(['replace', '-f', '-'], { input: yaml.stdout.replace(/^(\s+)app: codesign-api$/m, '$1app: codesign-api\n$1replaced: "yes"') });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toContain('service/codesign-api replaced');
    const labels = (await kubectl.json<{ metadata: { labels: Record<string, string> } }>(['get', 'service', 'codesign-api', '-n', NS])).metadata.labels;
    expect(labels.replaced).toBe('yes');
  });
});

describe('server-side apply', () => {
  it('records the applier in managedFields, refuses another manager changing its field, and --force-conflicts takes it over', async () => {
    const file = await manifestFile('ssa.yaml', deploymentManifest('web-ssa', 2));
    const applied = await kubectl.run(['apply', '--server-side', '-f', file]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('deployment.apps/web-ssa serverside-applied');
    const object = await kubectl.json<{ metadata: { managedFields: Array<{ manager: string; operation: string; fieldsV1: Record<string, unknown> }> } }>(['get', 'deployment', 'web-ssa', '-n', NS, '--show-managed-fields']);
    const entry = object.metadata.managedFields.find((e) => e.manager === 'kubectl' && e.operation === 'Apply');
    expect(entry?.fieldsV1).toMatchObject({ 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {} } } } } } });

    const other = await manifestFile('ssa-5.yaml', deploymentManifest('web-ssa', 5));
    const conflict = await kubectl.run(['apply', '--server-side', '--field-manager=sre-oncall', '-f', other]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas');
    expect(await replicasOf('web-ssa')).toBe(2);

    const diff = await kubectl.run(['diff', '--server-side', '--force-conflicts', '--field-manager=sre-oncall', '-f', other]);
    expect(diff.code, diff.stderr).toBe(1);
    expect(diff.stdout).toContain('+  replicas: 5');

    const forced = await kubectl.run(['apply', '--server-side', '--field-manager=sre-oncall', '--force-conflicts', '-f', other]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await replicasOf('web-ssa')).toBe(5);
    const after = await kubectl.json<{ metadata: { managedFields: Array<{ manager: string; fieldsV1: { 'f:spec'?: Record<string, unknown> } }> } }>(['get', 'deployment', 'web-ssa', '-n', NS, '--show-managed-fields']);
    expect(after.metadata.managedFields.find((e) => e.manager === 'kubectl')?.fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
    expect(after.metadata.managedFields.find((e) => e.manager === 'sre-oncall')?.fieldsV1['f:spec']).toHaveProperty('f:replicas');
    const same = await kubectl.run(['diff', '--server-side', '--field-manager=sre-oncall', '-f', other]);
    expect(same.code, same.stderr).toBe(0);
  });

  it('takes over a client-side applied object with apply --server-side (kubectl upgrades its managed fields)', async () => {
    const file = await manifestFile('csa.yaml', deploymentManifest('web-csa', 2));
    expect((await kubectl.run(['apply', '-f', file])).code).toBe(0);
    const upgraded = await kubectl.run(['apply', '--server-side', '-f', await manifestFile('csa-3.yaml', deploymentManifest('web-csa', 3))]);
    expect(upgraded.code, upgraded.stderr).toBe(0);
    expect(await replicasOf('web-csa')).toBe(3);
    const entries = (await kubectl.json<{ metadata: { managedFields: Array<{ manager: string; operation: string }> } }>(['get', 'deployment', 'web-csa', '-n', NS, '--show-managed-fields'])).metadata.managedFields;
    expect(entries).toEqual(expect.arrayContaining([expect.objectContaining({ manager: 'kubectl', operation: 'Apply' })]));
  });

  it('answers the conflict as a real server does: 409, reason Conflict, a FieldManagerConflict cause per field', async () => {
    const body = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web-ssa' }, spec: { replicas: 7 } });
    const answer = await raw('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/web-ssa?fieldManager=intruder`, body, { 'Content-Type': 'application/apply-patch+yaml' });
    expect(answer.status).toBe(409);
    expect(JSON.parse(answer.body.toString())).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      details: { name: 'web-ssa', group: 'apps', kind: 'deployments', causes: [{ reason: 'FieldManagerConflict', field: '.spec.replicas', message: 'conflict with "sre-oncall" using apps/v1' }] },
    });
    const anonymous = await raw('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/web-ssa`, body, { 'Content-Type': 'application/apply-patch+yaml' });
    expect(anonymous.status).toBe(400);
    expect(JSON.parse(anonymous.body.toString())).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400, details: {} });
  });
});

describe('typed-client commands that post protobuf', () => {
  it('creates a job from the backup cronjob, a deployment, and an HPA with autoscale', async () => {
    const job = await kubectl.run(['create', 'job', '-n', NS, '--from=cronjob/backup', 'backup-now']);
    expect(job.code, job.stderr).toBe(0);
    expect(job.stdout).toContain('job.batch/backup-now created');
    const created = await kubectl.json<{ metadata: { ownerReferences?: Array<{ kind: string; name: string }>; annotations?: Record<string, string> }; spec: { template: { spec: { containers: Array<{ image: string }> } } } }>(['get', 'job', 'backup-now', '-n', NS]);
    expect(created.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(created.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'backup' });
    expect(created.spec.template.spec.containers[0]?.image).toBeTruthy();

    const deployment = await kubectl.run(['create', 'deployment', 'web-typed', '-n', NS, '--image=nginx:1.27', '--replicas=2', '--port=8080']);
    expect(deployment.code, deployment.stderr).toBe(0);
    const typed = await kubectl.json<{ spec: { replicas: number; template: { spec: { containers: Array<{ image: string; ports: Array<{ containerPort: number }> }> } } } }>(['get', 'deployment', 'web-typed', '-n', NS]);
    expect(typed.spec.replicas).toBe(2);
    expect(typed.spec.template.spec.containers[0]).toMatchObject({ image: 'nginx:1.27', ports: [{ containerPort: 8080 }] });

    const hpa = await kubectl.run(['autoscale', 'deployment', 'web-typed', '-n', NS, '--min=2', '--max=6', '--cpu-percent=70']);
    expect(hpa.code, hpa.stderr).toBe(0);
    const autoscaler = await kubectl.json<{ spec: { minReplicas: number; maxReplicas: number; scaleTargetRef: { name: string } } }>(['get', 'hpa', 'web-typed', '-n', NS]);
    expect(autoscaler.spec).toMatchObject({ minReplicas: 2, maxReplicas: 6, scaleTargetRef: { name: 'web-typed' } });
  });

  it('deletes with protobuf DeleteOptions (as typed clients send them), honouring their grace period', async () => {
    const root = protobuf.Root.fromJSON(descriptors as protobuf.INamespace);
    const options = root.lookupType('k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    const unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
    const raw0 = options.encode({ gracePeriodSeconds: 5 }).finish();
    const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from(unknown.encode({ typeMeta: { apiVersion: 'v1', kind: 'DeleteOptions' }, raw: raw0, contentType: '' }).finish())]);
    const pod = (await kubectl.run(['get', 'pods', '-n', NS, '-l', 'app=codesign-api', '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
    const answer = await raw('DELETE', `/api/v1/namespaces/${NS}/pods/${pod}`, body, { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
    expect(answer.status, answer.body.toString()).toBe(200);
    const deleted = JSON.parse(answer.body.toString()) as { metadata: { deletionGracePeriodSeconds?: number } };
    expect(deleted.metadata.deletionGracePeriodSeconds).toBe(5);
    const viaKubectl = await kubectl.run(['delete', 'pod', '-n', NS, '-l', 'app=celery-worker', '--grace-period=5', '--wait=false']);
    expect(viaKubectl.code, viaKubectl.stderr).toBe(0);
  });
});
