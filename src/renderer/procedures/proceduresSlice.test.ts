import { describe, expect, it } from 'vitest';
import type { StepPreviewView } from '../../shared/contract/procedures';
import type { ProcedureRun } from '../../shared/procedures/model';
import { DisposableStore } from '../../shared/lifetimes';
import { createCockpitStore } from '../state/cockpitStore';
import { FakeBridge } from '../test/fakeBridge';

const INCIDENT = 'inc-20261201-abcd12';

const preview: StepPreviewView = {
  stepId: 'response.scale-up',
  title: 'Scale up if resource constrained',
  risk: 'change',
  kubectl: 'kubectl scale deployment codesign-api --replicas=5 -n codesign-production',
  description: 'Scale deployment codesign-api to 5 replicas',
  fields: [{ name: 'replicas', label: 'Replicas', kind: 'integer', value: '5', required: true, min: 0, max: 100 }],
  issues: [],
  context: 'drill',
  namespace: 'codesign-production',
};

const run = (patch: Partial<ProcedureRun> = {}): ProcedureRun => ({
  id: 'run-abc-a1b2c3',
  title: 'Scale up',
  context: 'drill',
  namespace: 'codesign-production',
  actor: 'me',
  status: 'awaiting-confirmation',
  current: 0,
  steps: [],
  startedAt: '2026-12-01T10:00:00Z',
  version: 1,
  ...patch,
});

describe('procedures slice', () => {
  it('opens a step pre-filled, previews through the bridge, and starts the run in the active incident', async () => {
    const bridge = new FakeBridge(`#/incident/${INCIDENT}`).answer('procedures:preview', preview).answer('procedures:run', run());
    const store = createCockpitStore(bridge);
    await store.getState().openStepDialog('response.scale-up', { replicas: '7' });
    expect(bridge.callsOf('procedures:preview')).toEqual([{ stepId: 'response.scale-up', values: { replicas: '7' } }]);
    expect(store.getState().runDialog?.preview?.kubectl).toBe(preview.kubectl);
    await store.getState().startDialogRun();
    expect(bridge.callsOf('procedures:run')).toEqual([{ stepId: 'response.scale-up', values: { replicas: '7' }, incidentId: INCIDENT }]);
    expect(store.getState().runDialog?.runId).toBe('run-abc-a1b2c3');
  });

  it('a refused confirmation stays in the dialog with its reason', async () => {
    const bridge = new FakeBridge().answer('procedures:run', run()).answer('procedures:confirm', { code: 'Invalid', message: 'This step is destructive: type "codesign-api" to confirm.' });
    const store = createCockpitStore(bridge);
    await store.getState().startProcedure('rollback-process');
    store.getState().setTypedName('codesign');
    await store.getState().confirmDialogRun();
    expect(bridge.callsOf('procedures:confirm')).toEqual([{ runId: 'run-abc-a1b2c3', typedName: 'codesign' }]);
    expect(store.getState().runDialog?.error?.message).toMatch(/type "codesign-api"/);
    expect(store.getState().notice).toBeUndefined();
  });

  it('asks once per step and context whether it may run, and forgets on a context change', async () => {
    const bridge = new FakeBridge().answer('procedures:access', ({ stepIds }) =>
      Object.fromEntries(stepIds.map((id) => [id, id === 'response.scale-up' ? { allowed: false, checked: true, missing: 'patch deployments/scale.apps' } : { allowed: true, checked: true }])),
    );
    const store = createCockpitStore(bridge);
    store.setState({ contexts: { contexts: [], current: 'prod', namespace: '', problems: [], health: {} } });
    await store.getState().loadStepAccess(['response.scale-up', 'daily.pods']);
    await store.getState().loadStepAccess(['response.scale-up']);
    expect(bridge.callsOf('procedures:access')).toEqual([{ stepIds: ['response.scale-up', 'daily.pods'], context: 'prod' }]);
    expect(store.getState().stepAccess['response.scale-up']).toMatchObject({ allowed: false, missing: 'patch deployments/scale.apps' });
    store.setState({ contexts: { contexts: [], current: 'drill', namespace: '', problems: [], health: {} } });
    await store.getState().loadStepAccess(['response.scale-up']);
    expect(bridge.callsOf('procedures:access')).toHaveLength(2);
  });

  it('keeps the newest snapshot of a run, whichever arrives last, and follows the runs stream', () => {
    const bridge = new FakeBridge();
    const store = createCockpitStore(bridge);
    const lifetime = new DisposableStore();
    store.getState().startProcedureStream(lifetime);
    bridge.emit('procedures:runs', [run({ version: 3, status: 'running' })]);
    store.getState().applyRun(run({ version: 2 }));
    expect(store.getState().runs['run-abc-a1b2c3']?.status).toBe('running');
    lifetime.dispose();
    expect(bridge.subscriberCount('procedures:runs')).toBe(0);
  });
});
