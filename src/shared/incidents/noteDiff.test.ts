import { describe, expect, it } from 'vitest';
import { diffLines } from './noteDiff';

describe('diffLines', () => {
  it('keeps unchanged lines and marks what a revision removed and added', () => {
    const previous = 'P95 at 2.4s\nsince 10:05\nrollout next';
    const next = 'P95 at 2.4s\nsince 10:02\nrollout next\nrestarted 10:20';
    expect(diffLines(previous, next)).toEqual([
      { kind: 'same', text: 'P95 at 2.4s' },
      { kind: 'removed', text: 'since 10:05' },
      { kind: 'added', text: 'since 10:02' },
      { kind: 'same', text: 'rollout next' },
      { kind: 'added', text: 'restarted 10:20' },
    ]);
  });

  it('aligns a moved block by the longest common subsequence', () => {
    const kinds = diffLines('a\nb\nc\nd', 'b\nc\nd\na').map((l) => `${l.kind[0]}${l.text}`);
    expect(kinds).toEqual(['ra', 'sb', 'sc', 'sd', 'aa']);
  });

  it('answers only kept lines for identical revisions, and falls back to removed-then-added for huge rewrites', () => {
    expect(diffLines('x\ny', 'x\ny').every((l) => l.kind === 'same')).toBe(true);
    const big = Array.from({ length: 2000 }, (_, i) => `old ${i}`).join('\n');
    const other = Array.from({ length: 2000 }, (_, i) => `new ${i}`).join('\n');
    const diff = diffLines(big, other);
    expect(diff.filter((l) => l.kind === 'removed')).toHaveLength(2000);
    expect(diff.filter((l) => l.kind === 'added')).toHaveLength(2000);
  });
});
