/**
 * The drill cluster's HTTP front: a Kubernetes API server on 127.0.0.1 that speaks enough of
 * the real protocol (discovery, tables, list/watch, writes, patch, scale, pod streams, Status
 * errors, bearer-token auth) for the real kubectl and client-node to work unchanged.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { applyDefaults, validateObject } from './admission';
import {
  acceptsAggregatedDiscovery,
  aggregatedDiscovery,
  aggregatedDiscoveryContentType,
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  coreApiVersions,
  SERVER_VERSION,
} from './discovery';
import { evictPod } from './eviction';
import { serveOpenApi } from './openapi/openapi-routes';
import { applyPatch, PatchError, patchTypeOf } from './patch';
import type { MonitoringProxy } from './monitoring-proxy';
import { decodeProtobufObject, isProtobufEnvelope, PROTOBUF_CONTENT_TYPE } from './protobuf';
import { apiVersionOf, findResource, RESOURCE_KEYS, type ResourceDescriptor, type SubresourceName } from './resources';
import {
  checkFieldSelector,
  formatLabelSelector,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
  type FieldRequirement,
  type LabelRequirement,
  type LabelSelectorObject,
} from './selectors';
import { ApiError, failureStatus, qualifiedName, statusErrors, type KubeStatus } from './status';
import { previewUpdate } from './apply/dry-run';
import { applyAnswering409 } from './apply/conflict-status';
import { ApplyBodyError, APPLY_PATCH_CONTENT_TYPE, fieldManagerOf, parseApplyBody, recordUpdate, serverSideApply } from './apply/server-side-apply';
import { schemaForKind } from './apply/kind-schema';
import type { MemoryObjectStore, PropagationPolicy, StoreChange } from './store';
import { buildTable, tableColumns, tableRow, type IncludeObject } from './tables';
import {
  SCENARIO_NAMES,
  StoreError,
  type DrillWorld,
  type KubeObject,
  type PodStreamHandler,
  type ScenarioName,
} from './types';

export interface DrillApiServerOptions {
  store: MemoryObjectStore;
  /** The bearer token every request must carry. */
  token: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Metrics, pod refs, scenarios and the clock; without it those answer empty or 503. */
  world?: DrillWorld;
  /** Pod logs, exec, attach, port-forward; without it those answer 503. */
  streams?: PodStreamHandler;
  /** How often a watch that allows bookmarks gets one (default 10 s). */
  bookmarkIntervalMs?: number;
  /** Serve HTTPS with this PEM certificate and key (kubectl sends tokens only over TLS). */
  tls?: { cert: string; key: string };
  /** Answers the service proxy for monitoring/prometheus and monitoring/alertmanager. */
  monitoring?: MonitoringProxy;
}

type Encoding =
  | { as: 'object' }
  | { as: 'table'; version: 'v1' | 'v1beta1'; include: IncludeObject }
  | { as: 'metadata'; version: 'v1' | 'v1beta1' };

interface ResourceRequest {
  descriptor: ResourceDescriptor;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', APPLY_PATCH_CONTENT_TYPE];
const STREAM_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);
const WATCH_BUFFER_LIMIT = 64 * 1024 * 1024;
/** The namespaces the real API server's NamespaceLifecycle admission refuses to delete. */
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

/**
 * Stored objects are never mutated in place, so each one's JSON is encoded once, as UTF-8 bytes
 * ready for the socket, and reused by every list and watch that sends it.
 */
const encodedObjects = new WeakMap<object, Buffer>();

function encodedJson(object: object): Buffer {
  let bytes = encodedObjects.get(object);
  if (bytes === undefined) {
    const text = JSON.stringify(object);
    // Not a slice of Node's shared pool: a long-cached object must not pin its neighbours' slab.
    bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    bytes.write(text);
    encodedObjects.set(object, bytes);
  }
  return bytes;
}

/** A stored object's form under another apiVersion/kind, kept as long as the stored object lives. */
const presentedForms = new WeakMap<KubeObject, Map<string, KubeObject>>();

const LIST_ITEM_SEPARATOR = Buffer.from(',');
const LIST_END = Buffer.from(']}');
const WATCH_EVENT_END = Buffer.from('}\n');

function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function negotiate(accept: string | undefined, query: URLSearchParams): Encoding {
  const entries = (accept ?? '').split(',').map((entry) => {
    const [type, ...params] = entry.split(';').map((part) => part.trim());
    const map = new Map(params.map((p) => p.split('=').map((s) => s.trim()) as [string, string]));
    return { type, map };
  });
  for (const { type, map } of entries) {
    if (type !== 'application/json' || map.get('g') !== 'meta.k8s.io') continue;
    const version = map.get('v') === 'v1beta1' ? 'v1beta1' : 'v1';
    if (map.get('as') === 'Table') {
      const include = query.get('includeObject');
      return {
        as: 'table',
        version,
        include: include === 'None' || include === 'Object' ? include : 'Metadata',
      };
    }
    if (map.get('as') === 'PartialObjectMetadata' || map.get('as') === 'PartialObjectMetadataList') {
      return { as: 'metadata', version };
    }
  }
  return { as: 'object' };
}

/** The index of the first of `items` (in key order) whose key sorts after `key`. */
function firstAfter(items: readonly KubeObject[], key: string): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const object = items[mid] as KubeObject;
    if (objectKey(object.metadata.namespace, object.metadata.name) <= key) low = mid + 1;
    else high = mid;
  }
  return low;
}

function continueToken(key: string, resourceVersion: number): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: resourceVersion, start: key })).toString('base64url');
}

function parseContinue(token: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start?: unknown };
    if (typeof decoded.start === 'string') return decoded.start;
  } catch {
    // fall through to the error below
  }
  throw statusErrors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

interface HpaMetric {
  type?: string;
  resource?: { name?: string; target?: { averageUtilization?: number }; current?: { averageUtilization?: number } };
}

/** HPA objects are stored as autoscaling/v2; an autoscaling/v1 client sees the CPU target only. */
function hpaToV1(object: KubeObject): KubeObject {
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  const status = (object.status ?? {}) as Record<string, unknown>;
  const metrics = (spec.metrics as HpaMetric[] | undefined) ?? [];
  const cpu = metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  const currentCpu = ((status.currentMetrics as HpaMetric[] | undefined) ?? []).find(
    (m) => m.type === 'Resource' && m.resource?.name === 'cpu',
  );
  const v1Spec: Record<string, unknown> = {
    scaleTargetRef: spec.scaleTargetRef,
    maxReplicas: spec.maxReplicas,
  };
  if (spec.minReplicas !== undefined) v1Spec.minReplicas = spec.minReplicas;
  if (cpu?.resource?.target?.averageUtilization !== undefined) v1Spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  const v1Status: Record<string, unknown> = {
    currentReplicas: status.currentReplicas ?? 0,
    desiredReplicas: status.desiredReplicas ?? 0,
  };
  for (const key of ['observedGeneration', 'lastScaleTime']) if (status[key] !== undefined) v1Status[key] = status[key];
  if (currentCpu?.resource?.current?.averageUtilization !== undefined) {
    v1Status.currentCPUUtilizationPercentage = currentCpu.resource.current.averageUtilization;
  }
  return { ...object, apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', spec: v1Spec, status: v1Status };
}

function hpaFromV1(v1: KubeObject, stored: KubeObject | undefined): KubeObject {
  const spec = (v1.spec ?? {}) as Record<string, unknown>;
  const storedSpec = (stored?.spec ?? {}) as Record<string, unknown>;
  const otherMetrics = ((storedSpec.metrics as HpaMetric[] | undefined) ?? []).filter(
    (m) => !(m.type === 'Resource' && m.resource?.name === 'cpu'),
  );
  const metrics =
    spec.targetCPUUtilizationPercentage !== undefined
      ? [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } },
          ...otherMetrics,
        ]
      : otherMetrics;
  const v2Spec: Record<string, unknown> = { ...storedSpec, scaleTargetRef: spec.scaleTargetRef, maxReplicas: spec.maxReplicas, metrics };
  if (spec.minReplicas !== undefined) v2Spec.minReplicas = spec.minReplicas;
  return { ...v1, apiVersion: 'autoscaling/v2', spec: v2Spec, status: stored?.status ?? {} };
}

/** The Kubernetes API server of the drill cluster. */
export class DrillApiServer {
  private readonly server: Server;
  private readonly tokenDigest: Buffer;
  private readonly openWatches = new Set<() => void>();
  private readonly sockets = new Set<Duplex>();

  private constructor(private readonly options: DrillApiServerOptions) {
    this.tokenDigest = digest(options.token);
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => this.sendError(res, error));
    };
    this.server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : createHttpServer(onRequest);
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
    this.server.on('connection', (socket: Duplex) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts listening on 127.0.0.1 and resolves once the port is bound. */
  static async listen(options: DrillApiServerOptions): Promise<DrillApiServer> {
    const api = new DrillApiServer(options);
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject);
      api.server.listen(options.port ?? 0, '127.0.0.1', () => {
        api.server.off('error', reject);
        resolve();
      });
    });
    return api;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** Ends open watches and connections, then stops listening. */
  async close(): Promise<void> {
    for (const end of [...this.openWatches]) end();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections?.();
    await closed;
  }

  private get store(): MemoryObjectStore {
    return this.options.store;
  }

  /** Round-robin over a service's ready endpoints for the proxy. */
  private proxyTurn = 0;

  private now(): number {
    return this.options.world?.clock.now() ?? Date.now();
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) return false;
    return timingSafeEqual(digest((match[1] as string).trim()), this.tokenDigest);
  }

  // ---------------------------------------------------------------------------------------------
  // Edge: responses and errors

  private sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
    const text = JSON.stringify(body);
    res.writeHead(code, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-cache, private',
    });
    res.end(text);
  }

  private sendStatus(res: ServerResponse, status: KubeStatus): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    this.sendJson(res, status.code, status);
  }

  private sendError(res: ServerResponse, error: unknown): void {
    this.sendStatus(res, this.statusOf(error));
  }

  private statusOf(error: unknown): KubeStatus {
    if (error instanceof ApiError) return error.status;
    if (error instanceof SelectorError) return failureStatus(400, 'BadRequest', error.message);
    if (error instanceof ApplyBodyError) return failureStatus(400, 'BadRequest', error.message);
    if (error instanceof PatchError) return failureStatus(error.code, error.code === 400 ? 'BadRequest' : 'Invalid', error.message);
    if (error instanceof StoreError) {
      const codes = { NotFound: 404, AlreadyExists: 409, Conflict: 409, Invalid: 422, BadRequest: 400 } as const;
      return failureStatus(codes[error.reason], error.reason, error.message);
    }
    const message = error instanceof Error ? error.message : String(error);
    return failureStatus(500, 'InternalError', `Internal error occurred: ${message}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Routing

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!this.authorized(req)) throw statusErrors.unauthorized();
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const accept = req.headers.accept;

    if (path === '/version') return this.sendJson(res, 200, SERVER_VERSION);
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (path.startsWith('/drill/')) return this.handleControl(res, path, method);
    if (path === '/openapi/v2' || path === '/openapi/v3' || path.startsWith('/openapi/v3/')) return serveOpenApi(req, res, path, url.searchParams);
    const proxy = /^\/api\/v1\/namespaces\/([^/]+)\/(pods|services)\/([^/]+)\/proxy(\/.*)?$/.exec(url.pathname);
    if (proxy?.[2] === 'services' && this.options.monitoring?.serve(req, res, decodeURIComponent(proxy[1] as string), decodeURIComponent(proxy[3] as string), `${proxy[4] ?? '/'}${url.search}`)) return;
    if (proxy) return this.serveProxy(req, res, proxy[2] as 'pods' | 'services', decodeURIComponent(proxy[1] as string), decodeURIComponent(proxy[3] as string), `${proxy[4] ?? '/'}${url.search}`);
    if (path === '/api' || path === '/apis') {
      if (method !== 'GET') throw statusErrors.methodNotAllowed();
      const aggregated = acceptsAggregatedDiscovery(accept);
      if (aggregated) {
        return this.sendJson(res, 200, aggregatedDiscovery(path === '/api' ? 'core' : 'apis', aggregated), aggregatedDiscoveryContentType(aggregated));
      }
      return this.sendJson(res, 200, path === '/api' ? coreApiVersions() : apiGroupList());
    }

    const segments = path.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
    let group: string;
    let version: string | undefined;
    let rest: string[];
    if (segments[0] === 'api') {
      group = '';
      version = segments[1];
      rest = segments.slice(2);
    } else if (segments[0] === 'apis') {
      group = segments[1] ?? '';
      version = segments[2];
      rest = segments.slice(3);
      if (version === undefined) {
        const document = apiGroupDocument(group);
        if (!document) throw statusErrors.noRoute();
        return this.sendJson(res, 200, document);
      }
    } else {
      throw statusErrors.noRoute();
    }
    if (version === undefined) throw statusErrors.noRoute();
    if (rest.length === 0) {
      const list = apiResourceList(group, version);
      if (!list) throw statusErrors.noRoute();
      return this.sendJson(res, 200, list);
    }
    const request = this.parseResourcePath(group, version, rest, url.searchParams);
    await this.handleResource(req, res, request, negotiate(accept, url.searchParams));
  }

  private parseResourcePath(group: string, version: string, rest: string[], query: URLSearchParams): ResourceRequest {
    let namespace: string | undefined;
    let plural: string;
    let name: string | undefined;
    let subresource: string | undefined;
    let extra: string[];
    if (rest[0] === 'namespaces' && rest.length >= 3 && findResource(group, version, rest[2] as string)) {
      namespace = rest[1];
      plural = rest[2] as string;
      name = rest[3];
      subresource = rest[4];
      extra = rest.slice(5);
    } else {
      plural = rest[0] as string;
      name = rest[1];
      subresource = rest[2];
      extra = rest.slice(3);
    }
    const descriptor = findResource(group, version, plural);
    if (!descriptor || extra.length > 0) throw statusErrors.noRoute();
    if (namespace !== undefined && !descriptor.namespaced) throw statusErrors.noRoute();
    if (descriptor.namespaced && namespace === undefined && name !== undefined) throw statusErrors.noRoute();
    const request: ResourceRequest = { descriptor, query };
    if (namespace !== undefined) request.namespace = namespace;
    if (name !== undefined) request.name = name;
    if (subresource !== undefined) request.subresource = subresource;
    return request;
  }

  private async handleResource(req: IncomingMessage, res: ServerResponse, request: ResourceRequest, encoding: Encoding): Promise<void> {
    const method = req.method ?? 'GET';
    const { descriptor, name, subresource } = request;
    if (descriptor.computed === 'selfReview') {
      if (method !== 'POST' || name !== undefined || subresource !== undefined) throw statusErrors.methodNotAllowed();
      for await (const _chunk of req) void _chunk;
      return this.sendJson(res, 201, selfReview(descriptor));
    }
    if (descriptor.computed) {
      if (method !== 'GET' || subresource !== undefined) throw statusErrors.methodNotAllowed();
      if (isTrue(request.query.get('watch'))) throw statusErrors.methodNotAllowed();
      return this.serveMetrics(res, request, encoding);
    }
    if (subresource !== undefined) {
      if (name === undefined) throw statusErrors.noRoute();
      return this.handleSubresource(req, res, request, subresource, encoding);
    }
    if (name === undefined) {
      switch (method) {
        case 'GET':
          if (isTrue(request.query.get('watch'))) return this.serveWatch(req, res, request, encoding);
          return this.serveList(res, request, encoding);
        case 'POST':
          return this.serveCreate(req, res, request);
        case 'DELETE':
          return this.serveDeleteCollection(req, res, request);
        default:
          throw statusErrors.methodNotAllowed();
      }
    }
    switch (method) {
      case 'GET':
        if (isTrue(request.query.get('watch'))) throw statusErrors.methodNotAllowed();
        return this.serveGet(res, request, encoding);
      case 'PUT':
        return this.serveUpdate(req, res, request, 'main');
      case 'PATCH':
        return this.servePatch(req, res, request, 'main');
      case 'DELETE':
        return this.serveDelete(req, res, request);
      default:
        throw statusErrors.methodNotAllowed();
    }
  }

  private async handleSubresource(
    req: IncomingMessage,
    res: ServerResponse,
    request: ResourceRequest,
    subresource: string,
    encoding: Encoding,
  ): Promise<void> {
    const { descriptor } = request;
    const served = descriptor.subresources.find((s) => s.name === subresource);
    if (!served) throw statusErrors.noRoute();
    const method = req.method ?? 'GET';
    const name: SubresourceName = served.name;
    if (name === 'log') {
      if (method !== 'GET') throw statusErrors.methodNotAllowed();
      return this.serveLog(req, res, request);
    }
    if (STREAM_SUBRESOURCES.has(name)) {
      this.requirePod(request);
      throw statusErrors.badRequest('Upgrade request required');
    }
    if (name === 'eviction') {
      if (method !== 'POST') throw statusErrors.methodNotAllowed();
      return this.serveEviction(req, res, request);
    }
    if (name === 'scale') {
      if (method === 'GET') return this.sendJson(res, 200, this.scaleOf(request, this.requireStored(request)));
      if (method === 'PUT') return this.serveUpdate(req, res, request, 'scale');
      if (method === 'PATCH') return this.servePatch(req, res, request, 'scale');
      throw statusErrors.methodNotAllowed();
    }
    if (method === 'GET') return this.serveGet(res, request, encoding);
    if (method === 'PUT') return this.serveUpdate(req, res, request, 'status');
    if (method === 'PATCH') return this.servePatch(req, res, request, 'status');
    throw statusErrors.methodNotAllowed();
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  /**
   * The stored object as this descriptor's version presents it (read-only, maybe shared). A
   * converted form is made once per stored object, so its encoded JSON is reused too.
   */
  private present(descriptor: ResourceDescriptor, object: KubeObject): KubeObject {
    const apiVersion = apiVersionOf(descriptor.group, descriptor.version);
    const converted = descriptor.group === 'autoscaling' && descriptor.version === 'v1';
    if (!converted && object.apiVersion === apiVersion && object.kind === descriptor.kind) return object;
    const formKey = `${apiVersion}/${descriptor.kind}`;
    let forms = presentedForms.get(object);
    let form = forms?.get(formKey);
    if (form === undefined) {
      form = converted ? hpaToV1(object) : { ...object, apiVersion, kind: descriptor.kind };
      if (!forms) presentedForms.set(object, (forms = new Map()));
      forms.set(formKey, form);
    }
    return form;
  }

  private requireStored(request: ResourceRequest): KubeObject {
    const { descriptor, namespace, name } = request;
    const object = this.store.get(descriptor.storageKey, namespace, name as string);
    if (!object) throw statusErrors.notFound(descriptor, name as string);
    return object;
  }

  private encodeOne(descriptor: ResourceDescriptor, object: KubeObject, encoding: Encoding): unknown {
    const presented = this.present(descriptor, object);
    if (encoding.as === 'table') {
      const table = buildTable(descriptor.kind, [presented], this.now(), { include: encoding.include });
      return { ...table, apiVersion: `meta.k8s.io/${encoding.version}`, metadata: { resourceVersion: presented.metadata.resourceVersion } };
    }
    if (encoding.as === 'metadata') {
      return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${encoding.version}`, metadata: presented.metadata };
    }
    return presented;
  }

  private serveGet(res: ServerResponse, request: ResourceRequest, encoding: Encoding): void {
    this.sendJson(res, 200, this.encodeOne(request.descriptor, this.requireStored(request), encoding));
  }

  private selectorsOf(request: ResourceRequest): { labels: LabelRequirement[]; fields: FieldRequirement[] } {
    const labels = parseLabelSelector(request.query.get('labelSelector'));
    const fields = parseFieldSelector(request.query.get('fieldSelector'));
    checkFieldSelector(request.descriptor.kind, fields);
    return { labels, fields };
  }

  private selected(request: ResourceRequest): KubeObject[] {
    const { labels, fields } = this.selectorsOf(request);
    const all = this.store.snapshot(request.descriptor.storageKey, request.namespace);
    if (labels.length === 0 && fields.length === 0) return all as KubeObject[];
    return all.filter((object) => matchesLabels(labels, object.metadata.labels) && matchesFields(fields, object));
  }

  private serveList(res: ServerResponse, request: ResourceRequest, encoding: Encoding): void {
    const { descriptor, query } = request;
    const resourceVersion = String(this.store.resourceVersion);
    let items = this.selected(request);
    const continueFrom = query.get('continue');
    if (continueFrom) items = items.slice(firstAfter(items, parseContinue(continueFrom)));
    const limit = Number(query.get('limit') ?? '0');
    let nextToken: string | undefined;
    let remaining: number | undefined;
    if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
      remaining = items.length - limit;
      items = items.slice(0, limit);
      const last = items[items.length - 1] as KubeObject;
      nextToken = continueToken(objectKey(last.metadata.namespace, last.metadata.name), this.store.resourceVersion);
    }
    const presented = items.map((object) => this.present(descriptor, object));
    if (encoding.as === 'table') {
      const table = buildTable(descriptor.kind, presented, this.now(), {
        include: encoding.include,
        resourceVersion,
        ...(nextToken ? { continue: nextToken, remainingItemCount: remaining } : {}),
      });
      return this.sendJson(res, 200, { ...table, apiVersion: `meta.k8s.io/${encoding.version}` });
    }
    const metadata: Record<string, unknown> = { resourceVersion };
    if (nextToken) {
      metadata.continue = nextToken;
      metadata.remainingItemCount = remaining;
    }
    if (encoding.as === 'metadata') {
      return this.sendJson(res, 200, {
        kind: 'PartialObjectMetadataList',
        apiVersion: `meta.k8s.io/${encoding.version}`,
        metadata,
        items: presented.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${encoding.version}`, metadata: o.metadata })),
      });
    }
    const head = JSON.stringify({ kind: `${descriptor.kind}List`, apiVersion: apiVersionOf(descriptor.group, descriptor.version), metadata });
    this.sendList(res, `${head.slice(0, -1)},"items":[`, presented.map(encodedJson));
  }

  /**
   * Writes `opening`, the items' cached JSON bytes separated by commas, then `]}`: no 10 MB string
   * is built or re-encoded per request. The headers go out first so that the body reaches TLS as
   * one buffer, encrypted in place rather than copied again to join the header.
   */
  private sendList(res: ServerResponse, opening: string, items: readonly Buffer[]): void {
    const parts: Buffer[] = [Buffer.from(opening)];
    items.forEach((item, index) => {
      if (index > 0) parts.push(LIST_ITEM_SEPARATOR);
      parts.push(item);
    });
    parts.push(LIST_END);
    const body = Buffer.concat(parts);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    res.end(body);
  }

  private serveMetrics(res: ServerResponse, request: ResourceRequest, encoding: Encoding): void {
    const { descriptor, namespace, name } = request;
    const world = this.options.world;
    const all = world ? (descriptor.computed === 'nodeMetrics' ? world.nodeMetrics() : world.podMetrics(namespace)) : [];
    const inScope = all.filter((m) => namespace === undefined || m.metadata.namespace === namespace);
    if (name !== undefined) {
      const found = inScope.find((m) => m.metadata.name === name);
      if (!found) throw statusErrors.notFound(descriptor, name);
      return this.sendJson(res, 200, encoding.as === 'table' ? buildTable(descriptor.kind, [found], this.now()) : found);
    }
    const { labels, fields } = this.selectorsOf(request);
    const items = inScope.filter((m) => matchesLabels(labels, m.metadata.labels) && matchesFields(fields, m));
    if (encoding.as === 'table') return this.sendJson(res, 200, buildTable(descriptor.kind, items, this.now()));
    this.sendJson(res, 200, {
      kind: `${descriptor.kind}List`,
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { resourceVersion: '' },
      items,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Watch

  private serveWatch(req: IncomingMessage, res: ServerResponse, request: ResourceRequest, encoding: Encoding): void {
    const { descriptor, namespace, query } = request;
    const { labels, fields } = this.selectorsOf(request);
    const rvParam = query.get('resourceVersion');
    const sendInitialEvents = query.get('sendInitialEvents') === 'true';
    const fromStart = rvParam === null || rvParam === '' || rvParam === '0' || sendInitialEvents;
    const sinceRv = fromStart ? 0 : Number(rvParam);
    if (!fromStart && (!Number.isInteger(sinceRv) || sinceRv < 0)) {
      throw statusErrors.badRequest(`invalid resource version: ${rvParam}`);
    }
    const filtered = labels.length > 0 || fields.length > 0;
    const matches = (object: KubeObject) =>
      (namespace === undefined || object.metadata.namespace === namespace) &&
      (!filtered || (matchesLabels(labels, object.metadata.labels) && matchesFields(fields, object)));

    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();

    let first = true;
    let corked = false;
    const encode = (object: KubeObject): object => {
      const presented = this.present(descriptor, object);
      if (encoding.as === 'table') {
        const table = {
          kind: 'Table',
          apiVersion: `meta.k8s.io/${encoding.version}`,
          metadata: { resourceVersion: presented.metadata.resourceVersion },
          columnDefinitions: first ? tableColumns(descriptor.kind) : [],
          rows: [tableRow(presented, this.now(), encoding.include)],
        };
        first = false;
        return table;
      }
      if (encoding.as === 'metadata') {
        return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${encoding.version}`, metadata: presented.metadata };
      }
      return presented;
    };
    const write = (type: string, object: object) => {
      if (res.writableEnded) return;
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(() => {
          corked = false;
          res.uncork();
        });
      }
      if (encoding.as === 'object') {
        res.write(Buffer.concat([Buffer.from(`{"type":"${type}","object":`), encodedJson(object), WATCH_EVENT_END]));
      } else {
        res.write(`{"type":"${type}","object":${JSON.stringify(object)}}\n`);
      }
      if (res.writableLength > WATCH_BUFFER_LIMIT) end();
    };

    const seen = new Set<string>();
    const deliver = (change: StoreChange) => {
      const object = change.object;
      if (namespace !== undefined && object.metadata.namespace !== namespace) return;
      if (!filtered) {
        write(change.type, encode(object));
        return;
      }
      const key = objectKey(object.metadata.namespace, object.metadata.name);
      const now = matches(object);
      const before = seen.has(key);
      if (change.type === 'DELETED') {
        if (before || now) write('DELETED', encode(object));
        seen.delete(key);
      } else if (now) {
        write(before ? 'MODIFIED' : 'ADDED', encode(object));
        seen.add(key);
      } else if (before) {
        seen.delete(key);
        write('DELETED', encode(object));
      }
    };

    let unsubscribe = () => {};
    let bookmarkTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;
    const end = () => {
      unsubscribe();
      if (bookmarkTimer) clearInterval(bookmarkTimer);
      if (timeoutTimer) clearTimeout(timeoutTimer);
      this.openWatches.delete(end);
      if (!res.writableEnded) res.end();
    };
    this.openWatches.add(end);
    req.on('close', end);
    res.on('close', end);

    const bookmark = (annotations?: Record<string, string>) => {
      write('BOOKMARK', {
        kind: descriptor.kind,
        apiVersion: apiVersionOf(descriptor.group, descriptor.version),
        metadata: { resourceVersion: String(this.store.resourceVersion), ...(annotations ? { annotations } : {}) },
      });
    };

    if (fromStart) {
      for (const object of this.store.snapshot(descriptor.storageKey, namespace)) {
        if (!matches(object)) continue;
        if (filtered) seen.add(objectKey(object.metadata.namespace, object.metadata.name));
        write('ADDED', encode(object));
      }
      if (sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      const history = this.store.changesSince(sinceRv);
      if (history.expired) {
        write('ERROR', failureStatus(410, 'Expired', `too old resource version: ${sinceRv} (${history.oldest})`));
        end();
        return;
      }
      if (filtered) {
        for (const object of this.store.snapshot(descriptor.storageKey, namespace)) {
          if (matches(object)) seen.add(objectKey(object.metadata.namespace, object.metadata.name));
        }
      }
      for (const change of history.changes) if (change.resource === descriptor.storageKey) deliver(change);
    }
    unsubscribe = this.store.subscribeChanges((change) => {
      if (change.resource === descriptor.storageKey) deliver(change);
    });
    if (isTrue(query.get('allowWatchBookmarks'))) {
      bookmarkTimer = setInterval(() => bookmark(), this.options.bookmarkIntervalMs ?? 10_000);
    }
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');
    if (timeoutSeconds > 0) timeoutTimer = setTimeout(end, timeoutSeconds * 1000);
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  private async readBytes(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new ApiError(failureStatus(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 16777216'));
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  private async readBody(req: IncomingMessage): Promise<unknown> {
    const body = await this.readBytes(req);
    if (isProtobufEnvelope(body) || (req.headers['content-type'] ?? '').startsWith(PROTOBUF_CONTENT_TYPE)) {
      try {
        return decodeProtobufObject(body);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new ApiError(failureStatus(415, 'UnsupportedMediaType', message));
      }
    }
    const text = body.toString('utf8').trim();
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw statusErrors.badRequest(`the object provided is unrecognized or could not be decoded: ${detail}`);
    }
  }

  private dryRun(request: ResourceRequest, body?: unknown): boolean {
    const values = [...request.query.getAll('dryRun')];
    const fromBody = (body as { dryRun?: unknown } | undefined)?.dryRun;
    if (Array.isArray(fromBody)) values.push(...fromBody.map(String));
    for (const value of values) {
      if (value !== 'All') throw statusErrors.badRequest(`Unsupported value: "${value}": supported values: "All"`);
    }
    return values.length > 0;
  }

  private admit(descriptor: ResourceDescriptor, object: KubeObject, existing?: KubeObject): void {
    applyDefaults(descriptor.kind, object, existing);
    const causes = validateObject(descriptor.kind, object);
    if (causes.length > 0) throw statusErrors.invalid(descriptor, object.metadata?.name ?? '', causes);
  }

  private asObject(body: unknown, descriptor: ResourceDescriptor): KubeObject {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw statusErrors.badRequest('the object provided is unrecognized or could not be decoded');
    }
    const object = body as KubeObject;
    const apiVersion = apiVersionOf(descriptor.group, descriptor.version);
    if (object.kind !== undefined && object.kind !== descriptor.kind) {
      throw statusErrors.badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersion}) or kind ${String(object.kind)} does not match ${descriptor.kind}`);
    }
    if (object.apiVersion !== undefined && object.apiVersion !== apiVersion) {
      throw statusErrors.badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersion})`);
    }
    object.apiVersion = apiVersion;
    object.kind = descriptor.kind;
    if (!object.metadata || typeof object.metadata !== 'object') object.metadata = { name: '' };
    return object;
  }

  /** The object as the store keeps it (autoscaling/v1 writes become autoscaling/v2). */
  private toStorage(descriptor: ResourceDescriptor, object: KubeObject, stored?: KubeObject): KubeObject {
    if (descriptor.group === 'autoscaling' && descriptor.version === 'v1') return hpaFromV1(object, stored);
    return object;
  }

  private fixNamespace(request: ResourceRequest, object: KubeObject): void {
    if (!request.descriptor.namespaced) {
      delete object.metadata.namespace;
      return;
    }
    if (object.metadata.namespace && object.metadata.namespace !== request.namespace) {
      throw statusErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (request.namespace === undefined) throw statusErrors.noRoute();
    object.metadata.namespace = request.namespace;
  }

  private async serveCreate(req: IncomingMessage, res: ServerResponse, request: ResourceRequest): Promise<void> {
    const object = this.asObject(await this.readBody(req), request.descriptor);
    object.metadata.managedFields = undefined;
    this.createObject(res, request, object, fieldManagerOf(request.query, req.headers['user-agent']));
  }

  /** Creates `object` (or previews it for dry-run); `manager` records an Update, else managedFields are kept. */
  private createObject(res: ServerResponse, request: ResourceRequest, object: KubeObject, manager?: string): void {
    const { descriptor } = request;
    this.fixNamespace(request, object);
    if (request.namespace && descriptor.kind !== 'Namespace' && !this.store.get(RESOURCE_KEYS.namespaces, undefined, request.namespace)) {
      throw statusErrors.notFound({ group: '', plural: 'namespaces' }, request.namespace);
    }
    delete object.metadata.resourceVersion;
    const managedFields = object.metadata.managedFields;
    this.admit(descriptor, object);
    object.metadata.managedFields = manager
      ? recordUpdate(undefined, object, manager, apiVersionOf(descriptor.group, descriptor.version), schemaForKind(descriptor), this.now())
      : managedFields;
    const stored = this.toStorage(descriptor, object);
    if (this.dryRun(request)) {
      const name = stored.metadata.name || `${stored.metadata.generateName ?? ''}${randomUUID().slice(0, 5)}`;
      if (stored.metadata.name && this.store.get(descriptor.storageKey, request.namespace, stored.metadata.name)) {
        throw statusErrors.alreadyExists(descriptor, stored.metadata.name);
      }
      const preview: KubeObject = {
        ...stored,
        metadata: { ...stored.metadata, name, uid: randomUUID(), creationTimestamp: new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), generation: 1 },
      };
      return this.sendJson(res, 201, this.present(descriptor, preview));
    }
    try {
      const created = this.store.create(descriptor.storageKey, stored);
      this.sendJson(res, 201, this.present(descriptor, created));
    } catch (error) {
      if (error instanceof StoreError && error.reason === 'AlreadyExists') throw statusErrors.alreadyExists(descriptor, stored.metadata.name);
      throw error;
    }
  }

  /** Writes `next` over `current` (compare-and-swap on current's resourceVersion) unless dry-run. */
  private commit(request: ResourceRequest, current: KubeObject, next: KubeObject, dryRun: boolean): KubeObject {
    const { descriptor } = request;
    if (dryRun) return previewUpdate(current, next);
    try {
      return this.store.update(descriptor.storageKey, next);
    } catch (error) {
      if (error instanceof StoreError && error.reason === 'Conflict') throw statusErrors.conflict(descriptor, current.metadata.name, error.message);
      if (error instanceof StoreError && error.reason === 'NotFound') throw statusErrors.notFound(descriptor, current.metadata.name);
      throw error;
    }
  }

  /** The next stored object from a client's view of the `part` it wrote. */
  private merge(request: ResourceRequest, current: KubeObject, written: KubeObject, part: 'main' | 'status' | 'scale'): KubeObject {
    const { descriptor } = request;
    if (part === 'scale') {
      const replicas = (written.spec as { replicas?: unknown } | undefined)?.replicas;
      const causes = validateObject('Scale', written);
      if (causes.length > 0) throw statusErrors.invalid({ group: 'autoscaling', kind: 'Scale' }, current.metadata.name, causes);
      const next = structuredClone(current);
      next.spec = { ...(next.spec as object), replicas: replicas ?? 0 };
      next.metadata.resourceVersion = written.metadata?.resourceVersion || current.metadata.resourceVersion;
      return next;
    }
    const storedForm = this.toStorage(descriptor, written, current);
    const hasStatus = descriptor.subresources.some((s) => s.name === 'status');
    let next: KubeObject;
    if (part === 'status') {
      next = { ...structuredClone(current), status: storedForm.status };
      next.metadata.resourceVersion = storedForm.metadata.resourceVersion || current.metadata.resourceVersion;
    } else {
      next = storedForm;
      if (hasStatus) {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
      next.metadata.uid ??= current.metadata.uid;
      if (!next.metadata.resourceVersion) next.metadata.resourceVersion = current.metadata.resourceVersion;
      this.admit(descriptor, next, current);
    }
    next.metadata.name = current.metadata.name;
    if (current.metadata.namespace !== undefined) next.metadata.namespace = current.metadata.namespace;
    next.metadata.creationTimestamp = current.metadata.creationTimestamp;
    return next;
  }

  private scaleOf(request: ResourceRequest, object: KubeObject): KubeObject {
    const spec = (object.spec ?? {}) as { replicas?: number; selector?: LabelSelectorObject };
    const status = (object.status ?? {}) as { replicas?: number };
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: object.metadata.name,
        ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
        creationTimestamp: object.metadata.creationTimestamp,
      },
      spec: { replicas: spec.replicas ?? 0 },
      status: { replicas: status.replicas ?? 0, selector: spec.selector ? formatLabelSelector(spec.selector).replace(/^<none>$/, '') : '' },
    };
  }

  private answerWrite(res: ServerResponse, request: ResourceRequest, written: KubeObject, part: 'main' | 'status' | 'scale'): void {
    this.sendJson(res, 200, part === 'scale' ? this.scaleOf(request, written) : this.present(request.descriptor, written));
  }

  private async serveUpdate(req: IncomingMessage, res: ServerResponse, request: ResourceRequest, part: 'main' | 'status' | 'scale'): Promise<void> {
    const body = await this.readBody(req);
    const current = this.requireStored(request);
    const written =
      part === 'scale'
        ? (body as KubeObject)
        : this.asObject(body, request.descriptor);
    if (!written || typeof written !== 'object') throw statusErrors.badRequest('the object provided is unrecognized or could not be decoded');
    written.metadata ??= { name: current.metadata.name };
    if (written.metadata.name && written.metadata.name !== current.metadata.name) {
      throw statusErrors.badRequest('the name of the object does not match the name on the URL');
    }
    if (part !== 'scale') this.fixNamespace(request, written);
    const next = this.merge(request, current, written, part);
    this.recordManager(req, request, current, next, part);
    const saved = this.commit(request, current, next, this.dryRun(request));
    this.answerWrite(res, request, saved, part);
  }

  private async servePatch(req: IncomingMessage, res: ServerResponse, request: ResourceRequest, part: 'main' | 'status' | 'scale'): Promise<void> {
    const contentType = req.headers['content-type'] ?? '';
    const type = patchTypeOf(contentType);
    if ((contentType.split(';')[0] ?? '').trim() === APPLY_PATCH_CONTENT_TYPE) return this.serveApply(req, res, request, part);
    if (!type) throw statusErrors.unsupportedMediaType(contentType.split(';')[0] ?? '', PATCH_TYPES);
    const patch = await this.readBody(req);
    if (patch === undefined) throw statusErrors.badRequest('the body of the request was empty');
    const current = this.requireStored(request);
    const view = part === 'scale' ? this.scaleOf(request, current) : (structuredClone(this.present(request.descriptor, current)) as KubeObject);
    const patched = applyPatch(type, view, patch);
    if (!patched || typeof patched !== 'object' || !(patched as KubeObject).metadata) {
      throw statusErrors.badRequest('the patch removed the object metadata');
    }
    const written = patched as KubeObject;
    if (written.metadata.name !== current.metadata.name) {
      throw statusErrors.badRequest('the name of the object does not match the name on the URL');
    }
    const requestedRv = written.metadata.resourceVersion;
    if (requestedRv && requestedRv !== current.metadata.resourceVersion) {
      throw statusErrors.conflict(
        request.descriptor,
        current.metadata.name,
        `Operation cannot be fulfilled on ${request.descriptor.group ? `${request.descriptor.plural}.${request.descriptor.group}` : request.descriptor.plural} "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const next = this.merge(request, current, written, part);
    this.recordManager(req, request, current, next, part);
    const saved = this.commit(request, current, next, this.dryRun(request));
    this.answerWrite(res, request, saved, part);
  }

  /** managedFields after a non-apply write: the request's manager owns what it changed. */
  private recordManager(req: IncomingMessage, request: ResourceRequest, current: KubeObject, next: KubeObject, part: 'main' | 'status' | 'scale'): void {
    const { descriptor } = request;
    const manager = fieldManagerOf(request.query, req.headers['user-agent']);
    const subresource = part === 'main' ? undefined : part;
    next.metadata.managedFields = recordUpdate(current, next, manager, apiVersionOf(descriptor.group, descriptor.version), schemaForKind(descriptor), this.now(), subresource);
  }

  /**
   * `PATCH` with `application/apply-patch+yaml`: server-side apply as `?fieldManager=` (required),
   * creating the object when it does not exist; conflicts answer 409 with one cause per field.
   */
  private async serveApply(req: IncomingMessage, res: ServerResponse, request: ResourceRequest, part: 'main' | 'status' | 'scale'): Promise<void> {
    const { descriptor } = request;
    const manager = request.query.get('fieldManager');
    if (!manager) throw statusErrors.badRequest('PATCH is not supported for apply requests without fieldManager: fieldManager is required for apply requests');
    if (part === 'scale') throw statusErrors.methodNotAllowed();
    const applied = parseApplyBody(await this.readBytes(req));
    const apiVersion = apiVersionOf(descriptor.group, descriptor.version);
    if (applied.apiVersion !== apiVersion || applied.kind !== descriptor.kind) {
      throw statusErrors.badRequest(`the API version in the data (${String(applied.apiVersion)}) does not match the expected API version (${apiVersion}) or kind ${String(applied.kind)} does not match ${descriptor.kind}`);
    }
    if (applied.metadata?.name && applied.metadata.name !== request.name) throw statusErrors.badRequest('the name of the object does not match the name on the URL');
    const force = isTrue(request.query.get('force'));
    const current = this.store.get(descriptor.storageKey, request.namespace, request.name as string);
    const precondition = applied.metadata?.resourceVersion;
    if (current && precondition && precondition !== current.metadata.resourceVersion) {
      throw statusErrors.conflict(descriptor, current.metadata.name, `Operation cannot be fulfilled on ${qualifiedName(descriptor)} "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    const input = { applied, manager, force, apiVersion, schema: schemaForKind(descriptor), now: this.now(), ...(part === 'status' ? { subresource: 'status' } : {}) };
    const written = applyAnswering409(descriptor, request.name as string, () =>
      serverSideApply({ ...input, live: current ? (structuredClone(this.present(descriptor, current)) as KubeObject) : undefined }),
    );
    if (!current) {
      if (part !== 'main') throw statusErrors.notFound(descriptor, request.name as string);
      written.metadata.name = request.name as string;
      return this.createObject(res, request, written);
    }
    const managedFields = written.metadata.managedFields;
    const next = this.merge(request, current, written, part);
    next.metadata.managedFields = managedFields;
    const saved = this.commit(request, current, next, this.dryRun(request));
    this.answerWrite(res, request, saved, part);
  }

  private deleteOptions(request: ResourceRequest, body: unknown): { policy: PropagationPolicy; preconditions?: { uid?: string; resourceVersion?: string } } {
    const options = (body && typeof body === 'object' ? body : {}) as {
      propagationPolicy?: string;
      orphanDependents?: boolean;
      preconditions?: { uid?: string; resourceVersion?: string };
    };
    let policy = request.query.get('propagationPolicy') ?? options.propagationPolicy ?? 'Background';
    if (options.orphanDependents === true || request.query.get('orphanDependents') === 'true') policy = 'Orphan';
    if (policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
      throw statusErrors.badRequest(`Unsupported value: "${policy}": supported values: "Background", "Foreground", "Orphan"`);
    }
    const grace = request.query.get('gracePeriodSeconds');
    if (grace !== null && !/^-?\d+$/.test(grace)) throw statusErrors.badRequest(`invalid gracePeriodSeconds: ${grace}`);
    return { policy, ...(options.preconditions ? { preconditions: options.preconditions } : {}) };
  }

  /**
   * Graceful deletion, as the real API server does it: a scheduled pod (its grace period from
   * DeleteOptions, the query, or its spec; 30 s by default) and any object with finalizers get
   * `deletionTimestamp` and stay, shown as Terminating, until the grace period ends (the world
   * removes the pod then) or the last finalizer goes. Grace 0 removes a pod at once (`--force`).
   * Answers the object kept, or undefined when it should be removed now.
   */
  private markTerminating(request: ResourceRequest, current: KubeObject, body: unknown): KubeObject | undefined {
    const finalizers = (current.metadata.finalizers as string[] | undefined) ?? [];
    const isPod = request.descriptor.storageKey === RESOURCE_KEYS.pods;
    const spec = (current.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (current.status as { phase?: string } | undefined)?.phase;
    const fromBody = (body as { gracePeriodSeconds?: unknown } | undefined)?.gracePeriodSeconds;
    const fromQuery = request.query.get('gracePeriodSeconds');
    let grace = typeof fromBody === 'number' ? fromBody : fromQuery !== null ? Number(fromQuery) : (spec.terminationGracePeriodSeconds ?? 30);
    if (grace < 0) grace = 1;
    const kubelets = this.options.world?.terminatesPods === true;
    const graceful = kubelets && isPod && grace > 0 && spec.nodeName !== undefined && phase !== 'Succeeded' && phase !== 'Failed';
    if (request.descriptor.kind === 'Namespace' && kubelets) {
      // The namespace controller's part: Terminating while its content goes, then it goes.
      if (current.metadata.deletionTimestamp) return current;
      return this.store.mutate(RESOURCE_KEYS.namespaces, undefined, current.metadata.name, (draft) => {
        draft.metadata.deletionTimestamp = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
        draft.metadata.deletionGracePeriodSeconds = 0;
        draft.status = { ...((draft.status as Record<string, unknown> | undefined) ?? {}), phase: 'Terminating' };
      });
    }
    if (!graceful && finalizers.length === 0) return undefined;
    const now = this.now();
    const deadline = now + (graceful ? grace * 1000 : 0);
    const existing = current.metadata.deletionTimestamp ? Date.parse(current.metadata.deletionTimestamp) : undefined;
    if (existing !== undefined && existing <= deadline) return current;
    return this.store.mutate(request.descriptor.storageKey, request.namespace, current.metadata.name, (draft) => {
      draft.metadata.deletionTimestamp = new Date(deadline).toISOString().replace(/\.\d{3}Z$/, 'Z');
      draft.metadata.deletionGracePeriodSeconds = graceful ? grace : 0;
    });
  }

  private async serveDelete(req: IncomingMessage, res: ServerResponse, request: ResourceRequest): Promise<void> {
    const body = await this.readBody(req);
    const { policy, preconditions } = this.deleteOptions(request, body);
    const current = this.requireStored(request);
    if (request.descriptor.kind === 'Namespace' && IMMORTAL_NAMESPACES.has(current.metadata.name)) {
      throw statusErrors.forbidden(`namespaces "${current.metadata.name}" is forbidden: this namespace may not be deleted`);
    }
    if (this.dryRun(request, body)) return this.sendJson(res, 200, this.present(request.descriptor, current));
    if (preconditions?.uid && preconditions.uid !== current.metadata.uid) {
      throw statusErrors.conflict(
        request.descriptor,
        current.metadata.name,
        `Operation cannot be fulfilled on ${request.descriptor.plural} "${current.metadata.name}": Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    const terminating = this.markTerminating(request, current, body);
    if (terminating) return this.sendJson(res, 200, this.present(request.descriptor, terminating));
    const deleted = this.store.delete(request.descriptor.storageKey, request.namespace, current.metadata.name, {
      propagationPolicy: policy,
      ...(preconditions ? { preconditions } : {}),
    });
    if (!deleted) throw statusErrors.notFound(request.descriptor, current.metadata.name);
    this.sendJson(res, 200, this.present(request.descriptor, deleted));
  }

  /** pods/eviction (eviction.ts decides); an allowed one deletes the pod as a DELETE would. */
  private async serveEviction(req: IncomingMessage, res: ServerResponse, request: ResourceRequest): Promise<void> {
    const body = await this.readBody(req);
    const pod = this.requireStored(request);
    const outcome = evictPod(this.store, pod, body, request.query, this.now());
    if (outcome.deleteOptions && !this.markTerminating(request, pod, outcome.deleteOptions)) {
      this.store.delete(request.descriptor.storageKey, request.namespace, pod.metadata.name);
    }
    this.sendJson(res, 201, outcome.status);
  }

  private async serveDeleteCollection(req: IncomingMessage, res: ServerResponse, request: ResourceRequest): Promise<void> {
    const body = await this.readBody(req);
    const { policy } = this.deleteOptions(request, body);
    const dryRun = this.dryRun(request, body);
    const targets = this.selected(request).map((object) => ({ namespace: object.metadata.namespace, name: object.metadata.name }));
    const deleted: KubeObject[] = [];
    for (const target of targets) {
      if (dryRun) {
        const object = this.store.get(request.descriptor.storageKey, target.namespace, target.name);
        if (object) deleted.push(object);
        continue;
      }
      const current = this.store.get(request.descriptor.storageKey, target.namespace, target.name);
      if (!current) continue;
      const terminating = this.markTerminating({ ...request, namespace: target.namespace }, current, body);
      if (terminating) {
        deleted.push(terminating);
        continue;
      }
      const gone = this.store.delete(request.descriptor.storageKey, target.namespace, target.name, { propagationPolicy: policy });
      if (gone) deleted.push(gone);
    }
    this.sendJson(res, 200, {
      kind: `${request.descriptor.kind}List`,
      apiVersion: apiVersionOf(request.descriptor.group, request.descriptor.version),
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items: deleted.map((object) => this.present(request.descriptor, object)),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Pod streams

  /**
   * `pods/<name>[:<port>]/proxy/<path>` and `services/[<scheme>:]<name>[:<port>]/proxy/<path>`:
   * the request reaches what listens in the pod (for a service, one of its ready endpoints, by
   * the port's name or number and its targetPort), as the real API server's proxy does.
   */
  private async serveProxy(req: IncomingMessage, res: ServerResponse, kind: 'pods' | 'services', namespace: string, target: string, path: string): Promise<void> {
    const parts = target.split(':');
    if (parts.length === 3 || (kind === 'services' && (parts[0] === 'http' || parts[0] === 'https') && parts.length > 1)) parts.shift();
    const [name = '', portText] = parts;
    const podDescriptor = findResource('', 'v1', 'pods') as ResourceDescriptor;
    let pod: KubeObject | undefined;
    let port: number | undefined;
    if (kind === 'pods') {
      pod = this.store.get(RESOURCE_KEYS.pods, namespace, name);
      if (!pod) throw statusErrors.notFound(podDescriptor, name);
      const containerPorts = ((pod.spec as { containers?: Array<{ ports?: Array<{ containerPort: number; name?: string }> }> }).containers ?? []).flatMap((c) => c.ports ?? []);
      port = portText === undefined ? containerPorts[0]?.containerPort : (containerPorts.find((p) => p.name === portText)?.containerPort ?? Number(portText));
    } else {
      const serviceDescriptor = findResource('', 'v1', 'services') as ResourceDescriptor;
      const service = this.store.get(RESOURCE_KEYS.services, namespace, name);
      if (!service) throw statusErrors.notFound(serviceDescriptor, name);
      const spec = service.spec as { selector?: Record<string, string>; ports?: Array<{ name?: string; port: number; targetPort?: number | string }> };
      const servicePort = portText === undefined ? spec.ports?.[0] : spec.ports?.find((p) => p.name === portText || String(p.port) === portText);
      if (!servicePort) throw statusErrors.serviceUnavailable(`no service port "${portText}" found for service "${name}"`);
      const selector = Object.entries(spec.selector ?? {});
      const ready = this.store
        .list(RESOURCE_KEYS.pods, namespace)
        .filter((p) => selector.length > 0 && selector.every(([k, v]) => p.metadata.labels?.[k] === v))
        .filter((p) => !p.metadata.deletionTimestamp && ((p.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
      if (ready.length === 0) throw statusErrors.serviceUnavailable(`no endpoints available for service "${name}"`);
      pod = ready[this.proxyTurn++ % ready.length] as KubeObject;
      const targetPort = servicePort.targetPort ?? servicePort.port;
      if (typeof targetPort === 'number') port = targetPort;
      else {
        const named = ((pod.spec as { containers?: Array<{ ports?: Array<{ containerPort: number; name?: string }> }> }).containers ?? []).flatMap((c) => c.ports ?? []).find((p) => p.name === targetPort);
        port = named?.containerPort;
      }
    }
    if (port === undefined || !Number.isInteger(port)) throw statusErrors.badRequest(`invalid port in proxy target "${target}"`);
    const { ref, streams } = this.podRefFor({ descriptor: podDescriptor, namespace, name: pod.metadata.name, query: new URLSearchParams() }, pod);
    const podIP = (pod.status as { podIP?: string } | undefined)?.podIP ?? '';
    if (!streams.serveApp?.(req, res, ref, port, path)) {
      throw statusErrors.serviceUnavailable(`error trying to reach service: dial tcp ${podIP}:${port}: connect: connection refused`);
    }
  }

  private requirePod(request: ResourceRequest): KubeObject {
    return this.requireStored(request);
  }

  private podRefFor(request: ResourceRequest, pod: KubeObject) {
    const world = this.options.world;
    const streams = this.options.streams;
    if (!world || !streams) throw statusErrors.serviceUnavailable('pod streams are not available in this drill cluster');
    const ref = world.podRef(pod.metadata.namespace ?? '', pod.metadata.name);
    if (!ref) throw statusErrors.notFound(request.descriptor, pod.metadata.name);
    return { ref, streams };
  }

  private checkContainer(pod: KubeObject, query: URLSearchParams): void {
    const containers = ((pod.spec as { containers?: Array<{ name: string }> } | undefined)?.containers ?? []).map((c) => c.name);
    const initContainers = ((pod.spec as { initContainers?: Array<{ name: string }> } | undefined)?.initContainers ?? []).map((c) => c.name);
    const container = query.get('container');
    if (container) {
      if (!containers.includes(container) && !initContainers.includes(container)) {
        throw statusErrors.badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
      }
      return;
    }
    if (containers.length > 1) {
      const defaultContainer = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
      if (defaultContainer && containers.includes(defaultContainer)) {
        query.set('container', defaultContainer);
        return;
      }
      throw statusErrors.badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]`);
    }
  }

  private serveLog(req: IncomingMessage, res: ServerResponse, request: ResourceRequest): void {
    const pod = this.requirePod(request);
    this.checkContainer(pod, request.query);
    const { ref, streams } = this.podRefFor(request, pod);
    streams.serveLog(req, res, ref, request.query);
  }

  private rejectUpgrade(socket: Duplex, status: KubeStatus): void {
    const body = JSON.stringify(status);
    const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 503: 'Service Unavailable' }[status.code] ?? 'Error';
    socket.end(
      `HTTP/1.1 ${status.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    try {
      if (!this.authorized(req)) throw statusErrors.unauthorized();
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const segments = url.pathname.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
      if (segments[0] !== 'api' || segments[1] !== 'v1') throw statusErrors.noRoute();
      const request = this.parseResourcePath('', 'v1', segments.slice(2), url.searchParams);
      const subresource = request.subresource;
      if (request.descriptor.plural !== 'pods' || !subresource || !STREAM_SUBRESOURCES.has(subresource)) {
        throw statusErrors.badRequest('upgrade is only supported for pods/exec, pods/attach and pods/portforward');
      }
      const pod = this.requirePod(request);
      if (subresource !== 'portforward') this.checkContainer(pod, request.query);
      const { ref, streams } = this.podRefFor(request, pod);
      streams.handleUpgrade(subresource as 'exec' | 'attach' | 'portforward', req, socket, head, ref, request.query);
    } catch (error) {
      this.rejectUpgrade(socket, this.statusOf(error));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Drill control API

  private handleControl(res: ServerResponse, path: string, method: string): void {
    const world = this.options.world;
    if (!world) throw statusErrors.serviceUnavailable('the drill world is not running');
    if (path === '/drill/metrics') {
      if (method !== 'GET') throw statusErrors.methodNotAllowed();
      const text = world.prometheusText();
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const state = () => ({ available: SCENARIO_NAMES, active: world.scenarios.active() });
    if (path === '/drill/scenarios') {
      if (method !== 'GET') throw statusErrors.methodNotAllowed();
      return this.sendJson(res, 200, state());
    }
    const match = /^\/drill\/scenarios\/([^/]+)$/.exec(path);
    if (!match) throw statusErrors.noRoute();
    const name = decodeURIComponent(match[1] as string) as ScenarioName;
    if (!SCENARIO_NAMES.includes(name)) {
      throw new ApiError(failureStatus(404, 'NotFound', `scenario "${name}" not found; known: ${SCENARIO_NAMES.join(', ')}`));
    }
    if (method === 'POST') world.scenarios.inject(name);
    else if (method === 'DELETE') world.scenarios.clear(name);
    else if (method !== 'GET') throw statusErrors.methodNotAllowed();
    this.sendJson(res, 200, state());
  }
}

/**
 * The answer to `kubectl auth can-i` (SelfSubjectAccessReview) and `auth whoami`
 * (SelfSubjectReview): the drill's bearer token is its admin, allowed every verb. The request
 * body (protobuf from kubectl) need not be read for that.
 */
function selfReview(descriptor: ResourceDescriptor): KubeObject {
  const apiVersion = `${descriptor.group}/${descriptor.version}`;
  if (descriptor.kind === 'SelfSubjectReview') {
    return { apiVersion, kind: descriptor.kind, metadata: { name: '', creationTimestamp: null } as unknown as KubeObject['metadata'], status: { userInfo: { username: 'drill-admin', groups: ['system:masters', 'system:authenticated'] } } };
  }
  return { apiVersion, kind: descriptor.kind, metadata: { name: '', creationTimestamp: null } as unknown as KubeObject['metadata'], spec: {}, status: { allowed: true, reason: 'the drill cluster grants its token every verb' } };
}
