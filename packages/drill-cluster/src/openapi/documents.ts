/**
 * The OpenAPI documents the drill's API server publishes, as a real one does: `/openapi/v2`
 * (Swagger 2.0, JSON or gnostic protobuf) and `/openapi/v3` (an index of group-versions, each
 * with a content hash) with one OpenAPI 3.0 document per group-version. The schemas come from
 * kubernetes-definitions.json (generated from kubernetes-models) and the Certificate CRD; the
 * paths from the resource descriptors, with the query parameters kubectl looks for
 * (`fieldValidation`, `dryRun`, `fieldManager`, `force`).
 */
import { createHash } from 'node:crypto';
import protobuf from 'protobufjs';
import { stringify as yamlStringify } from 'yaml';
import { CERTIFICATE_SCHEMA } from '../crds';
import { SERVER_VERSION } from '../discovery';
import { apiVersionOf, groupVersions, RESOURCES, type ResourceDescriptor } from '../resources';
import definitionsJson from './kubernetes-definitions.json' with { type: 'json' };
import type { OpenApiSchema } from './definitions-generator';
import { GNOSTIC_OPENAPI_V2_PROTO } from './gnostic-openapiv2';

const DEFINITIONS = definitionsJson as Record<string, OpenApiSchema>;
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** The definition name of a served kind, e.g. `io.k8s.api.apps.v1.Deployment`. */
export function definitionNameFor(descriptor: Pick<ResourceDescriptor, 'group' | 'version' | 'kind'>): string {
  if (descriptor.group === 'cert-manager.io') return `io.cert-manager.${descriptor.version}.${descriptor.kind}`;
  for (const [name, schema] of Object.entries(DEFINITIONS)) {
    const gvks = schema['x-kubernetes-group-version-kind'] as Array<{ group: string; version: string; kind: string }> | undefined;
    if (gvks?.length === 1 && gvks.some((g) => g.group === descriptor.group && g.version === descriptor.version && g.kind === descriptor.kind)) return name;
  }
  throw new Error(`no OpenAPI definition for ${apiVersionOf(descriptor.group, descriptor.version)} ${descriptor.kind}`);
}

/** Definitions for the custom resources the drill serves (from their CRD schemas). */
function customDefinitions(): Record<string, OpenApiSchema> {
  const certificate = structuredClone(CERTIFICATE_SCHEMA) as OpenApiSchema & { properties: Record<string, OpenApiSchema> };
  certificate.properties.metadata = { $ref: `#/definitions/${META}.ObjectMeta` };
  certificate['x-kubernetes-group-version-kind'] = [{ group: 'cert-manager.io', kind: 'Certificate', version: 'v1' }];
  return {
    'io.cert-manager.v1.Certificate': certificate,
    'io.cert-manager.v1.CertificateList': {
      description: 'CertificateList is a list of Certificate',
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: { type: 'string' },
        items: { type: 'array', items: { $ref: '#/definitions/io.cert-manager.v1.Certificate' } },
        kind: { type: 'string' },
        metadata: { $ref: `#/definitions/${META}.ListMeta` },
      },
      'x-kubernetes-group-version-kind': [{ group: 'cert-manager.io', kind: 'CertificateList', version: 'v1' }],
    },
  };
}

function allDefinitions(): Record<string, OpenApiSchema> {
  return { ...DEFINITIONS, ...customDefinitions() };
}

interface ParameterSpec {
  name: string;
  in: 'query' | 'path';
  description: string;
  type: 'string' | 'boolean';
  required?: boolean;
}

const PARAMETERS: Record<string, ParameterSpec> = {
  dryRun: { name: 'dryRun', in: 'query', type: 'string', description: 'When present, indicates that modifications should not be persisted. Valid value: All.' },
  fieldManager: { name: 'fieldManager', in: 'query', type: 'string', description: 'fieldManager is a name associated with the actor or entity that is making these changes.' },
  fieldValidation: {
    name: 'fieldValidation',
    in: 'query',
    type: 'string',
    description: 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values: Ignore, Warn, Strict.',
  },
  force: { name: 'force', in: 'query', type: 'boolean', description: 'Force is going to "force" Apply requests: re-acquire conflicting fields owned by other people.' },
  pretty: { name: 'pretty', in: 'query', type: 'string', description: "If 'true', then the output is pretty printed." },
  gracePeriodSeconds: { name: 'gracePeriodSeconds', in: 'query', type: 'string', description: 'The duration in seconds before the object should be deleted.' },
  propagationPolicy: { name: 'propagationPolicy', in: 'query', type: 'string', description: 'Whether and how garbage collection will be performed.' },
  labelSelector: { name: 'labelSelector', in: 'query', type: 'string', description: 'A selector to restrict the list of returned objects by their labels.' },
  fieldSelector: { name: 'fieldSelector', in: 'query', type: 'string', description: 'A selector to restrict the list of returned objects by their fields.' },
  watch: { name: 'watch', in: 'query', type: 'boolean', description: 'Watch for changes to the described resources.' },
  name: { name: 'name', in: 'path', type: 'string', required: true, description: 'name of the resource' },
  namespace: { name: 'namespace', in: 'path', type: 'string', required: true, description: 'object name and auth scope, such as for teams and projects' },
};

type Verb = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';

interface OperationSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  action: Verb;
  parameters: string[];
  body?: 'object' | 'patch' | 'deleteOptions';
  response: string;
  gvk: { group: string; version: string; kind: string };
  operationId: string;
}

interface PathSpec {
  path: string;
  parameters: string[];
  operations: OperationSpec[];
}

const WRITE_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation'];

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The REST paths of one served kind: collection, all-namespaces list, item and subresources. */
function pathsOf(descriptor: ResourceDescriptor): PathSpec[] {
  const prefix = descriptor.group ? `/apis/${descriptor.group}/${descriptor.version}` : `/api/${descriptor.version}`;
  const base = descriptor.namespaced ? `${prefix}/namespaces/{namespace}/${descriptor.plural}` : `${prefix}/${descriptor.plural}`;
  const scope = descriptor.namespaced ? ['namespace'] : [];
  const gvk = { group: descriptor.group, version: descriptor.version, kind: descriptor.kind };
  const definition = definitionNameFor(descriptor);
  const idSuffix = `${capitalized(descriptor.group.split('.')[0] ?? '')}${capitalized(descriptor.version)}${descriptor.namespaced ? 'Namespaced' : ''}${descriptor.kind}`;
  const can = (verb: string) => descriptor.verbs.includes(verb);
  const collection: OperationSpec[] = [];
  if (can('list')) collection.push({ method: 'get', action: 'list', parameters: ['labelSelector', 'fieldSelector', 'watch'], response: `${definition}List`, gvk, operationId: `list${idSuffix}` });
  if (can('create')) collection.push({ method: 'post', action: 'post', parameters: WRITE_PARAMETERS, body: 'object', response: definition, gvk, operationId: `create${idSuffix}` });
  if (can('deletecollection')) collection.push({ method: 'delete', action: 'deletecollection', parameters: ['dryRun', 'gracePeriodSeconds', 'propagationPolicy', 'labelSelector', 'fieldSelector'], body: 'deleteOptions', response: `${META}.Status`, gvk, operationId: `deletecollection${idSuffix}` });
  const item: OperationSpec[] = [];
  if (can('get')) item.push({ method: 'get', action: 'get', parameters: [], response: definition, gvk, operationId: `read${idSuffix}` });
  if (can('update')) item.push({ method: 'put', action: 'put', parameters: WRITE_PARAMETERS, body: 'object', response: definition, gvk, operationId: `replace${idSuffix}` });
  if (can('patch')) item.push({ method: 'patch', action: 'patch', parameters: [...WRITE_PARAMETERS, 'force'], body: 'patch', response: definition, gvk, operationId: `patch${idSuffix}` });
  if (can('delete')) item.push({ method: 'delete', action: 'delete', parameters: ['dryRun', 'gracePeriodSeconds', 'propagationPolicy'], body: 'deleteOptions', response: `${META}.Status`, gvk, operationId: `delete${idSuffix}` });
  const paths: PathSpec[] = [
    { path: base, parameters: [...scope, 'pretty'], operations: collection },
    { path: `${base}/{name}`, parameters: ['name', ...scope, 'pretty'], operations: item },
  ];
  if (descriptor.namespaced && can('list')) {
    paths.push({ path: `${prefix}/${descriptor.plural}`, parameters: ['pretty'], operations: [{ ...(collection[0] as OperationSpec), operationId: `list${idSuffix.replace('Namespaced', '')}ForAllNamespaces` }] });
  }
  for (const sub of descriptor.subresources) {
    if (sub.name !== 'status' && sub.name !== 'scale') continue;
    const subGvk = { group: sub.group, version: sub.version, kind: sub.kind };
    const response = sub.name === 'scale' ? 'io.k8s.api.autoscaling.v1.Scale' : definition;
    const suffix = `${idSuffix}${capitalized(sub.name)}`;
    paths.push({
      path: `${base}/{name}/${sub.name}`,
      parameters: ['name', ...scope, 'pretty'],
      operations: [
        { method: 'get', action: 'get', parameters: [], response, gvk: subGvk, operationId: `read${suffix}` },
        { method: 'put', action: 'put', parameters: WRITE_PARAMETERS, body: 'object', response, gvk: subGvk, operationId: `replace${suffix}` },
        { method: 'patch', action: 'patch', parameters: [...WRITE_PARAMETERS, 'force'], body: 'patch', response, gvk: subGvk, operationId: `patch${suffix}` },
      ],
    });
  }
  return paths;
}

const PATCH_CONTENT_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

/** Names of the definitions `roots` reference, transitively. */
function closure(roots: Iterable<string>, definitions: Record<string, OpenApiSchema>): string[] {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name) || !definitions[name]) continue;
    seen.add(name);
    JSON.stringify(definitions[name], (key, value: unknown) => {
      if (key === '$ref' && typeof value === 'string') queue.push(value.replace('#/definitions/', ''));
      return value;
    });
  }
  return [...seen].sort();
}

/** A v2 schema as OpenAPI 3 writes it: refs to components, a `$ref` with siblings wrapped in allOf. */
function toV3Schema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toV3Schema);
  if (!schema || typeof schema !== 'object') return schema;
  const input = schema as Record<string, unknown>;
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === '$ref') continue;
    output[key] = key.startsWith('x-kubernetes-') || key === 'enum' || key === 'required' ? value : key === 'properties' ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toV3Schema(v)])) : toV3Schema(value);
  }
  if (typeof input.$ref === 'string') {
    const ref = input.$ref.replace('#/definitions/', '#/components/schemas/');
    if (Object.keys(output).length === 0) return { $ref: ref };
    return { ...output, allOf: [{ $ref: ref }] };
  }
  return output;
}

function v3Operation(operation: OperationSpec): Record<string, unknown> {
  const result: Record<string, unknown> = {
    operationId: operation.operationId,
    parameters: operation.parameters.map((name) => v3Parameter(PARAMETERS[name] as ParameterSpec)),
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${operation.response}` } } } } },
    'x-kubernetes-action': operation.action,
    'x-kubernetes-group-version-kind': operation.gvk,
  };
  if (operation.body === 'object') {
    result.requestBody = { required: true, content: { '*/*': { schema: { $ref: `#/components/schemas/${operation.response}` } } } };
  } else if (operation.body === 'patch') {
    result.requestBody = { required: true, content: Object.fromEntries(PATCH_CONTENT_TYPES.map((type) => [type, { schema: { $ref: `#/components/schemas/${META}.Patch` } }])) };
  } else if (operation.body === 'deleteOptions') {
    result.requestBody = { content: { '*/*': { schema: { $ref: `#/components/schemas/${META}.DeleteOptions` } } } };
  }
  return result;
}

function v3Parameter(parameter: ParameterSpec): Record<string, unknown> {
  return {
    name: parameter.name,
    in: parameter.in,
    description: parameter.description,
    ...(parameter.required ? { required: true } : {}),
    schema: { type: parameter.type, uniqueItems: true },
  };
}

function v2Parameter(parameter: ParameterSpec): Record<string, unknown> {
  return { name: parameter.name, in: parameter.in, description: parameter.description, type: parameter.type, uniqueItems: true, ...(parameter.required ? { required: true } : {}) };
}

function v2Operation(operation: OperationSpec): Record<string, unknown> {
  const parameters = operation.parameters.map((name) => v2Parameter(PARAMETERS[name] as ParameterSpec));
  if (operation.body) {
    const ref = operation.body === 'patch' ? `${META}.Patch` : operation.body === 'deleteOptions' ? `${META}.DeleteOptions` : operation.response;
    parameters.unshift({ name: 'body', in: 'body', required: operation.body !== 'deleteOptions', schema: { $ref: `#/definitions/${ref}` } });
  }
  return {
    operationId: operation.operationId,
    consumes: operation.body === 'patch' ? PATCH_CONTENT_TYPES : ['*/*'],
    produces: ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
    schemes: ['https'],
    parameters,
    responses: { '200': { description: 'OK', schema: { $ref: `#/definitions/${operation.response}` } } },
    'x-kubernetes-action': operation.action,
    'x-kubernetes-group-version-kind': operation.gvk,
  };
}

/** One published document: its bytes and the hash that names this content. */
export interface PublishedDocument {
  body: Buffer;
  /** Uppercase hex SHA-512 of the body: the `?hash=` of /openapi/v3 and the ETag. */
  hash: string;
}

function published(body: Buffer): PublishedDocument {
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
}

/** `api/v1`, `apis/apps/v1`: the key of a group-version under /openapi/v3. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function openApiDescriptors(): ResourceDescriptor[] {
  return RESOURCES.filter((d) => !d.computed);
}

function buildV3(group: string, version: string): PublishedDocument {
  const definitions = allDefinitions();
  const descriptors = openApiDescriptors().filter((d) => d.group === group && d.version === version);
  const paths: Record<string, unknown> = {};
  const roots = new Set<string>([`${META}.Status`, `${META}.DeleteOptions`, `${META}.Patch`]);
  for (const descriptor of descriptors) {
    for (const spec of pathsOf(descriptor)) {
      const item: Record<string, unknown> = { parameters: spec.parameters.map((name) => v3Parameter(PARAMETERS[name] as ParameterSpec)) };
      for (const operation of spec.operations) {
        item[operation.method] = v3Operation(operation);
        roots.add(operation.response);
      }
      paths[spec.path] = item;
    }
  }
  const schemas = Object.fromEntries(closure(roots, definitions).map((name) => [name, toV3Schema(definitions[name])]));
  const document = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
    paths,
    components: { schemas, securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } } },
  };
  return published(Buffer.from(JSON.stringify(document)));
}

function buildV2Json(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const descriptor of openApiDescriptors()) {
    for (const spec of pathsOf(descriptor)) {
      const item: Record<string, unknown> = { parameters: spec.parameters.map((name) => v2Parameter(PARAMETERS[name] as ParameterSpec)) };
      for (const operation of spec.operations) item[operation.method] = v2Operation(operation);
      paths[spec.path] = item;
    }
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion }, paths, definitions: allDefinitions() };
}

let gnosticRoot: protobuf.Root | undefined;

function gnostic(): protobuf.Root {
  gnosticRoot ??= protobuf.parse(GNOSTIC_OPENAPI_V2_PROTO, { keepCase: true }).root;
  return gnosticRoot;
}

function vendorExtensions(object: Record<string, unknown>): Array<{ name: string; value: { yaml: string } }> {
  return Object.entries(object)
    .filter(([key]) => key.startsWith('x-'))
    .map(([name, value]) => ({ name, value: { yaml: yamlStringify(value) } }));
}

/** A JSON schema as gnostic's `openapi.v2.Schema` message (plain object form for protobufjs). */
function gnosticSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  if (typeof schema.$ref === 'string') message._ref = schema.$ref;
  for (const key of ['format', 'title', 'description'] as const) if (typeof schema[key] === 'string') message[key] = schema[key];
  if (Array.isArray(schema.required)) message.required = schema.required;
  if (Array.isArray(schema.enum)) message.enum = schema.enum.map((value) => ({ yaml: yamlStringify(value) }));
  if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) {
    message.additional_properties = { schema: gnosticSchema(schema.additionalProperties as Record<string, unknown>) };
  } else if (typeof schema.additionalProperties === 'boolean') {
    message.additional_properties = { boolean: schema.additionalProperties };
  }
  if (typeof schema.type === 'string') message.type = { value: [schema.type] };
  if (schema.items && typeof schema.items === 'object') message.items = { schema: [gnosticSchema(schema.items as Record<string, unknown>)] };
  if (Array.isArray(schema.allOf)) message.all_of = schema.allOf.map((s) => gnosticSchema(s as Record<string, unknown>));
  if (schema.properties && typeof schema.properties === 'object') {
    message.properties = {
      additional_properties: Object.entries(schema.properties as Record<string, Record<string, unknown>>).map(([name, value]) => ({ name, value: gnosticSchema(value) })),
    };
  }
  const extensions = vendorExtensions(schema);
  if (extensions.length > 0) message.vendor_extension = extensions;
  return message;
}

function gnosticParameter(parameter: Record<string, unknown>): Record<string, unknown> {
  if (parameter.in === 'body') {
    return { parameter: { body_parameter: { name: parameter.name, in: 'body', required: parameter.required === true, schema: gnosticSchema(parameter.schema as Record<string, unknown>) } } };
  }
  const sub = { name: parameter.name, in: parameter.in, description: parameter.description, type: parameter.type, unique_items: parameter.uniqueItems === true, required: parameter.required === true };
  return { parameter: { non_body_parameter: parameter.in === 'path' ? { path_parameter_sub_schema: sub } : { query_parameter_sub_schema: sub } } };
}

function gnosticOperation(operation: Record<string, unknown>): Record<string, unknown> {
  const responses = operation.responses as Record<string, { description: string; schema: Record<string, unknown> }>;
  return {
    operation_id: operation.operationId,
    consumes: operation.consumes,
    produces: operation.produces,
    schemes: operation.schemes,
    parameters: (operation.parameters as Array<Record<string, unknown>>).map(gnosticParameter),
    responses: {
      response_code: Object.entries(responses).map(([name, response]) => ({
        name,
        value: { response: { description: response.description, schema: { schema: gnosticSchema(response.schema) } } },
      })),
    },
    vendor_extension: vendorExtensions(operation),
  };
}

/** The v2 document as gnostic's `openapi.v2.Document` protobuf, as kubectl downloads it. */
function encodeV2Protobuf(document: Record<string, unknown>): Buffer {
  const Document = gnostic().lookupType('openapi.v2.Document');
  const paths = Object.entries(document.paths as Record<string, Record<string, unknown>>).map(([name, item]) => {
    const value: Record<string, unknown> = { parameters: (item.parameters as Array<Record<string, unknown>>).map(gnosticParameter) };
    for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
      if (item[method]) value[method] = gnosticOperation(item[method] as Record<string, unknown>);
    }
    return { name, value };
  });
  const message = Document.fromObject({
    swagger: document.swagger,
    info: document.info,
    paths: { path: paths },
    definitions: {
      additional_properties: Object.entries(document.definitions as Record<string, Record<string, unknown>>).map(([name, value]) => ({ name, value: gnosticSchema(value) })),
    },
  });
  return Buffer.from(Document.encode(message).finish());
}

/** The drill's OpenAPI documents, built once on first use. */
export class OpenApiDocuments {
  private v2?: { json: PublishedDocument; protobuf: PublishedDocument };
  private readonly v3 = new Map<string, PublishedDocument>();

  /** `/openapi/v2` in JSON or, for kubectl's Accept, gnostic protobuf. */
  openApiV2(format: 'json' | 'protobuf'): PublishedDocument {
    if (!this.v2) {
      const document = buildV2Json();
      this.v2 = { json: published(Buffer.from(JSON.stringify(document))), protobuf: published(encodeV2Protobuf(document)) };
    }
    return format === 'json' ? this.v2.json : this.v2.protobuf;
  }

  /** The group-versions the v3 index lists (`api/v1`, `apis/apps/v1`, ...). */
  groupVersionPaths(): string[] {
    return groupVersions()
      .flatMap(({ group, versions }) => versions.map((version) => ({ group, version })))
      .filter(({ group, version }) => openApiDescriptors().some((d) => d.group === group && d.version === version))
      .map(({ group, version }) => groupVersionPath(group, version));
  }

  /** One group-version's v3 document, or undefined for a path that is not served. */
  openApiV3(path: string): PublishedDocument | undefined {
    if (!this.groupVersionPaths().includes(path)) return undefined;
    let document = this.v3.get(path);
    if (!document) {
      const [, ...rest] = path.split('/');
      const group = path.startsWith('apis/') ? (rest[0] as string) : '';
      const version = path.startsWith('apis/') ? (rest[1] as string) : (rest[0] as string);
      document = buildV3(group, version);
      this.v3.set(path, document);
    }
    return document;
  }

  /** `/openapi/v3`: each group-version with the URL (carrying its hash) to fetch it from. */
  openApiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const path of this.groupVersionPaths()) {
      const document = this.openApiV3(path) as PublishedDocument;
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${document.hash}` };
    }
    return { paths };
  }
}
