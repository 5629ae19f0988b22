import { describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incidents/model';
import { createCockpitStore } from '../state/cockpitStore';
import { FakeBridge } from '../test/fakeBridge';
import { incident, listOf, runbook } from '../test/incidents';
import { draftSlot } from './incidentsSlice';

const ACTIVE = 'inc-20261128-aaaa02';
const RESOLVED = 'inc-20261128-aaaa01';

function unlockedStore(hash: string, ...incidents: Incident[]) {
  const byId = new Map(incidents.map((i) => [i.id, i]));
  const bridge = new FakeBridge(hash)
    .answer('incidents:list', listOf(...incidents))
    .answer('incidents:get', ({ id }) => byId.get(id)!);
  const store = createCockpitStore(bridge);
  store.setState({ runbook });
  return { bridge, store };
}

const resolved = incident(RESOLVED, { at: '2026-11-27T09:00:00.000Z', then: [{ type: 'incident.status-changed', body: { from: 'investigating', to: 'resolved' } }] });
const active = incident(ACTIVE, { title: 'Checkout 500s', severity: 'SEV3', at: '2026-11-28T10:00:00.000Z' });

describe('incidents slice: after unlock', () => {
  it('opens the active incident when the URL names none, instead of the empty declare form', async () => {
    const { store, bridge } = unlockedStore('#/incident', resolved, active);
    await store.getState().afterUnlock();
    expect(store.getState().route).toEqual({ panel: 'incident', id: ACTIVE });
    expect(bridge.location.hash()).toBe(`#/incident/${ACTIVE}`);
    expect(store.getState().opened[ACTIVE]?.title).toBe('Checkout 500s');
  });

  it('opens the incident the URL names, even a resolved one', async () => {
    const { store } = unlockedStore(`#/incident/${RESOLVED}`, resolved, active);
    await store.getState().afterUnlock();
    expect(store.getState().route).toEqual({ panel: 'incident', id: RESOLVED });
    expect(store.getState().opened[RESOLVED]).toBeDefined();
  });

  it('leaves the declare form when nothing is active, and other panels alone', async () => {
    const none = unlockedStore('#/incident', resolved);
    await none.store.getState().afterUnlock();
    expect(none.store.getState().route).toEqual({ panel: 'incident' });
    const elsewhere = unlockedStore('#/runbook', active);
    await elsewhere.store.getState().afterUnlock();
    expect(elsewhere.store.getState().route).toEqual({ panel: 'runbook' });
  });
});

describe('incidents slice: resolving', () => {
  it('asks before resolving with open checklist items, and sends the confirmed list', async () => {
    const { store, bridge } = unlockedStore(`#/incident/${ACTIVE}`, active);
    bridge.answer('incidents:setStatus', ({ id, status }) => incident(id, { then: [{ type: 'incident.status-changed', body: { from: 'investigating', to: status } }] }));
    await store.getState().openIncident(ACTIVE);

    await store.getState().setStatus(ACTIVE, 'resolved');
    const pending = store.getState().pendingResolution;
    expect(pending?.incidentId).toBe(ACTIVE);
    expect(pending?.openItems.map((i) => i.id)).toEqual(active.checklist.map((i) => i.id));
    expect(bridge.callsOf('incidents:setStatus')).toEqual([]);

    store.getState().cancelResolution();
    expect(store.getState().pendingResolution).toBeUndefined();
    await store.getState().setStatus(ACTIVE, 'resolved');
    await store.getState().confirmResolution();
    expect(bridge.callsOf('incidents:setStatus')).toEqual([{ id: ACTIVE, status: 'resolved', confirmedOpenItems: active.checklist.map((i) => i.id) }]);
    expect(store.getState().opened[ACTIVE]?.status).toBe('resolved');
  });

  it('moves to mitigated without asking', async () => {
    const { store, bridge } = unlockedStore(`#/incident/${ACTIVE}`, active);
    bridge.answer('incidents:setStatus', ({ id, status }) => incident(id, { then: [{ type: 'incident.status-changed', body: { from: 'investigating', to: status } }] }));
    await store.getState().openIncident(ACTIVE);
    await store.getState().setStatus(ACTIVE, 'mitigated');
    expect(store.getState().pendingResolution).toBeUndefined();
    expect(bridge.callsOf('incidents:setStatus')).toEqual([{ id: ACTIVE, status: 'mitigated' }]);
  });
});

describe('incidents slice: drafts', () => {
  it('keeps a half-typed declaration in the store (it survives the form unmounting) and clears it once declared', async () => {
    const { store, bridge } = unlockedStore('#/incident');
    bridge.answer('incidents:declare', ({ title, severity }) => incident(ACTIVE, { title, severity }));
    store.getState().setDeclareDraft({ title: 'Checkout 5' });
    store.getState().setDeclareDraft({ severity: 'SEV1', summary: 'since 10:02' });
    expect(store.getState().declareDraft).toEqual({ title: 'Checkout 5', severity: 'SEV1', summary: 'since 10:02' });
    await store.getState().declare({ title: 'Checkout 500s', severity: 'SEV1' });
    expect(store.getState().declareDraft).toEqual({ title: '', severity: 'SEV2', summary: '' });
    expect(store.getState().route).toEqual({ panel: 'incident', id: ACTIVE });
  });

  it('seals a note draft through incidents:saveDraft, not as a note, and adding the note clears the draft', async () => {
    const { store, bridge } = unlockedStore(`#/incident/${ACTIVE}`, active);
    bridge
      .answer('incidents:saveDraft', ({ id, key, text }) => incident(id, { then: [{ type: 'note.draft-saved', body: { key, text } }] }))
      .answer('incidents:saveNote', ({ id, text }) => incident(id, { then: [{ type: 'note.revised', body: { noteId: 'note-abcd', text } }] }));
    store.getState().setNoteDraft(ACTIVE, 'new', 'pool exhausted');
    expect(store.getState().noteDrafts[draftSlot(ACTIVE, 'new')]).toBe('pool exhausted');
    expect(await store.getState().sealDraft(ACTIVE, 'new', 'pool exhausted')).toBe(true);
    expect(bridge.callsOf('incidents:saveDraft')).toEqual([{ id: ACTIVE, key: 'new', text: 'pool exhausted' }]);
    expect(store.getState().opened[ACTIVE]?.drafts.new?.text).toBe('pool exhausted');
    expect(store.getState().opened[ACTIVE]?.notes).toEqual([]);

    expect(await store.getState().saveNote(ACTIVE, 'pool exhausted')).toBe(true);
    expect(store.getState().noteDrafts).toEqual({});
    expect(store.getState().opened[ACTIVE]?.notes.map((n) => n.text)).toEqual(['pool exhausted']);
  });
});
