/**
 * The read actions against the drill cluster: top, captured logs with the runbook's filter,
 * the compliance snippets run by exec with their output captured, logs sealed as evidence, pv,
 * hpa, and an HTTP check against a local server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpCheck } from '../../../src/main/procedures/cluster-actions';
import { loadRunbookFile } from '../../../src/main/runbook/loader';
import { startDrillFixture, type DrillFixture } from './drill-fixture';

let fx: DrillFixture;
let server: Server;

const runRead = async (stepId: string, values: Record<string, string> = {}) => fx.settled((await fx.service.start({ stepId, values })).id);

beforeAll(async () => {
  fx = await startDrillFixture(await loadRunbookFile(path.resolve('resources/runbooks/codesign-playground.yaml')));
  server = createServer((req, res) => {
    res.statusCode = req.url === '/down' ? 503 : 200;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
}, 60_000);

afterAll(async () => {
  await fx?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

describe('read actions on the drill cluster', () => {
  it('top nodes and pods read metrics.k8s.io', async () => {
    const nodes = await runRead('daily.top-nodes');
    expect(nodes.status).toBe('succeeded');
    expect(nodes.steps[0]!.output).toMatch(/^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    const pods = await runRead('daily.top-pods');
    expect(pods.steps[0]!.output).toMatch(/codesign-api-\S+\s+\d+m\s+\d+Mi/);
  });

  it('captures the last 100 log lines of the deployment, filtered by the runbook regex', async () => {
    fx.inject('error-spike');
    let run = await runRead('triage.error-logs');
    for (let i = 0; i < 50 && run.steps[0]!.output === '(no matching lines)'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      run = await runRead('triage.error-logs');
    }
    fx.clear('error-spike');
    expect(run.status).toBe('succeeded');
    const lines = run.steps[0]!.output!.split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/ERROR/);
  });

  it('runs the compliance snippet in the pod and captures its output', async () => {
    const run = await runRead('security-monitoring.audit-logs');
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]!.output).toMatch(/\S/);
    expect(run.steps[0]!.output).not.toBe('(no output)');
  });

  it('seals the captured logs as an attachment of the run record', async () => {
    const run = await runRead('security-incident-response.preserve-evidence');
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]!.output).toMatch(/captured \d+ lines as incident_\d{8}_\d{6}\.log/);
    const record = fx.records.get('session')!.at(-1)!;
    expect(record.attachments).toHaveLength(1);
    expect(fx.attachments.get(record.attachments![0]!)!.length).toBeGreaterThan(0);
  });

  it('lists persistent volumes and describes the autoscaler', async () => {
    expect((await runRead('weekly.pv')).steps[0]!.output).toMatch(/data-postgres-0/);
    const hpa = await runRead('capacity-planning.hpa');
    expect(hpa.status).toBe('succeeded');
    expect(hpa.steps[0]!.output).toMatch(/Reference: Deployment\/codesign-api/);
  });

  it('an HTTP check reports status and latency, and a failing status fails the step', async () => {
    const { port } = server.address() as AddressInfo;
    const ok = await httpCheck({ url: `http://127.0.0.1:${port}/`, method: 'HEAD' });
    expect(ok.checks!.map((c) => [c.name, c.status])).toEqual([
      ['Status', 'pass'],
      ['Latency', 'pass'],
    ]);
    const down = await httpCheck({ url: `http://127.0.0.1:${port}/down`, method: 'GET' });
    expect(down.failed).toMatch(/Status 503/);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await httpCheck({ url: `http://127.0.0.1:${closedPort}/`, method: 'HEAD' });
    expect(refused.failed).toMatch(/ECONNREFUSED/);
  });
});

describe('inputs the responder types', () => {
  it('the GDPR erasure takes the user id from the form, and the typed confirmation is that id', async () => {
    await expect(fx.service.start({ stepId: 'data-subject-requests.erasure' })).rejects.toThrow(/User id of the data subject is required/);
    await expect(fx.service.start({ stepId: 'data-subject-requests.erasure', values: { 'input.USER_ID': "x'; drop" } })).rejects.toThrow(/must match/);
    const run = await fx.settled((await fx.service.start({ stepId: 'data-subject-requests.erasure', values: { 'input.USER_ID': 'user-42' } })).id);
    expect(run.status).toBe('awaiting-confirmation');
    expect(run.steps[0]!.risk).toBe('destructive');
    expect(run.steps[0]!.target).toBe('user-42');
    expect(run.steps[0]!.kubectl).toMatch(/user_id=.*user-42/);
    await expect(fx.service.confirm(run.id, '{input:USER_ID}')).rejects.toThrow(/type "user-42"/);
    await fx.service.confirm(run.id, 'user-42');
    const done = await fx.settled(run.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps[0]!.output).toMatch(/\S/);
  });
});
