import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordInput, StoredRecord } from '../../shared/records';
import { Emitter } from '../../shared/lifetimes';
import { CockpitFailure } from '../../shared/result';
import type { Runbook } from '../../shared/runbook/schema';
import { MemoryLogger } from '../app/logger';
import { loadRunbookFile } from '../runbook/loader';
import { IncidentService } from './incident-service';
import type { RecordLog } from './record-log';

/** A RecordLog in memory; `corrupt` marks logs whose read fails as a damaged file would. */
class MemoryRecordLog implements RecordLog {
  readonly logs = new Map<string, StoredRecord[]>();
  readonly corrupt = new Map<string, string>();
  private readonly appended = new Emitter<{ logId: string; record: StoredRecord }>();
  readonly onDidAppend = this.appended.event;
  constructor(private readonly now: () => Date) {}
  async listLogs() {
    return [...new Set([...this.logs.keys(), ...this.corrupt.keys()])].sort();
  }
  async read(id: string) {
    const damage = this.corrupt.get(id);
    if (damage) throw new CockpitFailure('Corrupt', damage);
    const records = this.logs.get(id);
    if (!records) throw new CockpitFailure('NotFound', `no log "${id}"`);
    return records.map((r) => structuredClone(r));
  }
  async append<B>(id: string, input: RecordInput<B>) {
    const records = this.logs.get(id) ?? [];
    const record: StoredRecord<B> = { seq: records.length + 1, at: this.now().toISOString(), actor: input.actor ?? 'alice', type: input.type, body: input.body };
    this.logs.set(id, [...records, record]);
    this.appended.fire({ logId: id, record });
    return record;
  }
}

let runbook: Runbook;
beforeAll(async () => {
  runbook = await loadRunbookFile('resources/runbooks/codesign-playground.yaml');
});

describe('IncidentService', () => {
  let log: MemoryRecordLog;
  let clock: Date;
  const checkpoints: string[] = [];
  const service = () =>
    new IncidentService({
      log,
      runbook,
      logger: new MemoryLogger(),
      now: () => clock,
      onStatusRecorded: async (id, status) => checkpoints.push(`${id}:${status}`),
    });

  beforeEach(() => {
    clock = new Date('2026-11-28T10:00:00.000Z');
    log = new MemoryRecordLog(() => clock);
    checkpoints.length = 0;
  });

  it('declares, ticks, notes, re-severities and resolves, and a new instance reads it all back', async () => {
    const first = service();
    const declared = await first.declare({ title: 'API down', severity: 'SEV2', summary: '502s everywhere' });
    expect(declared.id).toMatch(/^inc-20261128-[0-9a-f]{6}$/);
    expect(declared.status).toBe('investigating');

    clock = new Date('2026-11-28T10:02:00.000Z');
    await first.checkItem(declared.id, 'escalation.pagerduty', true);
    const noted = await first.saveNote(declared.id, 'first look: pods OOMKilled');
    await first.saveNote(declared.id, 'first look: pods OOMKilled since 09:58', noted.notes[0]!.id);
    clock = new Date('2026-11-28T10:05:00.000Z');
    await first.setSeverity(declared.id, 'SEV1');
    const mitigated = await first.setStatus(declared.id, 'mitigated');
    await first.setStatus(declared.id, 'resolved', mitigated.checklist.filter((i) => !i.done).map((i) => i.id));

    const reread = await service().get(declared.id);
    expect(reread).toMatchObject({ title: 'API down', summary: '502s everywhere', severity: 'SEV1', status: 'resolved', severitySetAt: '2026-11-28T10:05:00.000Z' });
    expect(reread.statusHistory.map((h) => h.status)).toEqual(['investigating', 'mitigated', 'resolved']);
    expect(reread.checklist.find((i) => i.id === 'escalation.pagerduty')?.done).toEqual({ by: 'alice', at: '2026-11-28T10:02:00.000Z' });
    expect(reread.notes).toEqual([expect.objectContaining({ text: 'first look: pods OOMKilled since 09:58', revision: 2 })]);
    expect(reread.timeline.map((t) => t.kind)).toEqual([
      'declared',
      'item-done',
      'note-added',
      'note-revised',
      'severity-changed',
      'status-changed',
      'status-changed',
    ]);
    expect(log.logs.get(declared.id)!.map((r) => r.type)).toEqual([
      'incident.declared',
      'checklist.item-checked',
      'note.revised',
      'note.revised',
      'incident.severity-changed',
      'incident.status-changed',
      'incident.status-changed',
    ]);
    expect(checkpoints).toEqual([`${declared.id}:mitigated`, `${declared.id}:resolved`]);
  });

  it('rejects a checklist item or note that does not exist, and records nothing', async () => {
    const s = service();
    const { id } = await s.declare({ title: 'Disk filling', severity: 'SEV3' });
    await expect(s.checkItem(id, 'process.nope', true)).rejects.toMatchObject({ code: 'NotFound', message: expect.stringContaining('process.nope') });
    await expect(s.saveNote(id, 'x', 'note-ffff')).rejects.toMatchObject({ code: 'NotFound' });
    expect((await s.get(id)).timeline).toHaveLength(1);
  });

  it('lists an unreadable log with the store’s reason instead of dropping it', async () => {
    const s = service();
    const good = await s.declare({ title: 'Good one', severity: 'SEV4' });
    const bad = await s.declare({ title: 'Bad one', severity: 'SEV4' });
    log.corrupt.set(bad.id, `log ${bad.id} is corrupt at seq 2: frame checksum mismatch`);

    const list = await service().list();
    expect(list.incidents.map((i) => i.id)).toEqual([good.id]);
    expect(list.unreadable).toEqual([{ id: bad.id, error: `log ${bad.id} is corrupt at seq 2: frame checksum mismatch` }]);
    await expect(service().get(bad.id)).rejects.toMatchObject({ code: 'Corrupt' });
  });

  it('reports a log whose first record is not a declaration as corrupt', async () => {
    log.logs.set('inc-20261128-abcdef', [{ seq: 1, at: 'x', actor: 'a', type: 'note.revised', body: {} }]);
    await expect(service().get('inc-20261128-abcdef')).rejects.toMatchObject({ code: 'Corrupt', message: expect.stringContaining('incident.declared') });
  });

  it('refuses to resolve with open checklist items until they are confirmed, then records them in the timeline', async () => {
    const s = service();
    const { id } = await s.declare({ title: 'Checkout 500s', severity: 'SEV1' });
    await s.checkItem(id, 'escalation.pagerduty', true);
    const open = (await s.get(id)).checklist.filter((i) => !i.done);
    expect(open.map((i) => i.label)).toContain('Management notification');

    await expect(s.setStatus(id, 'resolved')).rejects.toMatchObject({ code: 'Conflict', message: expect.stringContaining('Management notification') });
    await expect(s.setStatus(id, 'resolved', open.slice(1).map((i) => i.id))).rejects.toMatchObject({ code: 'Conflict', message: expect.stringContaining('1 open checklist item') });
    expect((await s.get(id)).status).toBe('investigating');

    const resolved = await s.setStatus(id, 'resolved', open.map((i) => i.id));
    expect(resolved.status).toBe('resolved');
    expect(resolved.timeline.at(-1)?.text).toBe(`Status investigating → resolved with ${open.length} open checklist items: ${open.map((i) => i.label).join('; ')}`);
    expect(log.logs.get(id)!.at(-1)!.body).toMatchObject({ openItems: open.map((i) => ({ itemId: i.id, label: i.label })) });
  });

  it('resolves without asking when every checklist item is done', async () => {
    const s = service();
    const { id, checklist } = await s.declare({ title: 'Cert expiring', severity: 'SEV4' });
    for (const item of checklist) await s.checkItem(id, item.id, true);
    const resolved = await s.setStatus(id, 'resolved');
    expect(resolved.timeline.at(-1)?.text).toBe('Status investigating → resolved');
  });

  it('seals drafts without making them notes or timeline entries, and adding the note ends the draft', async () => {
    const s = service();
    const { id } = await s.declare({ title: 'Queue backlog', severity: 'SEV3' });
    await s.saveDraft(id, 'new', 'celery backlog at 40');
    const drafted = await s.saveDraft(id, 'new', 'celery backlog at 40k and');
    expect(drafted.notes).toEqual([]);
    expect(drafted.timeline.map((t) => t.kind)).toEqual(['declared']);
    expect(drafted.drafts.new).toMatchObject({ text: 'celery backlog at 40k and', by: 'alice' });
    expect(log.logs.get(id)!.map((r) => r.type)).toEqual(['incident.declared', 'note.draft-saved', 'note.draft-saved']);
    expect(await s.saveDraft(id, 'new', 'celery backlog at 40k and')).toBe(drafted);

    const noted = await s.saveNote(id, 'celery backlog at 40k and rising');
    expect(noted.drafts).toEqual({});
    const noteId = noted.notes[0]!.id as `note-${string}`;
    expect((await s.saveDraft(id, noteId, 'celery backlog at 40k, falling')).drafts[noteId]?.text).toBe('celery backlog at 40k, falling');
    const edited = await s.saveNote(id, 'celery backlog at 40k, falling', noteId);
    expect(edited.drafts).toEqual({});
    expect(edited.timeline.slice(1).map((t) => t.text)).toEqual(['note added', 'note edited (revision 2)']);
    expect(edited.timeline.at(-1)?.note).toEqual({ noteId, revision: 2, text: 'celery backlog at 40k, falling', previousText: 'celery backlog at 40k and rising' });

    await s.saveDraft(id, 'new', 'half a thought');
    expect((await s.saveDraft(id, 'new', '')).drafts).toEqual({});
    await expect(s.saveDraft(id, 'note-ffff', 'x')).rejects.toMatchObject({ code: 'NotFound' });
  });
});
