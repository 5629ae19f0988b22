/**
 * `npm run generate:protos`: writes kubernetes-protos.json, the protobufjs descriptors of the
 * upstream `generated.proto` files of the API groups the drill serves. No npm package ships
 * them, but every kubectl carries them: client-go registers each compiled `generated.proto` as
 * a gzipped FileDescriptorProto, so they are read out of the kubectl binary (`$KUBECTL`, else
 * /usr/bin/kubectl) and converted with protobufjs' descriptor extension. Nothing is written by
 * hand; rerun after a kubectl upgrade.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import * as descriptorModule from 'protobufjs/ext/descriptor.js';

/** The upstream files the drill's kinds (and DeleteOptions) are defined in. */
export const KUBERNETES_PROTO_FILES = [
  'k8s.io/api/core/v1/generated.proto',
  'k8s.io/api/apps/v1/generated.proto',
  'k8s.io/api/batch/v1/generated.proto',
  'k8s.io/api/autoscaling/v1/generated.proto',
  'k8s.io/api/autoscaling/v2/generated.proto',
  'k8s.io/api/policy/v1/generated.proto',
  'k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto',
  'k8s.io/apimachinery/pkg/api/resource/generated.proto',
  'k8s.io/apimachinery/pkg/util/intstr/generated.proto',
  'k8s.io/apimachinery/pkg/runtime/generated.proto',
  'k8s.io/apimachinery/pkg/runtime/schema/generated.proto',
];

/** The CommonJS extension's exports, however the loader presents them. */
const descriptor = ((descriptorModule as unknown as { default?: typeof descriptorModule }).default ?? descriptorModule) as typeof descriptorModule;
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);

/** The FileDescriptorProtos of `wanted` found gzipped in `binary`. */
export function extractFileDescriptors(binary: Buffer, wanted: readonly string[]): protobuf.Message[] {
  const found = new Map<string, protobuf.Message>();
  for (let at = binary.indexOf(GZIP_MAGIC); at >= 0 && found.size < wanted.length; at = binary.indexOf(GZIP_MAGIC, at + 1)) {
    let bytes: Buffer;
    try {
      bytes = gunzipSync(binary.subarray(at, at + 4 * 1024 * 1024), { finishFlush: 2 });
    } catch {
      continue;
    }
    if (bytes[0] !== 0x0a) continue;
    try {
      const file = descriptor.FileDescriptorProto.decode(bytes) as protobuf.Message & { name?: string };
      if (file.name && wanted.includes(file.name) && !found.has(file.name)) found.set(file.name, file);
    } catch {
      // not a descriptor
    }
  }
  const missing = wanted.filter((name) => !found.has(name));
  if (missing.length > 0) throw new Error(`not found in the kubectl binary: ${missing.join(', ')}`);
  return wanted.map((name) => found.get(name) as protobuf.Message);
}

/** The protobufjs JSON descriptors of the drill's proto files found in `binary`. */
export function kubernetesProtoJson(binary: Buffer): protobuf.INamespace {
  const files = extractFileDescriptors(binary, KUBERNETES_PROTO_FILES);
  return protobuf.Root.fromDescriptor(descriptor.FileDescriptorSet.encode({ file: files }).finish()).toJSON();
}

function main(): void {
  const binaryPath = process.env.KUBECTL ?? '/usr/bin/kubectl';
  const target = fileURLToPath(new URL('./kubernetes-protos.json', import.meta.url));
  writeFileSync(target, `${JSON.stringify(kubernetesProtoJson(readFileSync(binaryPath)))}\n`);
  console.log(`wrote ${KUBERNETES_PROTO_FILES.length} upstream proto files from ${binaryPath} to ${target}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
