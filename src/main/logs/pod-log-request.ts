/**
 * One container's log over the raw endpoint (`GET .../pods/{pod}/log?follow=true&timestamps=true`)
 * with the context's credentials through client-node's `applyToHTTPSOptions`. Bytes are handed on
 * as they arrive; the response can be paused (TCP backpressure to the API server). The server's
 * refusals become specific errors: the pod is not there, the container is not in the pod, there
 * is no previous instance, the container has not started yet.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import { CockpitFailure, type ErrorCode } from '../../shared/result';

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

/** Opens the stream; `onData` gets every chunk in order. Rejects when the server refuses it. */
export async function openPodLog(config: KubeConfig, context: string, q: PodLogQuery, onData: (chunk: Buffer) => void): Promise<PodLogHandle> {
  const cluster = config.getCurrentCluster();
  const scope = { context, namespace: q.namespace };
  if (!cluster) throw new LogRequestFailure('Invalid', `${context}: the context names no cluster`, 'other', scope);
  const url = new URL(logPath(q), cluster.server);
  const options: https.RequestOptions = { headers: {} };
  await config.applyToHTTPSOptions(options);
  const isHttps = url.protocol === 'https:';
  Object.assign(options, {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || (isHttps ? 443 : 80),
    path: `${url.pathname}${url.search}`,
    method: 'GET',
    agent: false,
  });
  const request = isHttps ? https.request : (http.request as unknown as typeof https.request);
  return new Promise<PodLogHandle>((resolveOpen, rejectOpen) => {
    let aborted = false;
    let res: http.IncomingMessage | undefined;
    let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => undefined);
    const cut = (error: Error) => {
      const code = (error as NodeJS.ErrnoException).code;
      return new LogRequestFailure('Unreachable', `${context}: the log stream of ${q.pod}/${q.container} was cut (${code ?? error.message})`, 'other', scope);
    };
    const req = request(options, (response) => {
      res = response;
      const status = response.statusCode ?? 0;
      if (status >= 400) {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => rejectOpen(refusal(status, Buffer.concat(chunks).toString('utf8'), context, q)));
        response.on('error', (e) => rejectOpen(cut(e)));
        return;
      }
      response.on('data', onData);
      response.on('end', () => (response.complete || aborted ? settle!.resolve() : settle!.reject(cut(Object.assign(new Error('cut'), { code: 'ECONNRESET' })))));
      response.on('error', (e) => (aborted ? settle!.resolve() : settle!.reject(cut(e))));
      response.on('aborted', () => (aborted ? settle!.resolve() : settle!.reject(cut(Object.assign(new Error('cut'), { code: 'ECONNRESET' })))));
      resolveOpen({
        done,
        pause: () => res?.pause(),
        resume: () => res?.resume(),
        abort: () => {
          aborted = true;
          req.destroy();
          settle!.resolve();
        },
      });
    });
    req.on('error', (error) => {
      if (aborted) return;
      const code = (error as NodeJS.ErrnoException).code;
      const failure = new LogRequestFailure('Unreachable', `${context}: cannot reach ${cluster.server} for the log of ${q.pod}/${q.container}: ${code ?? error.message}`, 'other', scope);
      rejectOpen(failure);
      settle?.reject(failure);
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
