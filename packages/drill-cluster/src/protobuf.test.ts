import { existsSync, readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeProtobufObject, isProtobufEnvelope, ProtobufDecodeError } from './protobuf';
import { kubernetesProtoJson } from './protobuf/extract-kubernetes-protos';
import descriptors from './protobuf/kubernetes-protos.json' with { type: 'json' };

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

  it('decodes a Deployment with the upstream types: IntOrString, Quantity, Time, maps and nested lists', () => {
    const root = protobuf.Root.fromJSON(descriptors as protobuf.INamespace);
    const Deployment = root.lookupType('k8s.io.api.apps.v1.Deployment');
    const raw = Deployment.encode(
      Deployment.fromObject({
        metadata: { name: 'web', namespace: 'ns', generateName: '', labels: { app: 'web' }, creationTimestamp: { seconds: 0 } },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'web' } },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: { type: 1, strVal: '25%' }, maxUnavailable: { type: 0, intVal: 1 } } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: { string: '500m' } } } }],
            },
          },
        },
        status: { conditions: [{ type: 'Available', status: 'True', lastUpdateTime: { seconds: 1767225600 } }] },
      }),
    ).finish();
    const decoded = decodeProtobufObject(envelope('apps/v1', 'Deployment', Buffer.from(raw)));
    expect(decoded).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'ns', labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: '500m' } } }] },
        },
      },
      status: { conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2026-01-01T00:00:00Z' }] },
    });
  });

  it('decodes DeleteOptions sent under any group version, without metadata', () => {
    const root = protobuf.Root.fromJSON(descriptors as protobuf.INamespace);
    const Options = root.lookupType('k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    const raw = Buffer.from(Options.encode({ gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'u-1' } }).finish());
    expect(decodeProtobufObject(envelope('apps/v1', 'DeleteOptions', raw))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
      preconditions: { uid: 'u-1' },
    });
  });

  it('reports truncated bytes as a decode error', () => {
    expect(() => decodeProtobufObject(envelope('v1', 'Pod', Buffer.from([0x0a, 0x10, 0x01])))).toThrow(ProtobufDecodeError);
  });
});

describe('the committed descriptors', () => {
  const kubectl = process.env.KUBECTL ?? '/usr/bin/kubectl';
  it.skipIf(!existsSync(kubectl))('are the generated.proto descriptors of the installed kubectl (run npm run generate:protos after an upgrade)', () => {
    expect(kubernetesProtoJson(readFileSync(kubectl))).toEqual(JSON.parse(JSON.stringify(descriptors)));
    const root = protobuf.Root.fromJSON(descriptors as protobuf.INamespace);
    for (const kind of ['k8s.io.api.core.v1.Pod', 'k8s.io.api.batch.v1.Job', 'k8s.io.api.autoscaling.v1.HorizontalPodAutoscaler', 'k8s.io.api.policy.v1.Eviction']) {
      expect(root.lookupType(kind).fieldsArray.length).toBeGreaterThan(1);
    }
  });
});
