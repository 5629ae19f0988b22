/**
 * One container's log over the raw endpoint (`GET .../pods/{pod}/log?follow=true&timestamps=true`)
 * with the context's credentials through client-node's `applyToHTTPSOptions`. Bytes are handed on
 * as they arrive; the response can be paused (TCP backpressure to the API server). The server's
 * refusals become specific errors: the pod is not there, the container is not in the pod, there
 * is no previous instance, the container has not started yet.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { CockpitFailure, type ErrorCode } from '../../shared/result';
import { HttpResponseReader } from './http-response';

export interface PodLogQuery {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  /** RFC3339 (nanoseconds allowed). */
  sinceTime?: string;
}

/** Why a log request was refused, as the view acts on it. */
export type LogRefusal = 'pod-not-found' | 'container-not-found' | 'no-previous' | 'not-started' | 'other';

export class LogRequestFailure extends CockpitFailure {
  constructor(
    code: ErrorCode,
    message: string,
    readonly refusal: LogRefusal,
    scope: { context: string; namespace: string },
    readonly status?: number,
  ) {
    super(code, message, undefined, { ...scope, resource: 'pods/log' });
    this.name = 'LogRequestFailure';
  }
}

export interface PodLogHandle {
  /** Resolves when the server ends the stream (container ended, pod gone, not following); rejects when it is cut. */
  done: Promise<void>;
  pause(): void;
  resume(): void;
  abort(): void;
}

export function logPath(q: PodLogQuery): string {
  const params = new URLSearchParams({ container: q.container, timestamps: 'true' });
  if (q.follow && !q.previous) params.set('follow', 'true');
  if (q.previous) params.set('previous', 'true');
  if (q.tailLines !== undefined) params.set('tailLines', String(q.tailLines));
  if (q.sinceTime) params.set('sinceTime', q.sinceTime);
  else if (q.sinceSeconds !== undefined) params.set('sinceSeconds', String(q.sinceSeconds));
  return `/api/v1/namespaces/${encodeURIComponent(q.namespace)}/pods/${encodeURIComponent(q.pod)}/log?${params}`;
}

/** The socket's reads land here, one buffer per stream for its whole life. */
const READ_BUFFER_BYTES = 64 * 1024;
/** Of a refusal's body, what is kept to say why. */
const MAX_REFUSAL_BYTES = 64 * 1024;

/** The stream's end, settled once: resolved when it ends, rejected when it is cut. */
function streamEnd(): { done: Promise<void>; finish(error?: Error): void } {
  let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  let settled = false;
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined);
  return {
    done,
    finish(error) {
      if (settled) return;
      settled = true;
      if (error) settle!.reject(error);
      else settle!.resolve();
    },
  };
}

/** What a cut or unreachable stream says, by name. */
function streamFailures(context: string, q: PodLogQuery) {
  const scope = { context, namespace: q.namespace };
  const codeOf = (error: Error) => (error as NodeJS.ErrnoException).code ?? error.message;
  return {
    cut: (error: Error) => new LogRequestFailure('Unreachable', `${context}: the log stream of ${q.pod}/${q.container} was cut (${codeOf(error)})`, 'other', scope),
    unreachable: (where: string, error: Error) => new LogRequestFailure('Unreachable', `${context}: cannot reach ${where} for the log of ${q.pod}/${q.container}: ${codeOf(error)}`, 'other', scope),
  };
}

const connectionReset = () => Object.assign(new Error('cut'), { code: 'ECONNRESET' });

/** A refusal's body, its first `MAX_REFUSAL_BYTES` kept (copied: the bytes may be a reused buffer). */
class RefusalBody {
  private readonly pieces: Buffer[] = [];
  private kept = 0;

  add(bytes: Uint8Array, start = 0, end = bytes.length): void {
    if (this.kept >= MAX_REFUSAL_BYTES) return;
    const piece = Buffer.from(bytes.subarray(start, Math.min(end, start + MAX_REFUSAL_BYTES - this.kept)));
    this.pieces.push(piece);
    this.kept += piece.length;
  }

  text(): string {
    return Buffer.concat(this.pieces).toString('utf8');
  }
}

/**
 * Opens the stream; `onData` gets every piece of the body in order, as a view of the stream's
 * one read buffer: valid only during the call (copy what you keep). Rejects when the server
 * refuses it.
 *
 * Not node's http client: that gives every read (a TLS record, 16 KiB) a new Buffer, and at a
 * log flood's hundreds of megabytes a second those young buffers keep V8 running a full
 * mark-compact every few hundred milliseconds once the host's heap limit is tight (as a filling
 * ring leaves it). Here the socket reads into one reused buffer (`onread`) and
 * `HttpResponseReader` takes the response apart.
 */
export async function openPodLog(config: KubeConfig, context: string, q: PodLogQuery, onData: (chunk: Buffer) => void): Promise<PodLogHandle> {
  const cluster = config.getCurrentCluster();
  const scope = { context, namespace: q.namespace };
  if (!cluster) throw new LogRequestFailure('Invalid', `${context}: the context names no cluster`, 'other', scope);
  const url = new URL(logPath(q), cluster.server);
  const options: https.RequestOptions = { headers: {} };
  await config.applyToHTTPSOptions(options);
  // Through a proxy (`proxy-url`): node's client with a proxy agent.
  if (cluster.proxyUrl) return openThroughAgent(options, proxyAgent(cluster.proxyUrl, url), url, context, q, onData);
  const isHttps = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (isHttps ? 443 : 80));
  const fields: Array<[string, string]> = Object.entries(options.headers ?? {})
    .filter(([name]) => !/^(host|connection|content-length|transfer-encoding)$/i.test(name))
    .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]);
  // A user with a username and password (basic auth), as node's client would send it.
  if (options.auth) fields.push(['Authorization', `Basic ${Buffer.from(options.auth).toString('base64')}`]);
  if (fields.some(([name, value]) => /[\r\n]/.test(name) || /[\r\n]/.test(value))) {
    throw new LogRequestFailure('Invalid', `${context}: a credential of the kubeconfig holds a line break; it cannot be sent as an HTTP header`, 'other', scope);
  }
  const headers = fields.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  const request = `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n${headers}Accept: */*\r\nConnection: close\r\n\r\n`;
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  const { cut, unreachable } = streamFailures(context, q);
  return new Promise<PodLogHandle>((resolveOpen, rejectOpen) => {
    let aborted = false;
    let opened = false;
    const { done, finish } = streamEnd();
    let refusedStatus = 0;
    const refusedBody = new RefusalBody();
    const reader = new HttpResponseReader(
      (head) => {
        if (head.status >= 400) {
          refusedStatus = head.status;
          return;
        }
        opened = true;
        resolveOpen(handle);
      },
      (bytes, start, end) => {
        if (!refusedStatus) onData(buffer.subarray(start, end));
        else refusedBody.add(bytes, start, end);
      },
    );
    const connectOptions = {
      host,
      port,
      onread: {
        buffer,
        callback: (n: number) => {
          try {
            reader.push(buffer, 0, n);
          } catch (error) {
            socket.destroy(error instanceof Error ? error : new Error(String(error)));
            return false;
          }
          if (reader.complete) socket.end();
          return true;
        },
      },
    };
    const socket: net.Socket = isHttps
      ? tls.connect({
          ...connectOptions,
          ...(options.ca ? { ca: options.ca } : {}),
          ...(options.cert ? { cert: options.cert } : {}),
          ...(options.key ? { key: options.key } : {}),
          ...(options.pfx ? { pfx: options.pfx } : {}),
          ...(options.passphrase ? { passphrase: options.passphrase } : {}),
          ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
          ...(options.servername ? { servername: options.servername } : net.isIP(host) ? {} : { servername: host }),
        } as tls.ConnectionOptions)
      : net.connect(connectOptions as net.NetConnectOpts);
    socket.once(isHttps ? 'secureConnect' : 'connect', () => socket.write(request));
    socket.on('error', (error) => {
      if (aborted) return;
      if (!opened) {
        if (refusedStatus) return;
        rejectOpen(unreachable(cluster.server, error));
      }
      finish(cut(error));
    });
    socket.on('close', () => {
      if (refusedStatus) {
        rejectOpen(refusal(refusedStatus, refusedBody.text(), context, q));
        return;
      }
      if (!opened) {
        rejectOpen(unreachable(cluster.server, Object.assign(new Error('the connection closed before an answer'), { code: 'ECONNRESET' })));
        return;
      }
      if (aborted || reader.complete || reader.toClose) finish();
      else finish(cut(connectionReset()));
    });
    const handle: PodLogHandle = {
      done,
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      abort: () => {
        aborted = true;
        socket.destroy();
        finish();
      },
    };
  });
}

/**
 * The agent that speaks to the cluster's proxy. Built here: client-node 1.x hands
 * http(s)-proxy-agent 7 an options object where a URL is expected, and its agent then connects
 * nowhere (ECONNRESET). The TLS to the API server through the tunnel takes the request's own
 * options (the cluster's CA, the user's certificate).
 */
function proxyAgent(proxyUrl: string, url: URL): http.Agent {
  if (/^socks/i.test(proxyUrl)) return new SocksProxyAgent(proxyUrl);
  return url.protocol === 'https:' ? new HttpsProxyAgent(proxyUrl) : new HttpProxyAgent(proxyUrl);
}

/**
 * The same stream through node's http client and a proxy agent (`proxy-url`: HTTP, HTTPS
 * CONNECT or SOCKS). Each chunk is a Buffer of its own here.
 */
function openThroughAgent(options: https.RequestOptions, agent: http.Agent, url: URL, context: string, q: PodLogQuery, onData: (chunk: Buffer) => void): Promise<PodLogHandle> {
  const { cut, unreachable } = streamFailures(context, q);
  const isHttps = url.protocol === 'https:';
  Object.assign(options, {
    agent,
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || (isHttps ? 443 : 80),
    path: `${url.pathname}${url.search}`,
    method: 'GET',
  });
  const request = isHttps ? https.request : (http.request as unknown as typeof https.request);
  return new Promise<PodLogHandle>((resolveOpen, rejectOpen) => {
    let aborted = false;
    const { done, finish } = streamEnd();
    const req = request(options, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 400) {
        const body = new RefusalBody();
        response.on('data', (c: Buffer) => body.add(c));
        response.on('end', () => rejectOpen(refusal(status, body.text(), context, q)));
        response.on('error', (e) => rejectOpen(cut(e)));
        return;
      }
      response.on('data', onData);
      response.on('end', () => finish(response.complete || aborted ? undefined : cut(connectionReset())));
      response.on('error', (e) => finish(aborted ? undefined : cut(e)));
      response.on('aborted', () => finish(aborted ? undefined : cut(connectionReset())));
      resolveOpen({
        done,
        pause: () => response.pause(),
        resume: () => response.resume(),
        abort: () => {
          aborted = true;
          req.destroy();
          finish();
        },
      });
    });
    req.on('error', (error) => {
      if (aborted) return;
      const failure = unreachable(`${url.origin} through its proxy`, error);
      rejectOpen(failure);
      finish(failure);
    });
    req.end();
  });
}

function refusal(status: number, body: string, context: string, q: PodLogQuery): LogRequestFailure {
  let said = '';
  try {
    said = String((JSON.parse(body) as { message?: unknown }).message ?? '');
  } catch {
    said = body.slice(0, 300);
  }
  const scope = { context, namespace: q.namespace };
  const where = `in namespace ${q.namespace} of ${context}`;
  if (status === 404) return new LogRequestFailure('NotFound', `pod "${q.pod}" not found ${where}`, 'pod-not-found', scope, 404);
  if (status === 401) return new LogRequestFailure('Unauthorized', `${context}: the server refused the credentials (401)${said ? `: ${said}` : ''}`, 'other', scope, 401);
  if (status === 403) return new LogRequestFailure('Forbidden', `${context}: not allowed to read the logs of pod ${q.pod} (403)${said ? `: ${said}` : ''}`, 'other', scope, 403);
  if (/previous terminated container/i.test(said)) {
    return new LogRequestFailure('NotFound', `container "${q.container}" of pod "${q.pod}" has no previous instance (it has not restarted)`, 'no-previous', scope, status);
  }
  if (/is not valid for pod|container .* not found/i.test(said)) {
    return new LogRequestFailure('NotFound', `container "${q.container}" is not in pod "${q.pod}" ${where}`, 'container-not-found', scope, status);
  }
  if (/waiting to start|ContainerCreating|PodInitializing/i.test(said)) {
    return new LogRequestFailure('Unavailable', `container "${q.container}" of pod "${q.pod}" has not started yet: ${said}`, 'not-started', scope, status);
  }
  return new LogRequestFailure(status === 400 ? 'Invalid' : 'Unavailable', `${context}: the log of ${q.pod}/${q.container} was refused (${status})${said ? `: ${said}` : ''}`, 'other', scope, status);
}
