/**
 * The pod as the stream handlers (logs, exec, port-forward) see it: containers with their env
 * resolved from Secrets, ConfigMaps and the downward API, restarts, and a live log profile.
 */
import { RESOURCE_KEYS } from '../resources';
import type { DrillPodRef, KubeObject, LogProfile, ObjectStore } from '../types';
import { mainContainer, type PodSim } from './pod-sim';
import type { ContainerSpec, PodSpec } from './workloads';

function decode(data: unknown, key: string): string | undefined {
  const value = (data as Record<string, string> | undefined)?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

function fieldValue(pod: KubeObject, path: string): string | undefined {
  const status = (pod.status ?? {}) as Record<string, unknown>;
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'spec.nodeName':
      return (pod.spec as PodSpec | undefined)?.nodeName;
    case 'spec.serviceAccountName':
      return (pod.spec as Record<string, unknown> | undefined)?.serviceAccountName as string | undefined;
    case 'status.podIP':
      return status.podIP as string | undefined;
    case 'status.hostIP':
      return status.hostIP as string | undefined;
    default:
      return undefined;
  }
}

/** A container's environment as its process would see it. */
export function resolveEnv(store: ObjectStore, pod: KubeObject, container: ContainerSpec): Record<string, string> {
  const namespace = pod.metadata.namespace;
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const prefix = (from.prefix as string | undefined) ?? '';
    const cmRef = from.configMapRef as { name: string } | undefined;
    const secretRef = from.secretRef as { name: string } | undefined;
    if (cmRef) {
      const cm = store.get(RESOURCE_KEYS.configmaps, namespace, cmRef.name);
      for (const [k, v] of Object.entries((cm?.data ?? {}) as Record<string, string>)) env[prefix + k] = v;
    }
    if (secretRef) {
      const secret = store.get(RESOURCE_KEYS.secrets, namespace, secretRef.name);
      for (const k of Object.keys((secret?.data ?? {}) as Record<string, string>)) env[prefix + k] = decode(secret?.data, k) ?? '';
    }
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) {
      env[entry.name] = entry.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
      continue;
    }
    const from = entry.valueFrom ?? {};
    const secretKey = from.secretKeyRef as { name: string; key: string } | undefined;
    const cmKey = from.configMapKeyRef as { name: string; key: string } | undefined;
    const field = from.fieldRef as { fieldPath: string } | undefined;
    let value: string | undefined;
    if (secretKey) value = decode(store.get(RESOURCE_KEYS.secrets, namespace, secretKey.name)?.data, secretKey.key);
    else if (cmKey) value = ((store.get(RESOURCE_KEYS.configmaps, namespace, cmKey.name)?.data ?? {}) as Record<string, string>)[cmKey.key];
    else if (field) value = fieldValue(pod, field.fieldPath);
    if (value !== undefined) env[entry.name] = value;
  }
  return env;
}

interface VolumeSpec {
  name: string;
  configMap?: { name: string; items?: Array<{ key: string; path: string }> };
  secret?: { secretName: string; items?: Array<{ key: string; path: string }> };
}

/** The files of the ConfigMap and Secret volumes `container` mounts, read from the store now. */
export function resolveMounts(store: ObjectStore, pod: KubeObject, container: ContainerSpec): NonNullable<DrillPodRef['containers'][number]['mounts']> {
  const volumes = ((pod.spec as Record<string, unknown> | undefined)?.volumes ?? []) as VolumeSpec[];
  const mounts = (container.volumeMounts ?? []) as Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  return mounts.flatMap((mount) => {
    const volume = volumes.find((v) => v.name === mount.name);
    let data: Record<string, string> | undefined;
    let items: Array<{ key: string; path: string }> | undefined;
    if (volume?.configMap) {
      data = (store.get(RESOURCE_KEYS.configmaps, pod.metadata.namespace, volume.configMap.name)?.data ?? {}) as Record<string, string>;
      items = volume.configMap.items;
    } else if (volume?.secret) {
      const secret = store.get(RESOURCE_KEYS.secrets, pod.metadata.namespace, volume.secret.secretName);
      data = Object.fromEntries(Object.keys((secret?.data ?? {}) as Record<string, string>).map((k) => [k, decode(secret?.data, k) ?? '']));
      items = volume.secret.items;
    }
    if (!data) return [];
    const files = items ? Object.fromEntries(items.filter((i) => data![i.key] !== undefined).map((i) => [i.path, data![i.key]!])) : data;
    return [{ path: mount.mountPath, readOnly: mount.readOnly ?? Boolean(volume?.secret), files }];
  });
}

/** Builds the stream handlers' view of `pod`; `profile` reads the simulation at call time. */
export function buildPodRef(
  store: ObjectStore,
  pod: KubeObject,
  sim: PodSim | undefined,
  now: number,
  profile: () => LogProfile,
): DrillPodRef {
  const spec = (pod.spec ?? { containers: [] }) as PodSpec;
  const status = (pod.status ?? {}) as Record<string, unknown>;
  const labels = pod.metadata.labels ?? {};
  const main = sim ? mainContainer(sim) : undefined;
  const ref: DrillPodRef = {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
    app: labels.app ?? labels['app.kubernetes.io/name'] ?? labels['k8s-app'] ?? pod.metadata.name,
    containers: spec.containers.map((c) => ({
      name: c.name,
      image: c.image ?? '',
      env: resolveEnv(store, pod, c),
      ports: (c.ports ?? []).map((p) => p.containerPort),
      mounts: resolveMounts(store, pod, c),
    })),
    phase: (status.phase as string | undefined) ?? 'Pending',
    ...(typeof status.podIP === 'string' ? { podIp: status.podIP } : {}),
    restartCount: main?.restartCount ?? 0,
    startedAt: main?.startedAt ?? main?.terminated?.startedAt ?? sim?.scheduledAt ?? sim?.createdAt ?? now,
    logProfile: profile,
  };
  if (main?.last) {
    ref.lastTermination = { reason: main.last.reason, exitCode: main.last.exitCode, finishedAt: main.last.finishedAt };
  }
  return ref;
}
