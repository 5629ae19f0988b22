import { describe, expect, it } from 'vitest';

/** Every renderer source file but tests and the host bridge (the lead's transport), as text. */
const sources = import.meta.glob<string>(['../**/*.{ts,tsx}', '!../**/*.test.ts', '!../host/**', '!../test/**'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

/** Files allowed to reach the host: the bridge, the store that holds it, and the slices' actions. */
const mayCallHost = (file: string) => ['./bridge.ts', './cockpitStore.ts', './store.ts', './slice.ts', '../cockpit.ts'].includes(file) || /Slice\.ts$/.test(file);
/** What reaching the host looks like: the global API, the bridge module, a bridge or `call` helper used directly. */
const REACHES_HOST = /window\.cockpit|from '(\.\.?\/)+state\/bridge'|from '\.\/bridge'|\bbridge\.(call|subscribe)\(|\bcall\(\s*'[a-z]+:/;

describe('the renderer reaches the host only through store actions', () => {
  it('finds the renderer sources', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(20);
    expect(Object.keys(sources)).toContain('../evidence/AttachmentList.tsx');
  });

  it('has no component or hook that touches window.cockpit, the bridge or a Bridge', () => {
    const offenders = Object.entries(sources)
      .filter(([file, text]) => !mayCallHost(file) && REACHES_HOST.test(text))
      .map(([file]) => file);
    expect(offenders).toEqual([]);
    // The check bites: the preview call AttachmentList used to make is caught.
    expect(REACHES_HOST.test(`setPreview(await call('evidence:readAttachment', { incidentId, sha256 }));`)).toBe(true);
  });

  it('subscribes to window.cockpit in exactly one place (subscribeVia)', () => {
    const subscribing = Object.entries(sources)
      .filter(([, text]) => /\.subscribe\(/.test(text) && /api(\(\))?\.subscribe\(|window\.cockpit\.subscribe\(/.test(text))
      .map(([file]) => file);
    expect(subscribing).toEqual(['./bridge.ts']);
  });
});
