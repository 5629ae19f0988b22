import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Runbook } from '../../shared/runbook/schema';
import { MemoryLogger } from '../app/logger';
import { loadRunbookFile } from '../runbook/loader';
import { IncidentService } from './incident-service';
import { JsonlRecordLog } from './jsonl-record-log';

let runbook: Runbook;
beforeAll(async () => {
  runbook = await loadRunbookFile('resources/runbooks/codesign-playground.yaml');
});

describe('IncidentService over JsonlRecordLog', () => {
  let dir: string;
  let clock: Date;
  const service = () =>
    new IncidentService({ log: new JsonlRecordLog(dir, 'alice', () => clock), runbook, logger: new MemoryLogger(), now: () => clock });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'incidents-'));
    clock = new Date('2026-11-28T10:00:00.000Z');
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
    await first.setStatus(declared.id, 'mitigated');
    await first.setStatus(declared.id, 'resolved');

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
    const lines = (await readFile(path.join(dir, `${declared.id}.jsonl`), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('rejects a checklist item or note that does not exist, and records nothing', async () => {
    const s = service();
    const { id } = await s.declare({ title: 'Disk filling', severity: 'SEV3' });
    await expect(s.checkItem(id, 'process.nope', true)).rejects.toMatchObject({ code: 'NotFound', message: expect.stringContaining('process.nope') });
    await expect(s.saveNote(id, 'x', 'note-ffff')).rejects.toMatchObject({ code: 'NotFound' });
    expect((await s.get(id)).timeline).toHaveLength(1);
  });

  it('reports a corrupt log in the list with file and line instead of dropping it', async () => {
    const s = service();
    const good = await s.declare({ title: 'Good one', severity: 'SEV4' });
    const bad = await s.declare({ title: 'Bad one', severity: 'SEV4' });
    await appendFile(path.join(dir, `${bad.id}.jsonl`), '{"seq":2,"at":"x", truncated\n');

    const list = await service().list();
    expect(list.incidents.map((i) => i.id)).toEqual([good.id]);
    expect(list.unreadable).toEqual([{ id: bad.id, error: expect.stringMatching(new RegExp(`${bad.id}\\.jsonl:2 is not valid JSON`)) }]);
    await expect(service().get(bad.id)).rejects.toMatchObject({ code: 'Corrupt' });
  });

  it('reports a log whose first record is not a declaration as corrupt', async () => {
    await writeFile(path.join(dir, 'inc-20261128-abcdef.jsonl'), JSON.stringify({ seq: 1, at: 'x', actor: 'a', type: 'note.revised', body: {} }) + '\n');
    await expect(service().get('inc-20261128-abcdef')).rejects.toMatchObject({ code: 'Corrupt', message: expect.stringContaining('incident.declared') });
  });

  it('serialises concurrent appends so sequence numbers never collide', async () => {
    const s = service();
    const { id } = await s.declare({ title: 'Race', severity: 'SEV2' });
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.saveNote(id, `note ${i}`)));
    expect((await service().get(id)).notes).toHaveLength(20);
  });
});
