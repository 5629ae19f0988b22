/** Kubernetes `Status` objects for the stream subresources' errors and exec results. */
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: Array<{ reason: string; message: string }> };
}

export function failureStatus(code: number, reason: string, message: string): KubeStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** Answers an HTTP request with a Status body, as the API server does for 4xx/5xx. */
export function sendStatus(res: ServerResponse, code: number, reason: string, message: string): void {
  const body = JSON.stringify(failureStatus(code, reason, message));
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Refuses an upgrade with a Status body on the raw socket (before any 101). */
export function rejectUpgrade(socket: Duplex, code: number, reason: string, message: string): void {
  const body = JSON.stringify(failureStatus(code, reason, message));
  const statusText = code === 400 ? 'Bad Request' : code === 404 ? 'Not Found' : code === 503 ? 'Service Unavailable' : 'Error';
  socket.end(
    `HTTP/1.1 ${code} ${statusText}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The exec result on the v4/v5 error channel: Success, or NonZeroExitCode with the code. */
export function exitStatus(exitCode: number, command: string[]): KubeStatus {
  if (exitCode === 0) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}
