/**
 * A followed log whose connection is cut in the middle of a line, against a minimal API server of
 * our own (the drill writes whole entries, and TLS hands a client whole records: through it a cut
 * lands between lines). The cut part line must not be shown: the resume, from the last stamp taken,
 * gets that line again, whole. A stream the server ends keeps its last line, newline or not.
 */
import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/main/app/logger';
import { LogView, type PodWatch } from '../../../src/main/logs/log-view';
import type { LogOptions } from '../../../src/shared/contract/logs';
import type { KubeObject } from '../../../src/shared/k8s/objects';
import { Emitter } from '../../../src/shared/lifetimes';
import { compareStamps, parseStamp } from '../../../src/shared/logs/stamps';
import { ensureNoDisposablesAreLeakedInTestSuite } from '../../support/leak-check';

const NS = 'ns';
const POD = 'api-0';
/** What the container has logged: one stamp each, the third line long enough to be cut inside. */
const LOG = [
  '2026-11-27T10:00:01.000000001Z one',
  '2026-11-27T10:00:02.000000002Z two',
  `2026-11-27T10:00:03.000000003Z three ${'x'.repeat(64)}`,
  '2026-11-27T10:00:04.000000004Z four',
];
const text = (line: string) => line.slice(line.indexOf(' ') + 1);
const stampOf = (line: string) => parseStamp(Buffer.from(line), 0, line.length)!;

interface FakeApi {
  /** The log requests' query strings, in order. */
  queries: URLSearchParams[];
  config: KubeConfig;
  close(): Promise<void>;
}

/**
 * Serves `log` for `POD`: `first` decides what the first request gets; later ones get the lines
 * at or after `sinceTime` and stay open (following).
 */
async function fakeApi(first: (res: http.ServerResponse) => void, log = LOG): Promise<FakeApi> {
  const queries: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== `/api/v1/namespaces/${NS}/pods/${POD}/log`) {
      res.writeHead(404).end();
      return;
    }
    queries.push(url.searchParams);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    if (queries.length === 1) {
      first(res);
      return;
    }
    const since = url.searchParams.get('sinceTime');
    const from = since ? parseStamp(Buffer.from(`${since} `), 0, since.length + 1) : undefined;
    res.write(
      log.filter((line) => !from || compareStamps(stampOf(line), from) >= 0)
        .map((line) => `${line}\n`)
        .join(''),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'fake', token: 'token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace: NS }],
    currentContext: 'fake',
  });
  return {
    queries,
    config,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const RAW_POD = {
  metadata: { name: POD, namespace: NS },
  spec: { containers: [{ name: 'app' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'app', restartCount: 0, state: { running: {} } }] },
};

function openView(api: FakeApi, options: LogOptions): LogView {
  const never = new Emitter<never>();
  const pods: PodWatch = {
    list: { items: new Map<string, KubeObject>([[POD, RAW_POD as KubeObject]]) },
    synced: true,
    state: { state: 'watching' },
    onDidChange: never.event,
    onDidSync: never.event,
    onDidChangeStatus: never.event,
  };
  const view = new LogView({
    id: 'log-test',
    context: 'fake',
    namespace: NS,
    source: { kind: 'pod', name: POD },
    options,
    config: api.config,
    client: { getJson: async <T>() => RAW_POD as T },
    pods,
    logger: new MemoryLogger(),
  });
  cleanups.push(() => {
    view.dispose();
    never.dispose();
  });
  return view;
}

const cleanups: Array<() => void | Promise<void>> = [];

const shown = (view: LogView) => {
  view.drain(true);
  return [...view.shownSeqs(false)].map((seq) => view.lineText(seq, false));
};

describe('a log stream cut in the middle of a line', () => {
  ensureNoDisposablesAreLeakedInTestSuite();
  // After the leak check's hook, so it runs before it.
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('shows the cut line once, whole, from the resume: the part received before the cut is not a line', async () => {
    const cutAt = LOG[2]!.length - 40;
    const api = await fakeApi((res) => {
      res.write(`${LOG[0]}\n${LOG[1]}\n${LOG[2]!.slice(0, cutAt)}`, () => setTimeout(() => res.socket?.destroy(), 50));
    });
    cleanups.push(() => api.close());
    const view = openView(api, { follow: true });
    await view.start();
    await expect.poll(() => view.sources()[0]?.resumes ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    await expect.poll(() => shown(view).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(LOG.length);
    expect(shown(view)).toEqual(LOG.map(text));
    // The resume asked from the last whole line's stamp, so it got the cut line again.
    expect(api.queries[1]?.get('sinceTime')).toBe('2026-11-27T10:00:02.000000002Z');
    expect(view.sources()[0]).toMatchObject({ lines: LOG.length, repeatsDropped: 1 });
  });

  it('drops exactly the repeats when the lines at the last stamp came in pieces (each line joined from two chunks)', async () => {
    // Two lines share the last stamp before the cut; each arrives split over two chunks, so the
    // gate's lines at that stamp are in the buffers the follower joined them into.
    const log = [LOG[0]!, '2026-11-27T10:00:02.000000002Z two-a', '2026-11-27T10:00:02.000000002Z two-b', LOG[2]!, LOG[3]!];
    const pieces = [`${log[0]}\n${log[1]!.slice(0, 20)}`, `${log[1]!.slice(20)}\n${log[2]!.slice(0, 34)}`, `${log[2]!.slice(34)}\n`];
    const api = await fakeApi((res) => {
      const next = () => {
        const piece = pieces.shift();
        if (piece === undefined) setTimeout(() => res.socket?.destroy(), 50);
        else res.write(piece, () => setTimeout(next, 20));
      };
      next();
    }, log);
    cleanups.push(() => api.close());
    const view = openView(api, { follow: true });
    await view.start();
    await expect.poll(() => view.sources()[0]?.resumes ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    await expect.poll(() => shown(view).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(log.length);
    expect(shown(view)).toEqual(log.map(text));
    expect(api.queries[1]?.get('sinceTime')).toBe('2026-11-27T10:00:02.000000002Z');
    expect(view.sources()[0]).toMatchObject({ lines: log.length, repeatsDropped: 2 });
  });

  it('keeps the last line of a stream the server ends, even without its newline', async () => {
    const api = await fakeApi((res) => res.end(`${LOG[0]}\n${LOG[1]}`));
    cleanups.push(() => api.close());
    const view = openView(api, { follow: false });
    await view.start();
    await expect.poll(() => view.sources()[0]?.state, { timeout: 10_000 }).toBe('ended');
    expect(shown(view)).toEqual([text(LOG[0]!), text(LOG[1]!)]);
    expect(api.queries).toHaveLength(1);
  });
});
