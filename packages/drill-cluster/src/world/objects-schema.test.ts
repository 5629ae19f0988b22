import * as apps from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as core from 'kubernetes-models/v1';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RESOURCE_KEYS } from '../resources';
import { patchMemoryLimit, rolloutRestart, scaleDeployment } from './kubectl-actions';
import { COMPLETES_AFTER_ANNOTATION } from './job-controllers';
import { startManualWorld, type ManualWorld } from './testing/manual-world';

type ModelClass = new (data: never) => { validate(): void };

const MODELS: Array<[string, ModelClass]> = [
  [RESOURCE_KEYS.pods, core.Pod],
  [RESOURCE_KEYS.events, core.Event],
  [RESOURCE_KEYS.endpoints, core.Endpoints],
  [RESOURCE_KEYS.persistentvolumes, core.PersistentVolume],
  [RESOURCE_KEYS.persistentvolumeclaims, core.PersistentVolumeClaim],
  [RESOURCE_KEYS.secrets, core.Secret],
  [RESOURCE_KEYS.nodes, core.Node],
  [RESOURCE_KEYS.deployments, apps.Deployment],
  [RESOURCE_KEYS.replicasets, apps.ReplicaSet],
  [RESOURCE_KEYS.statefulsets, apps.StatefulSet],
  [RESOURCE_KEYS.jobs, batch.Job],
  [RESOURCE_KEYS.cronjobs, batch.CronJob],
  [RESOURCE_KEYS.horizontalpodautoscalers, autoscalingV2.HorizontalPodAutoscaler],
];

let env: ManualWorld | undefined;
vi.setConfig({ testTimeout: 30_000 });

afterEach(async () => {
  await env?.world.stop();
  env = undefined;
});

describe('objects the world writes', () => {
  it('still validate against the official schemas after every scenario has churned them', async () => {
    env = await startManualWorld();
    const { world, store, clock } = env;
    for (const name of world.scenarios.active()) world.scenarios.clear(name);
    world.scenarios.inject('memory-leak');
    world.scenarios.inject('error-spike');
    world.scenarios.inject('bad-deploy');
    world.scenarios.inject('expiring-certificate');
    world.scenarios.inject('db-connection-exhaustion');
    store.delete(RESOURCE_KEYS.pods, 'codesign-production', 'postgres-0');
    store.delete(RESOURCE_KEYS.certificates, 'codesign-production', 'codesign-tls');
    const cron = store.get(RESOURCE_KEYS.cronjobs, 'codesign-production', 'backup')!;
    store.create(RESOURCE_KEYS.jobs, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'backup-manual', namespace: 'codesign-production', annotations: { [COMPLETES_AFTER_ANNOTATION]: '20' } },
      spec: structuredClone((cron.spec as { jobTemplate: { spec: unknown } }).jobTemplate.spec),
    });
    await clock.advance(13 * 60_000);
    patchMemoryLimit(store, 'codesign-production', 'celery-worker', 'celery-worker', '2Gi');
    scaleDeployment(store, 'codesign-production', 'celery-worker', 3);
    rolloutRestart(store, 'kube-system', 'coredns', clock.now());
    await clock.advance(2 * 60_000);

    const failures: string[] = [];
    for (const [resource, Model] of MODELS) {
      const objects = store.list(resource);
      expect(objects.length, resource).toBeGreaterThan(0);
      for (const object of objects) {
        try {
          new Model(object as never).validate();
        } catch (error) {
          failures.push(`${resource} ${object.metadata.namespace ?? ''}/${object.metadata.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    const reasons = new Set(store.list(RESOURCE_KEYS.events).map((e) => e.reason as string));
    for (const reason of ['Scheduled', 'Pulled', 'Created', 'Started', 'Killing', 'BackOff', 'OOMKilled', 'Unhealthy', 'ScalingReplicaSet', 'SuccessfulCreate', 'Issuing', 'Completed']) {
      expect(reasons, reason).toContain(reason);
    }
  });
});
