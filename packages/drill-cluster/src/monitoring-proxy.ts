/**
 * The drill's monitoring behind its services: the API server's service proxy
 * (`/api/v1/namespaces/monitoring/services/prometheus:9090/proxy/<path>`, and `alertmanager:9093`)
 * forwards to a real Prometheus / Alertmanager when one is registered (the drill's own, started
 * by `monitoring-stack.ts`, or one a test harness runs), as a cluster's proxy reaches the pods
 * behind a service. Registering an Alertmanager also gives the cluster its `monitoring/alertmanager`
 * Service, so discovery finds it. Nothing registered: the proxy answers 503 saying so.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { RESOURCE_KEYS } from './resources';
import { statusErrors } from './status';
import type { KubeObject, ObjectStore } from './types';

export const MONITORING_NAMESPACE = 'monitoring';

/** The services the drill's monitoring answers behind, and the port each one's Service names. */
export const MONITORING_SERVICES = {
  prometheus: { name: 'prometheus', port: 9090, portName: 'web', clusterIP: '10.96.90.90' },
  alertmanager: { name: 'alertmanager', port: 9093, portName: 'web', clusterIP: '10.96.90.93' },
} as const;

export type MonitoringComponent = keyof typeof MONITORING_SERVICES;

/** Where each component listens (`http://127.0.0.1:<port>[/sub-path]`); absent: not running. */
export type MonitoringAddresses = Partial<Record<MonitoringComponent, string>>;

/** Headers that belong to one hop, never forwarded (RFC 9110 §7.6.1), plus the client's credentials. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'authorization', 'proxy-authorization']);

function checkedUrl(component: MonitoringComponent, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`${component}: "${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`${component}: ${text} must be http(s)`);
  if (url.search || url.hash || url.username || url.password) throw new RangeError(`${component}: ${text} must be a plain base URL (no query, fragment or credentials)`);
  return url;
}

function alertmanagerService(): KubeObject {
  const s = MONITORING_SERVICES.alertmanager;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: MONITORING_NAMESPACE, labels: { app: s.name } },
    spec: { type: 'ClusterIP', clusterIP: s.clusterIP, clusterIPs: [s.clusterIP], selector: { app: s.name }, ports: [{ name: s.portName, port: s.port, targetPort: s.port, protocol: 'TCP' }] },
  };
}

export class MonitoringProxy {
  private addresses = new Map<MonitoringComponent, URL>();
  private store: ObjectStore | undefined;
  private readonly inFlight = new Set<ClientRequest>();

  constructor(initial: MonitoringAddresses = {}) {
    this.register(initial);
  }

  /** The cluster's store (again after a reset): the Services registration needs are made there. */
  attach(store: ObjectStore): void {
    this.store = store;
    this.ensureServices();
  }

  /** Sets (or, with an empty string, removes) where each named component listens; throws RangeError on a bad URL. */
  register(addresses: MonitoringAddresses): void {
    const next = new Map(this.addresses);
    for (const component of Object.keys(MONITORING_SERVICES) as MonitoringComponent[]) {
      const text = addresses[component];
      if (text === undefined) continue;
      if (text === '') next.delete(component);
      else next.set(component, checkedUrl(component, text));
    }
    this.addresses = next;
    this.ensureServices();
  }

  registered(): MonitoringAddresses {
    return Object.fromEntries([...this.addresses].map(([k, v]) => [k, v.href.replace(/\/$/, '')]));
  }

  /**
   * Answers a service-proxy request for a monitoring service: forwarded when its component is
   * registered, else a 503 Status naming what to do. False for any other service.
   */
  serve(req: IncomingMessage, res: ServerResponse, namespace: string, target: string, path: string): boolean {
    if (namespace !== MONITORING_NAMESPACE) return false;
    const parts = target.split(':');
    if (parts.length === 3 || ((parts[0] === 'http' || parts[0] === 'https') && parts.length > 1)) parts.shift();
    const [name, port] = parts;
    const component = (Object.keys(MONITORING_SERVICES) as MonitoringComponent[]).find((c) => MONITORING_SERVICES[c].name === name);
    if (!component) return false;
    const service = MONITORING_SERVICES[component];
    if (port !== undefined && port !== String(service.port) && port !== service.portName) return false;
    const base = this.addresses.get(component);
    if (!base) {
      throw statusErrors.serviceUnavailable(
        `no ${component} runs behind the drill's ${MONITORING_NAMESPACE}/${service.name} service: install Debian's ${component === 'prometheus' ? 'prometheus' : 'prometheus-alertmanager'} (the drill then starts one) or register one with PUT /v1/monitoring on the drill's control API`,
      );
    }
    this.forward(req, res, base, path);
    return true;
  }

  /** Aborts the requests still being forwarded. */
  close(): void {
    for (const upstream of [...this.inFlight]) upstream.destroy();
    this.inFlight.clear();
  }

  private forward(req: IncomingMessage, res: ServerResponse, base: URL, path: string): void {
    const url = new URL(base.href);
    const [pathname = '/', search = ''] = path.split(/\?(.*)/s);
    url.pathname = `${base.pathname.replace(/\/$/, '')}/${pathname.replace(/^\//, '')}`;
    url.search = search ? `?${search}` : '';
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_HEADERS.has(k.toLowerCase())));
    const upstream = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: req.method ?? 'GET', headers });
    this.inFlight.add(upstream);
    const done = (): void => {
      this.inFlight.delete(upstream);
    };
    upstream.on('response', (answer) => {
      const answerHeaders = Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !HOP_HEADERS.has(k.toLowerCase())));
      res.writeHead(answer.statusCode ?? 502, answerHeaders);
      answer.pipe(res);
      answer.on('end', done);
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      done();
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const reason = error.code === 'ECONNREFUSED' ? 'connect: connection refused' : error.message;
      const status = statusErrors.serviceUnavailable(`error trying to reach service: dial tcp ${url.host}: ${reason}`).status;
      const text = JSON.stringify(status);
      res.writeHead(503, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
    // The client went away: stop the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
      done();
    });
    req.pipe(upstream);
  }

  private ensureServices(): void {
    const store = this.store;
    if (!store || !this.addresses.has('alertmanager')) return;
    if (!store.get(RESOURCE_KEYS.services, MONITORING_NAMESPACE, MONITORING_SERVICES.alertmanager.name)) {
      store.create(RESOURCE_KEYS.services, alertmanagerService());
    }
  }
}
