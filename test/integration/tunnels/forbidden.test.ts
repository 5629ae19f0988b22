/**
 * A port-forward the API server forbids (RBAC without pods/portforward), against a small API
 * server: the drill has one all-powerful token, so it cannot play a user without the right.
 */
import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunnelService } from '../../../src/main/tunnels/tunnel-service';
import { ensureNoDisposablesAreLeakedInTestSuite } from '../../support/leak-check';
import { quietLogger } from './backends';

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'db-0', namespace: 'payments', creationTimestamp: '2026-12-01T10:00:00Z' },
  spec: { containers: [{ name: 'db', ports: [{ name: 'postgres', containerPort: 5432 }] }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
};

describe('a forbidden port-forward', () => {
  let server: http.Server;
  let kubeConfig: KubeConfig;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (req.url?.startsWith('/api/v1/namespaces/payments/pods/db-0')) return void res.end(JSON.stringify(POD));
      res.statusCode = 404;
      res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }));
    });
    server.on('upgrade', (_req, socket) => {
      const body = JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'pods "db-0" is forbidden: User "viewer" cannot create resource "pods/portforward"' });
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'rbac', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'viewer', token: 'viewer-token' }],
      contexts: [{ name: 'rbac', cluster: 'rbac', user: 'viewer' }],
      currentContext: 'rbac',
    });
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  ensureNoDisposablesAreLeakedInTestSuite();

  it('says forbidden (pods/portforward), opens nothing, and leaves no local server', async () => {
    const service = new TunnelService({ kubeConfig: async () => kubeConfig, logger: quietLogger });
    try {
      await expect(service.open({ context: 'rbac', namespace: 'payments', target: { kind: 'pod', name: 'db-0' }, remotePort: 'postgres' })).rejects.toMatchObject({
        code: 'Forbidden',
        message: 'rbac: not allowed to port-forward to pod db-0 (forbidden: pods/portforward)',
      });
      expect(service.list()).toEqual([]);
    } finally {
      service.dispose();
    }
  });
});
