/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`): kubectl's typed
 * clients send them for `create deployment|job|secret|...`, `autoscale` and the DeleteOptions of
 * `delete`, and client-go never falls back to JSON. Envelope: the magic `k8s\0`, then a
 * `runtime.Unknown` carrying TypeMeta and the raw message, decoded with protobufjs against the
 * upstream `generated.proto` descriptors (protobuf/kubernetes-protos.json, extracted from kubectl
 * by protobuf/extract-kubernetes-protos.ts), then turned into the JSON form the API uses.
 */
import protobuf from 'protobufjs';
import descriptors from './protobuf/kubernetes-protos.json' with { type: 'json' };
import type { KubeObject } from './types';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const META_PACKAGE = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** A protobuf body the server cannot read (unknown kind or malformed bytes). */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

let root: protobuf.Root | undefined;

function kubernetesRoot(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(descriptors as protobuf.INamespace);
  return root;
}

/** The protobuf package of an API group version: `k8s.io.api.apps.v1`, `k8s.io.api.core.v1`. */
function packageOf(apiVersion: string): string {
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  if (group === 'meta.k8s.io') return `${META_PACKAGE.slice(0, -3)}.${version}`;
  return `k8s.io.api.${group === '' ? 'core' : group.replace(/\.k8s\.io$/, '')}.${version}`;
}

/** The message type of `apiVersion`/`kind`; meta kinds (DeleteOptions) are sent under any group version. */
function messageTypeOf(apiVersion: string, kind: string): protobuf.Type | undefined {
  for (const name of [`${packageOf(apiVersion)}.${kind}`, `${META_PACKAGE}.${kind}`]) {
    const found = kubernetesRoot().lookup(name);
    if (found instanceof protobuf.Type) return found;
  }
  return undefined;
}

function rfc3339(seconds: number, nanos: number, micro: boolean): string {
  const iso = new Date(seconds * 1000).toISOString();
  if (!micro) return iso.replace(/\.\d{3}Z$/, 'Z');
  return iso.replace(/\.\d{3}Z$/, `.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`);
}

function parseRawJson(raw: unknown): unknown {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'base64') : Buffer.from(raw as Uint8Array);
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new ProtobufDecodeError('an embedded object is not JSON');
  }
}

/**
 * A decoded message as the API's JSON: Time and MicroTime as RFC 3339, Quantity and Duration as
 * strings, IntOrString as a number or string, RawExtension and FieldsV1 as their JSON, bytes as
 * base64. Empty strings and zero Times are the unset fields gogo-protobuf writes anyway.
 */
function toJson(type: protobuf.Type, message: Record<string, unknown>): unknown {
  switch (type.fullName.slice(1)) {
    case `${META_PACKAGE}.Time`:
    case `${META_PACKAGE}.MicroTime`: {
      const seconds = Number(message.seconds ?? 0);
      const nanos = Number(message.nanos ?? 0);
      if (seconds === 0 && nanos === 0) return undefined;
      return rfc3339(seconds, nanos, type.name === 'MicroTime');
    }
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
      return message.string ?? '0';
    case `${META_PACKAGE}.Duration`:
      return message.duration;
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString':
      return Number(message.type ?? 0) === 1 ? (message.strVal ?? '') : Number(message.intVal ?? 0);
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension':
      return parseRawJson(message.raw);
    case `${META_PACKAGE}.FieldsV1`:
      return parseRawJson(message.Raw);
  }
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    const converted = field.map
      ? convertMap(field, value as Record<string, unknown>)
      : field.repeated
        ? (value as unknown[]).map((item) => convertValue(field, item))
        : convertValue(field, value);
    if (converted === undefined || converted === '') continue;
    if (Array.isArray(converted) && converted.length === 0) continue;
    out[field.name] = converted;
  }
  return out;
}

function convertMap(field: protobuf.Field, value: Record<string, unknown>): Record<string, unknown> | undefined {
  const entries = Object.entries(value).map(([key, item]) => [key, convertValue(field, item)] as const);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function convertValue(field: protobuf.Field, value: unknown): unknown {
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Type) return toJson(resolved, value as Record<string, unknown>);
  if (typeof value === 'object' && value !== null && 'low' in value) return Number(value.toString());
  return value;
}

/** True when `body` starts with the Kubernetes protobuf magic. */
export function isProtobufEnvelope(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(MAGIC);
}

function decodeMessage(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  try {
    return type.toObject(type.decode(bytes), { longs: Number, bytes: String, defaults: false, arrays: false, objects: false }) as Record<string, unknown>;
  } catch (error) {
    throw new ProtobufDecodeError(`malformed protobuf body: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Decodes a `k8s\0` + runtime.Unknown body into the JSON object it stands for. */
export function decodeProtobufObject(body: Buffer): KubeObject {
  if (!isProtobufEnvelope(body)) throw new ProtobufDecodeError('missing the k8s protobuf magic prefix');
  const unknownType = kubernetesRoot().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const unknown = unknownType.decode(body.subarray(4)) as unknown as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array };
  const apiVersion = unknown.typeMeta?.apiVersion ?? '';
  const kind = unknown.typeMeta?.kind ?? '';
  const type = messageTypeOf(apiVersion, kind);
  if (!type) throw new ProtobufDecodeError(`protobuf bodies of ${apiVersion}/${kind} are not supported by the drill cluster; send JSON`);
  const object = toJson(type, decodeMessage(type, unknown.raw ?? new Uint8Array())) as Record<string, unknown>;
  if (type.fields.metadata) object.metadata = { name: '', ...((object.metadata as object | undefined) ?? {}) };
  return { apiVersion, kind, ...object } as KubeObject;
}
