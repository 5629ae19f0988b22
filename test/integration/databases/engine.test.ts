import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseActions } from '../../../src/main/databases/database-actions';
import { DatabaseService } from '../../../src/main/databases/database-service';
import { ProcedureService } from '../../../src/main/procedures/procedure-service';
import { loadRunbookFile } from '../../../src/main/runbook/loader';
import type { ProcedureRun, ProcedureRunRecord } from '../../../src/shared/procedures/model';
import type { RecordInput, StoredRecord } from '../../../src/shared/records';
import { startDrillDatabases, type DrillDatabases } from './drill-databases';

const quiet = { info() {}, warn() {}, error() {} };
let drill: DrillDatabases;
let procedures: ProcedureService;
const records = new Map<string, StoredRecord[]>();
const attachments = new Map<string, Buffer>();

async function settled(runId: string): Promise<ProcedureRun> {
  for (let i = 0; i < 600; i++) {
    const run = procedures.get(runId);
    if (run.status === 'awaiting-confirmation' || (run.status !== 'running' && run.recorded)) return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${runId} did not settle`);
}

beforeAll(async () => {
  drill = await startDrillDatabases();
  const runbook = await loadRunbookFile('resources/runbooks/codesign-playground.yaml');
  const databases = new DatabaseService({ endpoints: drill.endpoints, runbook, logger: quiet });
  procedures = new ProcedureService({
    runbook,
    currentContext: async () => 'drill',
    kubeConfig: async () => drill.kubeConfig,
    recorder: {
      writable: async () => true,
      read: async (logId) => records.get(logId) ?? [],
      putAttachment: async (_logId, source) => {
        const chunks: Buffer[] = [];
        for await (const chunk of source) chunks.push(chunk);
        const sha256 = `sha-${attachments.size}`;
        attachments.set(sha256, Buffer.concat(chunks));
        return { sha256 };
      },
      append: async <B>(logId: string, input: RecordInput<B>) => {
        const log = records.get(logId) ?? [];
        const record: StoredRecord<B> = { seq: log.length, at: new Date().toISOString(), actor: 'test', type: input.type, body: input.body, ...(input.attachments ? { attachments: input.attachments } : {}) };
        log.push(record);
        records.set(logId, log);
        return record;
      },
    },
    actor: 'responder',
    logger: quiet,
    databases: new DatabaseActions(databases),
  });
}, 120_000);

afterAll(async () => {
  procedures?.dispose();
  await drill?.stop();
});

describe('pg.* steps in the procedure engine', () => {
  it('runs the runbook pg_dump step and seals the dump as an attachment of the run record', async () => {
    const run = await settled((await procedures.start({ stepId: 'database-maintenance.backup' })).id);
    expect(run.status).toBe('succeeded');
    const record = records.get('session')!.at(-1)!;
    const body = record.body as ProcedureRunRecord;
    expect(body.steps[0]!.output).toMatch(/pg_dump 15 of codesign_db on postgres-0: \d+ bytes .* sealed in the evidence store as pre_maintenance_\d{8}\.sql \(attachment sha-0\)/);
    expect(record.attachments).toEqual(['sha-0']);
    expect(attachments.get('sha-0')!.toString()).toContain('CREATE TABLE public.designs');
  });

  it('runs the connections-by-state step (read) and says where pg.ready answers', async () => {
    const run = await settled((await procedures.start({ stepId: 'database-connection-issues.connections-by-state' })).id);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]!.output).toMatch(/active_connections \| state/);
    const ready = await settled((await procedures.start({ stepId: 'database-connection-issues.pg-ready' })).id);
    expect(ready.steps[0]!.output).toMatch(/postgres-0 \(127\.0\.0\.1:\d+\) - accepting connections/);
  });

  it('gates terminate-idle behind the typed database name', async () => {
    const run = await settled((await procedures.start({ stepId: 'database-connection-issues.terminate-idle', values: { idleMinutes: '0' } })).id);
    expect(run.status).toBe('awaiting-confirmation');
    expect(run.steps[0]!.preview?.summary).toMatch(/Would terminate \d+ connections? idle for more than 0 minutes/);
    expect(run.steps[0]!.kubectl).toContain("interval '0 minutes'");
    await expect(procedures.confirm(run.id, 'wrong')).rejects.toMatchObject({ code: 'Invalid' });
    await procedures.confirm(run.id, 'codesign_db');
    const done = await settled(run.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps[0]!.output).toMatch(/terminated \d+ connections? idle for more than 0 minutes/);
  });
});
