/**
 * The pod-log figure: lines per second the drill cluster streams to `kubectl logs -f > /dev/null`,
 * with a plain HTTPS client reading the same follow stream as the peer. The app's rate is set far
 * above the target, so the figure is what the cluster and the client carry, not the configured
 * rate. kubectl's stdout is /dev/null; `--limit-bytes` makes the server end the stream after a
 * fixed amount, and the line count is that amount over the mean line length the peer measured.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { request } from 'node:https';
import { DrillCluster } from '../packages/drill-cluster/src/cluster';
import { RESOURCE_KEYS } from '../packages/drill-cluster/src/resources';
import { KUBECTL_BINARY, KubectlHarness } from '../test/integration/drill/kubectl-harness';
import type { Report } from './report';

const NS = 'codesign-production';
const LINES = 1_000_000;
const CONFIGURED_RATE = 2_000_000;

function countNewlines(chunk: Buffer): number {
  let count = 0;
  let index = chunk.indexOf(10);
  while (index !== -1) {
    count++;
    index = chunk.indexOf(10, index + 1);
  }
  return count;
}

/** Reads `lines` followed lines over plain HTTPS; answers the rate and the mean line length. */
function measureHttpClient(cluster: DrillCluster, pod: string, lines: number): Promise<{ linesPerSecond: number; bytesPerLine: number }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${cluster.url}/api/v1/namespaces/${NS}/pods/${pod}/log?follow=true&tailLines=0`);
    let seen = 0;
    let bytes = 0;
    let started = 0;
    const req = request(url, { headers: { Authorization: `Bearer ${cluster.token}` }, ca: cluster.caCertificate }, (res) => {
      res.on('data', (chunk: Buffer) => {
        if (started === 0) started = performance.now();
        seen += countNewlines(chunk);
        bytes += chunk.length;
        if (seen >= lines) {
          const seconds = (performance.now() - started) / 1000;
          req.destroy();
          resolve({ linesPerSecond: seen / seconds, bytesPerLine: bytes / seen });
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', (error) => (seen >= lines ? undefined : reject(error)));
    req.end();
  });
}

/** Runs kubectl with stdout to /dev/null and answers its wall time in seconds. */
async function timeKubectl(kubectl: KubectlHarness, args: string[]): Promise<number> {
  const devNull = openSync('/dev/null', 'w');
  try {
    const started = performance.now();
    const child = spawn(KUBECTL_BINARY, args, { env: kubectl.env(), stdio: ['ignore', devNull, 'ignore'] });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`kubectl ${args.join(' ')} exited with ${code}`);
    return (performance.now() - started) / 1000;
  } finally {
    closeSync(devNull);
  }
}

/** `drill log lines/s` to `kubectl logs -f > /dev/null`, and to a plain HTTPS client as the peer. */
export async function runLogFigures(report: Report): Promise<void> {
  const cluster = await DrillCluster.start({ logLinesPerSecond: CONFIGURED_RATE, postgres: 'none', redis: 'none' });
  const kubectl = await KubectlHarness.create(cluster);
  try {
    const pod = cluster.store
      .list(RESOURCE_KEYS.pods, NS)
      .find((p) => p.metadata.labels?.app === 'codesign-api' && (p.status as { phase?: string } | undefined)?.phase === 'Running');
    if (!pod) throw new Error('no running codesign-api pod to follow');
    const name = pod.metadata.name;
    const peer = await measureHttpClient(cluster, name, LINES);
    const limitBytes = Math.round(LINES * peer.bytesPerLine);
    // kubectl's own start-up (config, discovery cache, pod lookup), timed on a one-line request.
    const startup = await timeKubectl(kubectl, ['logs', '-n', NS, name, '--tail=1']);
    const total = await timeKubectl(kubectl, ['logs', '-f', '-n', NS, name, '--tail=0', `--limit-bytes=${limitBytes}`]);
    const viaKubectl = LINES / Math.max(0.001, total - startup);
    report('drill log lines/s, kubectl logs -f', Math.round(viaKubectl), 'lines/s', `>= 200000 lines/s; kubectl logs -f > /dev/null, ${LINES} lines`);
    report('drill log lines/s, plain HTTPS client', Math.round(peer.linesPerSecond), 'lines/s', 'peer of the kubectl figure: the same follow stream');
  } finally {
    await kubectl.dispose();
    await cluster.stop();
  }
}
