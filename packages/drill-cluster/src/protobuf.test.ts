import { describe, expect, it } from 'vitest';
import { decodeProtobufObject, isProtobufEnvelope, ProtobufDecodeError } from './protobuf';

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function field(number: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([varint((number << 3) | 2), varint(body.length), body]);
}

function boolField(number: number, value: boolean): Buffer {
  return Buffer.concat([varint(number << 3), varint(value ? 1 : 0)]);
}

function mapEntry(number: number, key: string, value: Buffer | string): Buffer {
  return field(number, Buffer.concat([field(1, key), field(2, value)]));
}

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const unknown = Buffer.concat([field(1, Buffer.concat([field(1, apiVersion), field(2, kind)])), field(2, raw), field(4, 'application/vnd.kubernetes.protobuf')]);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown]);
}

describe('Kubernetes protobuf bodies', () => {
  it('decodes the Secret kubectl create secret generic sends', () => {
    const metadata = Buffer.concat([field(1, 'codesign-secrets'), field(2, ''), field(3, 'codesign-production'), mapEntry(11, 'app', 'codesign')]);
    const secret = Buffer.concat([
      field(1, metadata),
      mapEntry(2, 'postgres-password', Buffer.from('s3cret')),
      mapEntry(2, 'redis-password', Buffer.from([0, 1, 2, 255])),
      field(3, 'Opaque'),
      boolField(5, false),
    ]);
    const body = envelope('v1', 'Secret', secret);
    expect(isProtobufEnvelope(body)).toBe(true);
    expect(decodeProtobufObject(body)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'codesign-secrets', namespace: 'codesign-production', labels: { app: 'codesign' } },
      data: { 'postgres-password': Buffer.from('s3cret').toString('base64'), 'redis-password': 'AAEC/w==' },
      type: 'Opaque',
      // a pointer field gogo-protobuf wrote because it was set: kept, unlike unset empty strings
      immutable: false,
    });
  });

  it('decodes a ConfigMap and a Namespace', () => {
    const cm = decodeProtobufObject(envelope('v1', 'ConfigMap', Buffer.concat([field(1, field(1, 'cfg')), mapEntry(2, 'a', 'b')])));
    expect(cm).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: 'b' } });
    const ns = decodeProtobufObject(envelope('v1', 'Namespace', field(1, field(1, 'foo'))));
    expect(ns).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo' } });
  });

  it('refuses kinds it has no schema for, and bodies without the magic', () => {
    expect(() => decodeProtobufObject(envelope('example.com/v1', 'Widget', field(1, field(1, 'd'))))).toThrow(ProtobufDecodeError);
    expect(() => decodeProtobufObject(Buffer.from('{"kind":"Secret"}'))).toThrow(ProtobufDecodeError);
    expect(isProtobufEnvelope(Buffer.from('{}'))).toBe(false);
  });
});
