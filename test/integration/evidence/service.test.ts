import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { INLINE_TEXT_LIMIT } from '../../../src/main/evidence/evidence-service';
import { makeStore, type StoreFixture } from './store-fixture';

const INC = 'inc-service';
let fx: StoreFixture;
beforeEach(async () => {
  fx = await makeStore();
});
afterEach(async () => {
  await fx.dispose();
});

describe('EvidenceService', () => {
  it('serialises concurrent appends into one gap-free chain', async () => {
    const records = await Promise.all(
      Array.from({ length: 100 }, (_, i) => fx.store.append(INC, { type: 'checklist.item-done', body: { item: i } })),
    );
    expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(await fx.service.verify(INC)).toMatchObject({ status: 'ok', records: 100 });
  });

  it('shows pasted text with a bearer token redacted in the timeline, after a restart', async () => {
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from('{"sub":"ops"}').toString('base64url')}.${'s'.repeat(43)}`;
    await fx.service.addText(INC, { title: 'ingress log', text: `10.0.0.7 GET /api Authorization: Bearer ${jwt} 401` });
    await fx.store.append(INC, { type: 'note.revised', body: { markdown: '# Notes\nrollback started' } });
    await fx.service.lock();
    const { service } = await fx.reopen();
    const evidence = await service.timeline(INC, { types: ['evidence.added'] });
    expect(evidence).toHaveLength(1);
    expect(evidence[0]!.body).toMatchObject({ kind: 'text', title: 'ingress log', redactions: { 'bearer-jwt': 1 } });
    expect(JSON.stringify(evidence[0]!.body)).toContain('Bearer [REDACTED:bearer-jwt] 401');
    expect(JSON.stringify(evidence[0]!.body)).not.toContain(jwt);
    expect(await service.timeline(INC, { text: 'ROLLBACK' })).toHaveLength(1);
    expect(await service.timeline(INC, { actor: 'someone-else' })).toHaveLength(0);
  });

  it('redacts secrets in a record\'s context as well as its body, on disk and after a restart', async () => {
    const password = `pw${randomBytes(9).toString('hex')}`;
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    await fx.store.append(INC, {
      type: 'procedure.output',
      body: { stdout: `PGPASSWORD=${password} psql -h db` },
      context: { context: 'codesign-production', namespace: `codesign token: ${token}` },
    });
    const { store } = await fx.reopen();
    const [record] = await store.read(INC);
    expect(JSON.stringify(record!.body)).toContain('PGPASSWORD=[REDACTED:pgpassword]');
    expect(record!.context).toMatchObject({ context: 'codesign-production', namespace: expect.stringContaining('[REDACTED:') });
    const stored = JSON.stringify(await store.readChained(INC));
    expect(stored).not.toContain(password);
    expect(stored).not.toContain(token);
  });

  it('keeps large pasted text and files as attachments it can list and read back', async () => {
    const big = `${'x'.repeat(INLINE_TEXT_LIMIT)}\nPGPASSWORD=hunter2hunter2 psql\n`;
    const text = await fx.service.addText(INC, { title: 'big paste', text: big });
    expect(text.attachments).toHaveLength(1);
    const file = path.join(fx.root, 'dump.bin');
    await writeFile(file, Buffer.from([0, 1, 2, 3, 255, 0, 7]));
    const binary = await fx.service.addFile(INC, { path: file }, { title: 'core dump' });
    expect(binary.body).toMatchObject({ kind: 'file', name: 'dump.bin', redacted: false, size: 7 });
    const listed = await fx.service.attachments(INC);
    expect(listed.map((a) => a.name)).toEqual(['big paste', 'dump.bin']);
    const head = await fx.service.readAttachment(INC, text.body.sha256!, { maxBytes: 10 });
    expect(head).toMatchObject({ truncated: true, content: Buffer.from('xxxxxxxxxx') });
    const whole = await fx.service.readAttachment(INC, text.body.sha256!);
    expect(whole.content.toString()).toContain('PGPASSWORD=[REDACTED:pgpassword] psql');
    expect((await fx.service.readAttachment(INC, binary.body.sha256!)).content).toEqual(Buffer.from([0, 1, 2, 3, 255, 0, 7]));
  });

  it('signs a checkpoint at a status change and answers NotFound for an unknown incident', async () => {
    await fx.store.append(INC, { type: 'incident.declared', body: { severity: 'SEV3' } });
    const checkpoint = await fx.service.checkpoint(INC, 'status: resolved');
    expect(checkpoint).toMatchObject({ logId: INC, count: 1, reason: 'status: resolved' });
    await expect(fx.service.timeline('inc-missing')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(fx.store.append('../escape', { type: 'x', body: 1 })).rejects.toMatchObject({ code: 'Invalid' });
    expect(await fx.store.listLogs()).toEqual([INC]);
  });
});
