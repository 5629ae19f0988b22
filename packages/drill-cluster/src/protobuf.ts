/**
 * Just enough of the Kubernetes protobuf encoding to read what kubectl's typed clients send as
 * request bodies (`kubectl create secret|configmap|namespace` post
 * `application/vnd.kubernetes.protobuf`, and client-go never falls back to JSON for those).
 * Envelope: the magic `k8s\0`, then a `runtime.Unknown` carrying TypeMeta and the raw message.
 */
import type { KubeObject } from './types';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type FieldType = 'string' | 'bytes' | 'int64' | 'bool' | 'time' | 'map<string,string>' | 'map<string,bytes>';
interface Field {
  name: string;
  type: FieldType | Schema;
  repeated?: boolean;
}
type Schema = Record<number, Field>;

const TIME: Schema = { 1: { name: 'seconds', type: 'int64' }, 2: { name: 'nanos', type: 'int64' } };

const OWNER_REFERENCE: Schema = {
  1: { name: 'kind', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'controller', type: 'bool' },
  7: { name: 'blockOwnerDeletion', type: 'bool' },
};

const OBJECT_META: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'generation', type: 'int64' },
  8: { name: 'creationTimestamp', type: 'time' },
  11: { name: 'labels', type: 'map<string,string>' },
  12: { name: 'annotations', type: 'map<string,string>' },
  13: { name: 'ownerReferences', type: OWNER_REFERENCE, repeated: true },
  14: { name: 'finalizers', type: 'string', repeated: true },
};

/** The kinds whose protobuf bodies the drill server reads, by `apiVersion/kind`. */
const SCHEMAS: Record<string, Schema> = {
  'v1/Secret': {
    1: { name: 'metadata', type: OBJECT_META },
    2: { name: 'data', type: 'map<string,bytes>' },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'map<string,string>' },
    5: { name: 'immutable', type: 'bool' },
  },
  'v1/ConfigMap': {
    1: { name: 'metadata', type: OBJECT_META },
    2: { name: 'data', type: 'map<string,string>' },
    3: { name: 'binaryData', type: 'map<string,bytes>' },
    4: { name: 'immutable', type: 'bool' },
  },
  'v1/Namespace': {
    1: { name: 'metadata', type: OBJECT_META },
    2: { name: 'spec', type: { 1: { name: 'finalizers', type: 'string', repeated: true } } },
  },
  'v1/ServiceAccount': {
    1: { name: 'metadata', type: OBJECT_META },
  },
};

/** A protobuf body the server cannot read (unknown kind or malformed bytes). */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

class Reader {
  offset = 0;
  constructor(private readonly buffer: Buffer) {}

  get done(): boolean {
    return this.offset >= this.buffer.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.offset >= this.buffer.length) throw new ProtobufDecodeError('truncated varint');
      const byte = this.buffer[this.offset++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new ProtobufDecodeError('varint too long');
    }
  }

  bytes(): Buffer {
    const length = Number(this.varint());
    if (this.offset + length > this.buffer.length) throw new ProtobufDecodeError('truncated field');
    const slice = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.offset += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.offset += 4;
    else throw new ProtobufDecodeError(`unsupported wire type ${wireType}`);
  }
}

function decodeMapEntry(bytes: Buffer, valueAsBytes: boolean): [string, string] {
  const reader = new Reader(bytes);
  let key = '';
  let value = '';
  while (!reader.done) {
    const tag = Number(reader.varint());
    const field = tag >> 3;
    if ((tag & 7) !== 2) {
      reader.skip(tag & 7);
      continue;
    }
    const raw = reader.bytes();
    if (field === 1) key = raw.toString('utf8');
    else if (field === 2) value = valueAsBytes ? raw.toString('base64') : raw.toString('utf8');
  }
  return [key, value];
}

function decodeMessage(bytes: Buffer, schema: Schema): Record<string, unknown> {
  const reader = new Reader(bytes);
  const out: Record<string, unknown> = {};
  while (!reader.done) {
    const tag = Number(reader.varint());
    const wireType = tag & 7;
    const field = schema[tag >> 3];
    if (!field) {
      reader.skip(wireType);
      continue;
    }
    let value: unknown;
    if (typeof field.type === 'object') {
      value = decodeMessage(reader.bytes(), field.type);
    } else {
      switch (field.type) {
        case 'string':
          value = reader.bytes().toString('utf8');
          break;
        case 'bytes':
          value = reader.bytes().toString('base64');
          break;
        case 'int64':
          value = Number(BigInt.asIntN(64, reader.varint()));
          break;
        case 'bool':
          value = reader.varint() !== 0n;
          break;
        case 'time': {
          const time = decodeMessage(reader.bytes(), TIME) as { seconds?: number };
          value = new Date((time.seconds ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
          break;
        }
        case 'map<string,string>':
        case 'map<string,bytes>': {
          const [key, entry] = decodeMapEntry(reader.bytes(), field.type === 'map<string,bytes>');
          const map = (out[field.name] ??= {}) as Record<string, string>;
          map[key] = entry;
          continue;
        }
      }
    }
    if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
    else if (value !== '' && value !== 0 && value !== false) out[field.name] = value;
  }
  return out;
}

/** True when `body` starts with the Kubernetes protobuf magic. */
export function isProtobufEnvelope(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(MAGIC);
}

/** Decodes a `k8s\0` + runtime.Unknown body into the JSON object it stands for. */
export function decodeProtobufObject(body: Buffer): KubeObject {
  if (!isProtobufEnvelope(body)) throw new ProtobufDecodeError('missing the k8s protobuf magic prefix');
  const unknown = decodeMessage(body.subarray(4), {
    1: { name: 'typeMeta', type: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } } },
    2: { name: 'raw', type: 'bytes' },
  }) as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: string };
  const apiVersion = unknown.typeMeta?.apiVersion ?? '';
  const kind = unknown.typeMeta?.kind ?? '';
  const schema = SCHEMAS[`${apiVersion}/${kind}`];
  if (!schema) throw new ProtobufDecodeError(`protobuf bodies of ${apiVersion}/${kind} are not supported by the drill cluster; send JSON`);
  const object = decodeMessage(Buffer.from(unknown.raw ?? '', 'base64'), schema);
  return { apiVersion, kind, metadata: { name: '' }, ...object } as KubeObject;
}
