import { describe, expect, it } from 'vitest';
import { createCockpitStore } from '../state/cockpitStore';
import { bundledRunbook } from '../test/bundledRunbook';
import { FakeBridge } from '../test/fakeBridge';

const INCIDENT = 'inc-20261128-aaaa01';
const SHA = 'a'.repeat(64);

describe('evidence slice', () => {
  it('reads an attachment preview through the bridge (components never call IPC)', async () => {
    const preview = { sha256: SHA, size: 12, text: 'codesign-api', truncated: false };
    const bridge = new FakeBridge().answer('evidence:readAttachment', preview);
    const store = createCockpitStore(bridge);
    expect(await store.getState().readAttachment(INCIDENT, SHA)).toEqual(preview);
    expect(bridge.callsOf('evidence:readAttachment')).toEqual([{ incidentId: INCIDENT, sha256: SHA }]);
  });

  it('answers why an attachment cannot be previewed', async () => {
    const bridge = new FakeBridge().answer('evidence:readAttachment', { code: 'NotFound', message: `no attachment ${SHA}` });
    const store = createCockpitStore(bridge);
    expect(await store.getState().readAttachment(INCIDENT, SHA)).toEqual({ error: `no attachment ${SHA}` });
  });

  it('opens the incidents once the vault is unlocked', async () => {
    const bridge = new FakeBridge()
      .answer('evidence:status', { state: 'locked', method: 'passphrase' })
      .answer('evidence:unlock', { state: 'unlocked', method: 'passphrase' })
      .answer('incidents:list', { incidents: [], unreadable: [] });
    const store = createCockpitStore(bridge);
    store.setState({ runbook: bundledRunbook() });
    await store.getState().loadVault();
    expect(bridge.callsOf('incidents:list')).toHaveLength(0);
    expect(await store.getState().openVault('correct horse')).toBeUndefined();
    expect(bridge.callsOf('evidence:unlock')).toEqual([{ passphrase: 'correct horse' }]);
    expect(bridge.callsOf('incidents:list')).toHaveLength(1);
  });
});
