import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../runbook/loader';
import type { RecordInput, StoredRecord } from '../../shared/records';
import type { EngineAction, ProcedureRun } from '../../shared/procedures/model';
import { ProcedureService } from './procedure-service';
import type { PreparedAction } from './cluster-actions';

const runbook = parseRunbook(readFileSync('resources/runbooks/codesign-playground.yaml', 'utf8'), 'codesign-playground.yaml');

function harness(allowed: (action: EngineAction) => boolean = () => true, writable = true) {
  const executed: EngineAction[] = [];
  const records: StoredRecord[] = [];
  const service = new ProcedureService({
    runbook,
    currentContext: async () => 'drill',
    kubeConfig: async () => new KubeConfig(),
    actor: 'responder',
    logger: { info() {}, warn() {}, error() {} },
    recorder: {
      writable: async () => writable,
      read: async () => records,
      append: async <B>(_log: string, input: RecordInput<B>) => {
        const record = { seq: records.length, at: new Date().toISOString(), actor: 'responder', type: input.type, body: input.body };
        records.push(record);
        return record as StoredRecord<B>;
      },
    },
    createActions: () => ({
      access: async (action: EngineAction) => (allowed(action) ? { allowed: true, checked: true } : { allowed: false, checked: true, missing: `patch ${action.type}` }),
      prepare: async (action: EngineAction): Promise<PreparedAction> => ({
        diff: [],
        summary: action.type,
        execute: async () => {
          executed.push(action);
          return { output: 'done' };
        },
      }),
    }),
  });
  const settled = async (id: string): Promise<ProcedureRun> => {
    for (let i = 0; i < 100; i++) {
      const run = service.get(id);
      if (run.status === 'awaiting-confirmation' || (run.status !== 'running' && run.recorded)) return run;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('not settled');
  };
  return { service, executed, records, settled };
}

/** Every destructive step the runbook has (and rollout undo, destructive by the list). */
const DESTRUCTIVE = [
  ['security-incident-response.isolate', 'codesign-api', 'k8s.scale'],
  ['response.delete-unhealthy-pods', 'codesign-api', 'k8s.deletePods'],
  ['memory-leaks.delete-pods', 'codesign-api', 'k8s.deletePods'],
  ['certificate-renewal.delete', 'codesign-tls', 'k8s.deleteCustom'],
  ['security-incident-response.delete-secret', 'codesign-secrets', 'k8s.deleteSecret'],
  ['security-incident-response.create-secret', 'codesign-secrets', 'k8s.rotateSecret'],
  ['rollback-process.undo', 'codesign-api', 'k8s.rolloutUndo'],
] as const;

describe('risk gating', () => {
  for (const [stepId, target, type] of DESTRUCTIVE) {
    it(`${type} (${stepId}) never runs without "${target}" typed`, async () => {
      const { service, executed, settled } = harness();
      const run = await settled((await service.start({ stepId })).id);
      expect(run.status).toBe('awaiting-confirmation');
      expect(run.steps[0]!.risk).toBe('destructive');
      await expect(service.confirm(run.id)).rejects.toThrow(`type "${target}"`);
      await expect(service.confirm(run.id, `${target}x`)).rejects.toThrow(`type "${target}"`);
      await expect(service.confirm(run.id, target.toUpperCase())).rejects.toThrow();
      expect(executed).toEqual([]);
      expect(service.get(run.id).status).toBe('awaiting-confirmation');
      await service.abort(run.id);
      await expect(service.confirm(run.id, target)).rejects.toThrow(/not waiting/);
      expect(executed).toEqual([]);
    });
  }

  it('the typed name runs the destructive step, once', async () => {
    const { service, executed, settled } = harness();
    const run = await settled((await service.start({ stepId: 'certificate-renewal.delete' })).id);
    await service.confirm(run.id, 'codesign-tls');
    expect((await settled(run.id)).status).toBe('succeeded');
    expect(executed.map((a) => a.type)).toEqual(['k8s.deleteCustom']);
    await expect(service.confirm(run.id, 'codesign-tls')).rejects.toThrow(/not waiting/);
    expect(executed).toHaveLength(1);
  });

  it('a read step runs at once; a change waits for the confirmation and needs no name', async () => {
    const { service, executed, settled } = harness();
    expect((await settled((await service.start({ stepId: 'triage.rollout-history' })).id)).status).toBe('succeeded');
    const change = await settled((await service.start({ stepId: 'response.scale-up' })).id);
    expect(change.status).toBe('awaiting-confirmation');
    expect(executed.map((a) => a.type)).toEqual(['k8s.rolloutHistory']);
    await service.confirm(change.id);
    expect((await settled(change.id)).status).toBe('succeeded');
    expect(executed.at(-1)).toMatchObject({ type: 'k8s.scale', params: { replicas: 5 } });
  });

  it('a procedure pauses before each change, skips what the cockpit does not run, and is recorded once', async () => {
    const { service, executed, records, settled } = harness();
    let run = await settled((await service.start({ procedureId: 'rollback-process' })).id);
    expect(run.status).toBe('awaiting-confirmation');
    expect(run.current).toBe(1);
    expect(executed.map((a) => a.type)).toEqual(['k8s.rolloutHistory']);
    await service.confirm(run.id, 'codesign-api');
    run = await settled(run.id);
    expect(run.status).toBe('succeeded');
    expect(executed.map((a) => a.type)).toEqual(['k8s.rolloutHistory', 'k8s.rolloutUndo', 'k8s.rolloutStatus', 'health.check']);
    expect(records.filter((r) => r.type === 'procedure.run')).toHaveLength(1);
  });

  it('a step the context may not run is answered as not allowed, and its run stops before preparing it', async () => {
    const { service, executed, settled } = harness((a) => a.type !== 'k8s.scale');
    expect(await service.access(['response.scale-up', 'daily.pods', 'triage.error-logs', 'no.such-step'])).toEqual({
      'response.scale-up': { allowed: false, checked: true, missing: 'patch k8s.scale' },
      'daily.pods': { allowed: true, checked: true },
      'triage.error-logs': { allowed: true, checked: true },
    });
    const run = await settled((await service.start({ stepId: 'response.scale-up' })).id);
    expect(run.status).toBe('failed');
    expect(run.steps[0]!.error).toMatchObject({ code: 'Forbidden' });
    expect(executed).toEqual([]);
  });

  it('says where a run was recorded, or that it was not because the evidence store is locked', async () => {
    const open = harness();
    const recorded = await open.settled((await open.service.start({ stepId: 'daily.pods', incidentId: 'inc-20261201-abcd12' })).id);
    await new Promise((r) => setTimeout(r, 10));
    expect(open.service.get(recorded.id).recorded).toEqual({ logId: 'inc-20261201-abcd12' });
    const locked = harness(() => true, false);
    const run = await locked.settled((await locked.service.start({ stepId: 'daily.pods' })).id);
    await new Promise((r) => setTimeout(r, 10));
    expect(locked.service.get(run.id).recorded).toEqual({ notRecorded: expect.stringMatching(/evidence store is locked/) });
    expect(locked.records).toEqual([]);
  });

  it('invalid values are refused before anything runs', async () => {
    const { service, executed } = harness();
    await expect(service.start({ stepId: 'response.scale-up', values: { replicas: '-1' } })).rejects.toThrow(/at least 0/);
    await expect(service.start({ stepId: 'response.scale-up', values: { replicas: 'five' } })).rejects.toThrow(/whole number/);
    await expect(service.start({ stepId: 'response.scale-up', values: { replica: '5' } })).rejects.toThrow(/no parameter "replica"/);
    expect(executed).toEqual([]);
  });
});
