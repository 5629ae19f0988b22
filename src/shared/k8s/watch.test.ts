import { describe, expect, it } from 'vitest';
import type { KubeObject } from './objects';
import { applyWatchEvent, applyWatchEvents, compareResourceVersions, diffLists, listOf } from './watch';

const pod = (name: string, resourceVersion: string, phase = 'Running'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion },
  status: { phase },
});

describe('applyWatchEvent', () => {
  const base = listOf([pod('a', '10'), pod('b', '11')], '12');

  it('ADDED inserts, MODIFIED replaces, DELETED removes, and the position follows', () => {
    const added = applyWatchEvent(base, { type: 'ADDED', object: pod('c', '13') });
    expect([...added.list.items.keys()]).toEqual(['ns/a', 'ns/b', 'ns/c']);
    expect(added.upserted.map((p) => p.metadata.name)).toEqual(['c']);
    expect(added.list.resourceVersion).toBe('13');
    const modified = applyWatchEvent(added.list, { type: 'MODIFIED', object: pod('a', '14', 'Failed') });
    expect(modified.list.items.get('ns/a')?.status).toEqual({ phase: 'Failed' });
    const deleted = applyWatchEvent(modified.list, { type: 'DELETED', object: pod('b', '15') });
    expect(deleted.deleted).toEqual(['ns/b']);
    expect(deleted.list.items.has('ns/b')).toBe(false);
    expect(deleted.list.resourceVersion).toBe('15');
  });

  it('never changes the list it was given', () => {
    applyWatchEvent(base, { type: 'DELETED', object: pod('a', '20') });
    expect(base.items.has('ns/a')).toBe(true);
    expect(base.resourceVersion).toBe('12');
  });

  it('BOOKMARK moves the position only, and never backwards', () => {
    const marked = applyWatchEvent(base, { type: 'BOOKMARK', object: { metadata: { resourceVersion: '40' } } });
    expect(marked.list.resourceVersion).toBe('40');
    expect(marked.list.items).toEqual(base.items);
    expect(marked.upserted).toEqual([]);
    expect(applyWatchEvent(marked.list, { type: 'BOOKMARK', object: { metadata: { resourceVersion: '30' } } }).list.resourceVersion).toBe('40');
  });

  it('ignores events at or below the position (a replay after reconnect) and older than the object held', () => {
    const replay = applyWatchEvents(base, [
      { type: 'MODIFIED', object: pod('a', '12', 'Failed') },
      { type: 'ADDED', object: pod('z', '5') },
    ]);
    expect(replay.stale).toBe(2);
    expect(replay.list.items.get('ns/a')?.status).toEqual({ phase: 'Running' });
    expect(replay.list.items.has('ns/z')).toBe(false);
    const newer = applyWatchEvent(base, { type: 'MODIFIED', object: pod('a', '30') });
    const older = applyWatchEvent({ ...newer.list, resourceVersion: '12' }, { type: 'MODIFIED', object: pod('a', '20', 'Failed') });
    expect(older.stale).toBe(1);
    expect(older.list.items.get('ns/a')?.metadata.resourceVersion).toBe('30');
  });

  it('asks for a relist on 410 Expired and stops applying at that event', () => {
    const result = applyWatchEvents(base, [
      { type: 'ADDED', object: pod('c', '13') },
      { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (12)' } },
      { type: 'ADDED', object: pod('d', '14') },
    ]);
    expect(result.relist).toMatchObject({ code: 410 });
    expect(result.upserted.map((p) => p.metadata.name)).toEqual(['c']);
    expect(result.list.items.has('ns/d')).toBe(false);
  });

  it('reports another ERROR as an error, not a relist', () => {
    const result = applyWatchEvent(base, { type: 'ERROR', object: { code: 500, reason: 'InternalError', message: 'etcd' } });
    expect(result.error).toMatchObject({ code: 500 });
    expect(result.relist).toBeUndefined();
  });

  it('an object added then deleted in one batch is neither upserted nor left behind', () => {
    const result = applyWatchEvents(base, [
      { type: 'ADDED', object: pod('c', '13') },
      { type: 'DELETED', object: pod('c', '14') },
    ]);
    expect(result.upserted).toEqual([]);
    expect(result.deleted).toEqual(['ns/c']);
    expect(result.list.items.has('ns/c')).toBe(false);
  });

  it('accepts non-numeric resourceVersions as newer (opaque to the API)', () => {
    expect(compareResourceVersions('abc', '12')).toBeUndefined();
    expect(compareResourceVersions('9', '10')).toBeLessThan(0);
    const result = applyWatchEvent(base, { type: 'MODIFIED', object: pod('a', 'opaque', 'Failed') });
    expect(result.upserted).toHaveLength(1);
  });
});

describe('diffLists', () => {
  it('names what a relist added, changed and removed, and nothing else', () => {
    const before = listOf([pod('a', '10'), pod('b', '11'), pod('c', '12')], '12');
    const after = listOf([pod('a', '10'), pod('b', '20'), pod('d', '21')], '21');
    const diff = diffLists(before, after);
    expect(diff.upserted.map((p) => p.metadata.name).sort()).toEqual(['b', 'd']);
    expect(diff.deleted).toEqual(['ns/c']);
  });
});
