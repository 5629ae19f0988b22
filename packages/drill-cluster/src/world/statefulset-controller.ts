/**
 * The StatefulSet controller and the volume provisioner: ordinal pods (`postgres-0`) made in
 * order and recreated when deleted, their claims from `volumeClaimTemplates`, and claims bound
 * to freshly provisioned PersistentVolumes.
 */
import { RESOURCE_KEYS } from '../resources';
import type { KubeObject } from '../types';
import { isPodActive, isPodReady, writeStatus, type ControllerContext } from './controller-context';
import { podTemplateHash, rfc3339 } from './object-names';
import { podFromTemplate, type PodTemplate } from './workloads';

const SOURCE = { component: 'statefulset-controller' };

interface StatefulSetSpec {
  replicas?: number;
  serviceName?: string;
  template: PodTemplate;
  volumeClaimTemplates?: KubeObject[];
}

export class StatefulSetController {
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(namespace: string, name: string): void {
    const { store, events } = this.ctx;
    const sts = store.get(RESOURCE_KEYS.statefulsets, namespace, name);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const spec = sts.spec as StatefulSetSpec;
    const replicas = spec.replicas ?? 1;
    const revision = `${name}-${podTemplateHash(spec.template)}`;
    const pods = this.ctx.podsOwnedBy(sts.metadata.uid ?? '').filter(isPodActive);
    const byOrdinal = new Map(pods.map((p) => [Number(p.metadata.name.slice(name.length + 1)), p]));
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      const pod = byOrdinal.get(ordinal);
      if (!pod) {
        this.createPod(sts, spec, ordinal, revision);
        break;
      }
      if (!isPodReady(pod)) break;
    }
    for (const [ordinal, pod] of [...byOrdinal.entries()].sort((a, b) => b[0] - a[0])) {
      if (ordinal >= replicas) {
        store.delete(RESOURCE_KEYS.pods, namespace, pod.metadata.name);
        events.record(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`, SOURCE);
        break;
      }
    }
    const live = this.ctx.podsOwnedBy(sts.metadata.uid ?? '').filter(isPodActive);
    const ready = live.filter(isPodReady).length;
    const status: Record<string, unknown> = {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: live.length,
      readyReplicas: ready,
      currentReplicas: live.length,
      updatedReplicas: live.length,
      availableReplicas: ready,
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: 0,
    };
    if (ready === 0) {
      delete status.readyReplicas;
      status.availableReplicas = 0;
    }
    writeStatus(store, RESOURCE_KEYS.statefulsets, sts, status);
  }

  private createPod(sts: KubeObject, spec: StatefulSetSpec, ordinal: number, revision: string): void {
    const { store, events } = this.ctx;
    const namespace = sts.metadata.namespace ?? 'default';
    const podName = `${sts.metadata.name}-${ordinal}`;
    const template = structuredClone(spec.template);
    const podSpec = (template.spec ??= { containers: [] });
    const volumes = ((podSpec.volumes as Array<Record<string, unknown>> | undefined) ?? []).slice();
    for (const claimTemplate of spec.volumeClaimTemplates ?? []) {
      const claimName = `${claimTemplate.metadata.name}-${podName}`;
      if (!store.get(RESOURCE_KEYS.persistentvolumeclaims, namespace, claimName)) {
        store.create(RESOURCE_KEYS.persistentvolumeclaims, {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: {
            name: claimName,
            namespace,
            labels: { ...(spec.template.metadata?.labels ?? {}) },
          },
          spec: { volumeMode: 'Filesystem', ...structuredClone((claimTemplate.spec ?? {}) as Record<string, unknown>) },
          status: { phase: 'Pending' },
        });
        events.record(sts, 'Normal', 'SuccessfulCreate', `create Claim ${claimName} Pod ${podName} in StatefulSet ${sts.metadata.name} success`, SOURCE);
      }
      if (!volumes.some((v) => v.name === claimTemplate.metadata.name)) {
        volumes.push({ name: claimTemplate.metadata.name, persistentVolumeClaim: { claimName } });
      }
    }
    podSpec.volumes = volumes;
    podSpec.hostname = podName;
    if (spec.serviceName) podSpec.subdomain = spec.serviceName;
    store.create(
      RESOURCE_KEYS.pods,
      podFromTemplate(template, {
        name: podName,
        namespace,
        owner: sts,
        labels: {
          'statefulset.kubernetes.io/pod-name': podName,
          'apps.kubernetes.io/pod-index': String(ordinal),
          'controller-revision-hash': revision,
        },
      }),
    );
    events.record(sts, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${sts.metadata.name} successful`, SOURCE);
  }
}

/** Binds pending claims to newly provisioned volumes, as a dynamic provisioner would. */
export class VolumeProvisioner {
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(namespace: string, name: string): void {
    const { store, events, clock } = this.ctx;
    const claim = store.get(RESOURCE_KEYS.persistentvolumeclaims, namespace, name);
    if (!claim || (claim.status as Record<string, unknown> | undefined)?.phase === 'Bound') return;
    const spec = (claim.spec ?? {}) as Record<string, unknown>;
    const size = ((spec.resources as { requests?: Record<string, string> } | undefined)?.requests?.storage ?? '1Gi') as string;
    const accessModes = (spec.accessModes as string[] | undefined) ?? ['ReadWriteOnce'];
    const storageClassName = (spec.storageClassName as string | undefined) ?? 'standard';
    const volumeName = (spec.volumeName as string | undefined) ?? `pvc-${claim.metadata.uid}`;
    if (!store.get(RESOURCE_KEYS.persistentvolumes, undefined, volumeName)) {
      store.create(RESOURCE_KEYS.persistentvolumes, {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: {
          name: volumeName,
          annotations: { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' },
          finalizers: ['kubernetes.io/pv-protection'],
        },
        spec: {
          capacity: { storage: size },
          accessModes,
          persistentVolumeReclaimPolicy: 'Delete',
          storageClassName,
          volumeMode: 'Filesystem',
          hostPath: { path: `/var/lib/drill/volumes/${volumeName}`, type: 'DirectoryOrCreate' },
          claimRef: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            name,
            namespace,
            uid: claim.metadata.uid,
            resourceVersion: claim.metadata.resourceVersion,
          },
        },
        status: { phase: 'Bound', lastPhaseTransitionTime: rfc3339(clock.now()) },
      });
    }
    store.mutate(RESOURCE_KEYS.persistentvolumeclaims, namespace, name, (draft) => {
      draft.spec = { ...((draft.spec ?? {}) as Record<string, unknown>), volumeName, storageClassName };
      draft.metadata.annotations = {
        ...(draft.metadata.annotations ?? {}),
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
      };
      draft.status = { phase: 'Bound', accessModes, capacity: { storage: size } };
    });
    events.record(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${volumeName}`, {
      component: 'rancher.io/local-path_local-path-provisioner',
    });
  }
}
