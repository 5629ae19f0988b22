/**
 * curl inside a pod, to what listens in the pod itself: `curl localhost:8000/health` in a
 * codesign-api pod reaches the simulated app (the same one a port-forward reaches), so the answer
 * carries the scenario's latency and errors. Anything else is refused or unresolvable, with
 * curl's messages and exit codes (6, 7, 22, 28).
 */
import { request } from 'node:http';
import type { ContainerFacts } from './system-tools';
import type { Tool } from './shell-interpreter';
import { operandPath, toolOptions } from './tool-options';
import { FsError } from './virtual-fs';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '0.0.0.0', '[::1]', '::1']);

interface CurlResponse {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: Buffer;
  timeMs: number;
}

export function makeCurl(facts: ContainerFacts): Tool {
  return async (inv) => {
    const options = toolOptions(inv, {
      valued: 'oXHdwmAu',
      flags: 'sSfiIvLkg#',
      long: {
        silent: 's', 'show-error': 'S', fail: 'f', include: 'i', head: 'I', verbose: 'v', location: 'L', insecure: 'k',
        'output=': 'o', 'request=': 'X', 'header=': 'H', 'data=': 'd', 'data-raw=': 'd', 'write-out=': 'w', 'max-time=': 'm',
        'connect-timeout=': 'c', 'user-agent=': 'A', 'user=': 'u', 'fail-with-body': 'f', 'no-progress-meter': 's', compressed: 'g',
      },
    });
    if (!options) return 2;
    const f = options.flags;
    const target = options.operands[0];
    if (!target) {
      inv.stderr.write("curl: no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
      return 2;
    }
    const silent = f.has('s') && !f.has('S');
    const fail = (code: number, message: string): number => {
      if (!silent) inv.stderr.write(`curl: (${code}) ${message}\n`);
      return code;
    };
    let url: URL;
    try {
      url = new URL(/^[a-z]+:\/\//i.test(target) ? target : `http://${target}`);
    } catch {
      return fail(3, 'URL rejected: Malformed input to a URL function');
    }
    if (url.protocol === 'https:') return fail(7, `Failed to connect to ${url.hostname} port ${url.port || 443} after 0 ms: Couldn't connect to server`);
    if (url.protocol !== 'http:') return fail(1, `Protocol "${url.protocol.replace(':', '')}" not supported`);
    const port = Number(url.port || 80);
    const host = url.hostname;
    if (!LOCAL_HOSTS.has(host) && host !== facts.podName && host !== facts.podIp) return fail(6, `Could not resolve host: ${host}`);
    const address = await facts.connect(port);
    if (!address) return fail(7, `Failed to connect to ${host} port ${port} after 0 ms: Couldn't connect to server`);
    const method = typeof f.get('X') === 'string' ? (f.get('X') as string) : f.has('I') ? 'HEAD' : f.has('d') ? 'POST' : 'GET';
    const headers: Record<string, string> = { Host: `${host}:${port}`, 'User-Agent': typeof f.get('A') === 'string' ? (f.get('A') as string) : 'curl/7.88.1', Accept: '*/*' };
    for (const header of options.all.get('H') ?? []) {
      const colon = header.indexOf(':');
      if (colon > 0) headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
    }
    const data = options.all.get('d')?.join('&');
    if (data !== undefined) headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
    const timeoutMs = typeof f.get('m') === 'string' ? Number(f.get('m')) * 1000 : 0;
    const started = performance.now();
    let response: CurlResponse;
    try {
      response = await new Promise<CurlResponse>((resolve, reject) => {
        const req = request({ host: address.host, port: address.port, method, path: `${url.pathname}${url.search}`, headers }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (chunk: Buffer) => parts.push(chunk));
          res.on('end', () => {
            const list: Array<[string, string]> = [];
            for (let i = 0; i < res.rawHeaders.length; i += 2) list.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
            resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: list, body: Buffer.concat(parts), timeMs: performance.now() - started });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
        inv.signal.addEventListener('abort', () => req.destroy(Object.assign(new Error('aborted'), { code: 'ABORTED' })), { once: true });
        req.end(data);
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ABORTED') return 130;
      if (code === 'TIMEOUT') return fail(28, `Operation timed out after ${Math.round(performance.now() - started)} milliseconds with 0 bytes received`);
      return fail(7, `Failed to connect to ${host} port ${port} after ${Math.round(performance.now() - started)} ms: Couldn't connect to server`);
    }
    const statusLine = `HTTP/1.1 ${response.status} ${response.statusText}`;
    const headerBlock = `${statusLine}\r\n${response.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    if (f.has('v')) {
      inv.stderr.write(`*   Trying ${host}:${port}...\n* Connected to ${host} (127.0.0.1) port ${port} (#0)\n> ${method} ${url.pathname}${url.search} HTTP/1.1\n${Object.entries(headers).map(([k, v]) => `> ${k}: ${v}\n`).join('')}>\n`);
      inv.stderr.write(`< ${statusLine}\n${response.headers.map(([k, v]) => `< ${k}: ${v}\n`).join('')}<\n`);
    }
    if (f.has('f') && response.status >= 400) return fail(22, `The requested URL returned error: ${response.status}`);
    const output = Buffer.concat([Buffer.from(f.has('i') || f.has('I') ? headerBlock : ''), method === 'HEAD' ? Buffer.alloc(0) : response.body]);
    const outFile = f.get('o');
    if (typeof outFile === 'string' && outFile !== '-') {
      if (outFile !== '/dev/null') {
        try {
          inv.host.fs.writeFile(operandPath(inv, outFile), output);
        } catch (error) {
          if (!(error instanceof FsError)) throw error;
          return fail(23, `Failure writing output to destination`);
        }
      }
    } else inv.stdout.write(output);
    const writeOut = f.get('w');
    if (typeof writeOut === 'string') {
      const contentType = response.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
      const values: Record<string, string> = {
        http_code: String(response.status),
        response_code: String(response.status),
        time_total: (response.timeMs / 1000).toFixed(6),
        time_starttransfer: (response.timeMs / 1000).toFixed(6),
        size_download: String(response.body.length),
        content_type: contentType,
        url_effective: url.toString(),
        method,
      };
      inv.stdout.write(writeOut.replace(/%\{([a-z_]+)\}/g, (m, name: string) => values[name] ?? m).replace(/\\n/g, '\n').replace(/\\t/g, '\t'));
    }
    return 0;
  };
}
