/**
 * Every object the drill cluster serves, once the simulated world has seeded it, validates
 * against the official Kubernetes schemas (kubernetes-models); Certificates against the CRD
 * schema the cluster itself serves; metrics structurally.
 */
import { request as httpsRequest } from 'node:https';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as apps from 'kubernetes-models/apps/v1';
import * as apiextensions from 'kubernetes-models/apiextensions.k8s.io/v1';
import * as autoscalingV1 from 'kubernetes-models/autoscaling/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import * as discovery from 'kubernetes-models/discovery.k8s.io/v1';
import { DrillCluster } from '../../../packages/drill-cluster/src/cluster';
import { apiVersionOf, RESOURCES, type ResourceDescriptor } from '../../../packages/drill-cluster/src/resources';

type Validatable = { validate(): void };
type ModelClass = new (data: never) => Validatable;

const MODELS: Record<string, ModelClass> = {
  'v1/Namespace': core.Namespace,
  'v1/Node': core.Node,
  'v1/Pod': core.Pod,
  'v1/Service': core.Service,
  'v1/Endpoints': core.Endpoints,
  'v1/Secret': core.Secret,
  'v1/ConfigMap': core.ConfigMap,
  'v1/Event': core.Event,
  'v1/PersistentVolume': core.PersistentVolume,
  'v1/PersistentVolumeClaim': core.PersistentVolumeClaim,
  'v1/ServiceAccount': core.ServiceAccount,
  'apps/v1/Deployment': apps.Deployment,
  'apps/v1/ReplicaSet': apps.ReplicaSet,
  'apps/v1/StatefulSet': apps.StatefulSet,
  'batch/v1/Job': batch.Job,
  'batch/v1/CronJob': batch.CronJob,
  'autoscaling/v1/HorizontalPodAutoscaler': autoscalingV1.HorizontalPodAutoscaler,
  'autoscaling/v2/HorizontalPodAutoscaler': autoscalingV2.HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
  'discovery.k8s.io/v1/EndpointSlice': discovery.EndpointSlice,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': apiextensions.CustomResourceDefinition,
};

let cluster: DrillCluster;

function get<T>(path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${cluster.url}${path}`,
      { ca: cluster.caCertificate, headers: { Authorization: `Bearer ${cluster.token}`, Accept: 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode} ${text}`));
          else resolve(JSON.parse(text) as T);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function listPath(d: ResourceDescriptor): string {
  return `${d.group ? `/apis/${d.group}` : '/api'}/${d.version}/${d.plural}`;
}

type Item = { apiVersion?: string; kind?: string; metadata: { name: string; namespace?: string } } & Record<string, unknown>;

beforeAll(async () => {
  cluster = await DrillCluster.start({ postgres: 'none', redis: 'none' });
});

afterAll(async () => {
  await cluster?.stop();
});

describe('served objects match the official schemas', () => {
  it('the world seeded the kinds the runbook touches', async () => {
    const counts: Record<string, number> = {};
    for (const d of RESOURCES.filter((r) => !r.computed)) {
      const list = await get<{ items: Item[] }>(listPath(d));
      counts[`${apiVersionOf(d.group, d.version)}/${d.kind}`] = list.items.length;
    }
    for (const kind of [
      'v1/Namespace',
      'v1/Node',
      'v1/Pod',
      'v1/Service',
      'v1/Secret',
      'v1/PersistentVolume',
      'v1/PersistentVolumeClaim',
      'apps/v1/Deployment',
      'apps/v1/ReplicaSet',
      'apps/v1/StatefulSet',
      'batch/v1/Job',
      'autoscaling/v2/HorizontalPodAutoscaler',
      'cert-manager.io/v1/Certificate',
      'apiextensions.k8s.io/v1/CustomResourceDefinition',
    ]) {
      expect(counts[kind], kind).toBeGreaterThan(0);
    }
  });

  for (const d of RESOURCES.filter((r) => !r.computed && r.group !== 'cert-manager.io')) {
    const key = `${apiVersionOf(d.group, d.version)}/${d.kind}`;
    it(`${key} objects validate`, async () => {
      const Model = MODELS[key];
      expect(Model, `no model for ${key}`).toBeDefined();
      const list = await get<{ items: Item[] }>(listPath(d));
      const failures: string[] = [];
      for (const item of list.items) {
        expect(item.apiVersion).toBe(apiVersionOf(d.group, d.version));
        expect(item.kind).toBe(d.kind);
        try {
          new (Model as ModelClass)(item as never).validate();
        } catch (error) {
          failures.push(`${item.metadata.namespace ?? ''}/${item.metadata.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }

  it('certificates validate against the CRD schema the cluster serves', async () => {
    const crd = await get<{ spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> } }>(
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/certificates.cert-manager.io',
    );
    const schema = crd.spec.versions.find((v) => v.name === 'v1')?.schema.openAPIV3Schema;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
    ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    const validate = ajv.compile(schema as object);
    const list = await get<{ items: Item[] }>('/apis/cert-manager.io/v1/certificates');
    expect(list.items.length).toBeGreaterThan(0);
    for (const item of list.items) {
      expect(validate(item), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('node and pod metrics carry timestamps, windows and parseable usage', async () => {
    const quantity = /^\d+(\.\d+)?(n|u|m|Ki|Mi|Gi|k|M|G)?$/;
    const nodes = await get<{ kind: string; items: Array<{ metadata: { name: string }; timestamp: string; window: string; usage: { cpu: string; memory: string } }> }>(
      '/apis/metrics.k8s.io/v1beta1/nodes',
    );
    expect(nodes.kind).toBe('NodeMetricsList');
    expect(nodes.items.length).toBeGreaterThanOrEqual(3);
    for (const node of nodes.items) {
      expect(Number.isNaN(Date.parse(node.timestamp))).toBe(false);
      expect(node.window).toMatch(/^\d+(\.\d+)?s$/);
      expect(node.usage.cpu).toMatch(quantity);
      expect(node.usage.memory).toMatch(quantity);
    }
    const pods = await get<{ items: Array<{ metadata: { namespace: string }; containers: Array<{ name: string; usage: { cpu: string; memory: string } }> }> }>(
      '/apis/metrics.k8s.io/v1beta1/namespaces/codesign-production/pods',
    );
    expect(pods.items.length).toBeGreaterThan(0);
    for (const pod of pods.items) {
      expect(pod.metadata.namespace).toBe('codesign-production');
      expect(pod.containers.length).toBeGreaterThan(0);
      for (const container of pod.containers) expect(container.usage.memory).toMatch(quantity);
    }
  });
});
