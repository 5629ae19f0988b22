/**
 * Drill cluster figures: how fast the API server lists 5,000 pods and delivers watch events
 * (API machinery), and how fast pod logs stream (pod streams, added by drill-streams).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { RESOURCE_KEYS } from '../packages/drill-cluster/src/resources';
import { DrillApiServer } from '../packages/drill-cluster/src/server';
import { createServingCertificate } from '../packages/drill-cluster/src/serving-certificate';
import { MemoryObjectStore } from '../packages/drill-cluster/src/store';
import type { KubeObject } from '../packages/drill-cluster/src/types';
import { MemoryLogger } from '../src/main/app/logger';
import { DrillContext } from '../src/main/contexts/drill-context';
import { runLogFigures } from './drill-logs';
import type { Report } from './report';

const NS = 'bench';
const TOKEN = 'bench-token';
/** Enough runs for a steady median on a machine other benchmarks share. */
const LIST_RUNS = 15;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function benchPod(i: number): KubeObject {
  const name = `codesign-api-7d9f8c6b5-${i.toString(36).padStart(5, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      labels: { app: 'codesign-api', 'pod-template-hash': '7d9f8c6b5', tier: 'backend' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'codesign-api-7d9f8c6b5', uid: '00000000-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName: `drill-node-${(i % 3) + 1}`,
      restartPolicy: 'Always',
      containers: [
        {
          name: 'codesign-api',
          image: 'codesign-playground:v2.0.3',
          ports: [
            { containerPort: 8000, name: 'http', protocol: 'TCP' },
            { containerPort: 9090, name: 'metrics', protocol: 'TCP' },
          ],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'DB_POOL_SIZE', value: '10' },
            { name: 'CACHE_SIZE_MB', value: '256' },
          ],
          resources: { limits: { cpu: '1', memory: '2Gi' }, requests: { cpu: '500m', memory: '1Gi' } },
          readinessProbe: { httpGet: { path: '/health', port: 8000 }, periodSeconds: 10 },
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: `10.244.${i % 250}.${(i >> 8) % 250}`,
      hostIP: '10.0.0.1',
      startTime: '2026-11-27T00:00:00Z',
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: '2026-11-27T00:00:00Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-11-27T00:00:05Z' },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: '2026-11-27T00:00:05Z' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-27T00:00:00Z' },
      ],
      containerStatuses: [
        {
          name: 'codesign-api',
          image: 'codesign-playground:v2.0.3',
          imageID: 'sha256:0000',
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: '2026-11-27T00:00:02Z' } },
        },
      ],
    },
  };
}

interface BenchServer {
  store: MemoryObjectStore;
  server: DrillApiServer;
  ca: string;
}

async function startBenchServer(): Promise<BenchServer> {
  const store = new MemoryObjectStore({ historySize: 100_000 });
  store.create(RESOURCE_KEYS.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const tls = await createServingCertificate();
  const server = await DrillApiServer.listen({ store, token: TOKEN, tls });
  return { store, server, ca: tls.cert };
}

/**
 * GETs the list at `urlPath` and parses it; answers its item count and when the last byte arrived
 * (ms after the request). The parsed list is dropped here, so a run does not carry the previous
 * run's 5,000 objects through its own garbage collections.
 */
function getList(bench: BenchServer, urlPath: string): Promise<{ itemCount: number; lastByteMs: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${bench.server.url}${urlPath}`,
      { ca: bench.ca, headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const lastByteMs = performance.now() - started;
          const list = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { items: unknown[] };
          resolve({ itemCount: list.items.length, lastByteMs });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function runKubectl(args: string[], kubeconfig: string, home: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { env: { PATH: process.env.PATH ?? '', KUBECONFIG: kubeconfig, HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
}

/** `drill list 5000 pods`: an HTTPS GET + JSON.parse of all pods, and `kubectl get pods -o json`. */
async function measureList(report: Report, bench: BenchServer): Promise<void> {
  for (let i = 0; i < 5000; i++) bench.store.create(RESOURCE_KEYS.pods, benchPod(i));
  const runs: number[] = [];
  const lastBytes: number[] = [];
  for (let i = 0; i < LIST_RUNS + 1; i++) {
    const started = performance.now();
    const { itemCount, lastByteMs } = await getList(bench, `/api/v1/namespaces/${NS}/pods`);
    runs.push(performance.now() - started);
    lastBytes.push(lastByteMs);
    if (itemCount !== 5000) throw new Error(`listed ${itemCount} pods, expected 5000`);
  }
  report('drill list 5000 pods', median(runs.slice(1)), 'ms', `<= 300 ms; HTTPS GET + JSON.parse, median of ${LIST_RUNS} after a warm-up`);
  report('drill list 5000 pods, to last byte', median(lastBytes.slice(1)), 'ms', 'peer of drill list 5000 pods: request to last byte, no parse');

  const dir = await mkdtemp(path.join(tmpdir(), 'drill-bench-'));
  try {
    const kubeconfig = path.join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'bench', cluster: { server: bench.server.url, 'certificate-authority-data': Buffer.from(bench.ca).toString('base64') } }],
        users: [{ name: 'bench', user: { token: TOKEN } }],
        contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'bench', namespace: NS } }],
        'current-context': 'bench',
      }),
      { mode: 0o600 },
    );
    const kubectlRuns: number[] = [];
    const serverCpu: number[] = [];
    for (let i = 0; i < 4; i++) {
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const code = await runKubectl(['get', 'pods', '-o', 'json'], kubeconfig, dir);
      const cpu = process.cpuUsage(cpuBefore);
      kubectlRuns.push(performance.now() - started);
      serverCpu.push((cpu.user + cpu.system) / 1000);
      if (code !== 0) throw new Error(`kubectl get pods exited ${code}`);
    }
    report('drill kubectl get pods -o json, server CPU', median(serverCpu.slice(1)), 'ms', '<= 300 ms; this process while kubectl pages 5000 pods (limit=500), median of 3');
    report('drill kubectl get pods -o json', median(kubectlRuns.slice(1)), 'ms', 'peer of its server CPU figure: the whole command, median of 3');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `drill watch events/s`: events one HTTP watch client receives while the store is mutated flat out. */
async function measureWatch(report: Report, bench: BenchServer): Promise<void> {
  const total = 50_000;
  const target = bench.store.create(RESOURCE_KEYS.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched', namespace: NS }, data: { n: '0' } });
  let received = 0;
  let finished: () => void = () => {};
  const allReceived = new Promise<void>((resolve) => (finished = resolve));
  const req = httpsRequest(
    `${bench.server.url}/api/v1/namespaces/${NS}/configmaps?watch=1&resourceVersion=${target.metadata.resourceVersion}`,
    { ca: bench.ca, headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json' } },
    (res) => {
      let buffered = '';
      res.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if ((JSON.parse(line) as { type: string }).type === 'MODIFIED') received++;
          newline = buffered.indexOf('\n');
        }
        if (received >= total) finished();
      });
    },
  );
  req.end();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = performance.now();
  let written = 0;
  while (written < total) {
    for (let i = 0; i < 500 && written < total; i++, written++) {
      bench.store.mutate(RESOURCE_KEYS.configmaps, NS, 'watched', (cm) => {
        cm.data = { n: String(written) };
      });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await allReceived;
  const seconds = (performance.now() - started) / 1000;
  req.destroy();
  report('drill watch events/s', Math.round(total / seconds), 'events/s', '>= 2000 events/s; one HTTPS watch client, store mutated flat out');
}

/** The API machinery's figures; drill-streams adds the log-rate figure in `run` below. */
export async function runApiFigures(report: Report): Promise<void> {
  const bench = await startBenchServer();
  try {
    await measureList(report, bench);
    await measureWatch(report, bench);
  } finally {
    await bench.server.close();
  }
}

/**
 * The drill cluster as the app runs it: its own process (`DrillContext` over child_process.fork,
 * from source through tsx here), from fork to its control API answering; median of 3, PGlite and
 * Redis off as in the UI's first paint path (they start lazily in the child anyway).
 */
export async function measureProcessStart(report: Report): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = await mkdtemp(path.join(tmpdir(), 'drill-bench-process-'));
    const drill = new DrillContext(dir, new MemoryLogger(), { child: { postgres: 'none', redis: 'none', persist: false } });
    const started = performance.now();
    drill.start();
    const running = await drill.whenReady();
    samples.push(performance.now() - started);
    await drill.stop();
    await rm(dir, { recursive: true, force: true });
    if (!running) throw new Error(`the drill process did not start: ${drill.status().error}`);
  }
  samples.sort((a, b) => a - b);
  report('drill process start to ready', Math.round(samples[1] as number), 'ms', 'informational; the app does not wait for it');
}

export async function run(report: Report): Promise<void> {
  await runApiFigures(report);
  await measureProcessStart(report);
  await runLogFigures(report);
}
