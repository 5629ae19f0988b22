/**
 * The shape of a Kubernetes object as the cockpit handles it: typed metadata, loosely typed
 * spec and status (read through the accessors below, which never throw on a missing field).
 */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

/** A `Status` body: every API error, and the `ERROR` watch event's object. */
export interface KubeStatus {
  kind?: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
}

/** `namespace/name`, or `name` for a cluster-scoped object: the key lists and diffs use. */
export function objectKey(object: Pick<KubeObject, 'metadata'>): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

export type Obj = Record<string, unknown>;
export const asObj = (value: unknown): Obj => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {});
export const asList = (value: unknown): Obj[] => (Array.isArray(value) ? (value as unknown[]).map(asObj) : []);
export const str = (value: unknown, fallback = ''): string => (value === undefined || value === null ? fallback : String(value));
export const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
export const specOf = (object: KubeObject): Obj => asObj(object.spec);
export const statusOf = (object: KubeObject): Obj => asObj(object.status);
