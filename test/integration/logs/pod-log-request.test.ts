/**
 * The log request itself (`openPodLog`) against servers of our own: what it sends (a kubeconfig
 * user's basic auth), how it goes through a kubeconfig's `proxy-url`, and that a refusal with an
 * endless body is answered from its first bytes.
 */
import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { sharedServingCertificate } from '../../../packages/drill-cluster/src/serving-certificate';
import { afterEach, describe, expect, it } from 'vitest';
import { openPodLog, type PodLogQuery } from '../../../src/main/logs/pod-log-request';

const QUERY: PodLogQuery = { namespace: 'ns', pod: 'api-0', container: 'app', follow: false };
const LINES = '2026-11-27T10:00:01.000000001Z one\n2026-11-27T10:00:02.000000002Z two\n';

const servers: Array<http.Server | https.Server> = [];
/** Sockets a proxy tunnelled (not the server's own connections any more). */
const tunnelled = new Set<net.Socket>();
afterEach(async () => {
  for (const socket of tunnelled) socket.destroy();
  tunnelled.clear();
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    }),
  );
});

async function listen(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function kubeconfig(server: string, user: { username?: string; password?: string; token?: string }, proxyUrl?: string, caData?: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server, ...(caData ? { caData, skipTLSVerify: false } : { skipTLSVerify: true }), ...(proxyUrl ? { proxyUrl } : {}) }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return config;
}

/** Reads a whole (not followed) log: the bytes it delivered. */
async function readAll(config: KubeConfig): Promise<string> {
  const chunks: Buffer[] = [];
  const handle = await openPodLog(config, 'ctx', QUERY, (chunk) => chunks.push(Buffer.from(chunk)));
  await handle.done;
  return Buffer.concat(chunks).toString();
}

describe('the pod log request', () => {
  it('sends a kubeconfig user’s username and password as basic auth', async () => {
    let authorization: string | undefined;
    const port = await listen((req, res) => {
      authorization = req.headers.authorization;
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(LINES);
    });
    expect(await readAll(kubeconfig(`http://127.0.0.1:${port}`, { username: 'oncall', password: 's3cret' }))).toBe(LINES);
    expect(authorization).toBe(`Basic ${Buffer.from('oncall:s3cret').toString('base64')}`);
  });

  it('goes through the cluster’s proxy-url, with the credentials', async () => {
    const api = await listen((req, res) => {
      if (req.headers.authorization !== 'Bearer t0ken') return void res.writeHead(401).end('{"message":"Unauthorized"}');
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
      res.end(LINES);
    });
    const proxied: string[] = [];
    // A forward proxy: the request arrives with the absolute URL of the API server.
    const proxy = await listen((req, res) => {
      proxied.push(req.url ?? '');
      const upstream = http.request(req.url!, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    const text = await readAll(kubeconfig(`http://127.0.0.1:${api}`, { token: 't0ken' }, `http://127.0.0.1:${proxy}`));
    expect(text).toBe(LINES);
    expect(proxied).toHaveLength(1);
    expect(proxied[0]).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${api}/api/v1/namespaces/ns/pods/api-0/log\\?`));
  });

  it('tunnels through an HTTPS proxy-url (CONNECT) and checks the API server’s certificate against the cluster’s CA', async () => {
    const tls = await sharedServingCertificate();
    const api = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      res.writeHead(req.headers.authorization === 'Bearer t0ken' ? 200 : 401, { 'Content-Type': 'text/plain' }).end(LINES);
    });
    servers.push(api);
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const apiPort = (api.address() as AddressInfo).port;
    const tunnels: string[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      tunnelled.add(client);
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      tunnelled.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    servers.push(proxy);
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const caData = Buffer.from(tls.cert).toString('base64');
    expect(await readAll(kubeconfig(`https://127.0.0.1:${apiPort}`, { token: 't0ken' }, proxyUrl, caData))).toBe(LINES);
    expect(tunnels).toEqual([`127.0.0.1:${apiPort}`]);
    // Another CA: the certificate is refused through the tunnel too.
    const { cert: otherCa } = await (await import('../../../packages/drill-cluster/src/serving-certificate')).createServingCertificate();
    await expect(readAll(kubeconfig(`https://127.0.0.1:${apiPort}`, { token: 't0ken' }, proxyUrl, Buffer.from(otherCa).toString('base64')))).rejects.toMatchObject({ code: 'Unreachable' });
  });

  it('answers a refusal from the first bytes of its body, however long the body runs', async () => {
    const port = await listen((_req, res) => {
      res.writeHead(403, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.write('{"kind":"Status","message":"pods \\"api-0\\" is forbidden: no"}');
      // Padding that never ends: the request must not keep it all.
      const block = ' '.repeat(64 * 1024);
      const pump = () => {
        while (res.write(block));
      };
      res.on('drain', pump);
      pump();
      setTimeout(() => res.end(), 300);
    });
    await expect(readAll(kubeconfig(`http://127.0.0.1:${port}`, { token: 't' }))).rejects.toMatchObject({ code: 'Forbidden', message: expect.stringContaining('not allowed to read the logs of pod api-0 (403)') });
  });

  it('refuses a credential that would break the request’s headers', async () => {
    const port = await listen((_req, res) => res.writeHead(200).end(LINES));
    await expect(readAll(kubeconfig(`http://127.0.0.1:${port}`, { token: 'a\r\nX-Injected: 1' }))).rejects.toMatchObject({ code: 'Invalid', message: expect.stringContaining('line break') });
  });
});
