import { describe, expect, it } from 'vitest';
import { LineRing } from '../../shared/logs/line-ring';
import { CompiledFilter, describeFilter, groupLiterals, literalsOf } from './log-filter';

const ringOf = (lines: string[], blockBytes = 1024 * 1024) => {
  const ring = new LineRing({ maxLines: lines.length + 10, blockBytes });
  for (const text of lines) {
    const b = Buffer.from(text);
    ring.append(b, 0, b.length, 0, Number.NaN);
  }
  return ring;
};
const matching = (ring: LineRing, filter: CompiledFilter) => {
  const seqs: number[] = [];
  filter.scan(ring, ring.firstSeq, ring.nextSeq, (s) => seqs.push(s));
  return seqs;
};
const term = (pattern: string, extra: Partial<{ regex: boolean; caseSensitive: boolean; invert: boolean }> = {}) => ({
  pattern,
  regex: true,
  caseSensitive: true,
  invert: false,
  ...extra,
});

const LINES = ['INFO GET /api 200', 'ERROR db down', 'WARN slow duration=2400ms', 'info 503 upstream', 'CRITICAL disk', 'ünïcödé ERROR après'];

describe('CompiledFilter', () => {
  it('finds the runbook’s error lines in one pass over the byte runs', () => {
    const ring = ringOf(LINES, 40);
    expect(matching(ring, new CompiledFilter({ terms: [term('ERROR|CRITICAL|500|502|503')], combine: 'all' }))).toEqual([1, 3, 4, 5]);
  });

  it('honours case, invert, plain text and several terms (all / any)', () => {
    const ring = ringOf(LINES);
    expect(matching(ring, new CompiledFilter({ terms: [term('info', { caseSensitive: false })], combine: 'all' }))).toEqual([0, 3]);
    expect(matching(ring, new CompiledFilter({ terms: [term('ERROR', { invert: true })], combine: 'all' }))).toEqual([0, 2, 3, 4]);
    expect(matching(ring, new CompiledFilter({ terms: [term('/api', { regex: false })], combine: 'all' }))).toEqual([0]);
    expect(matching(ring, new CompiledFilter({ terms: [term('ERROR'), term('db')], combine: 'all' }))).toEqual([1]);
    expect(matching(ring, new CompiledFilter({ terms: [term('db'), term('disk')], combine: 'any' }))).toEqual([1, 4]);
  });

  it('anchors work per line and a match never joins two lines', () => {
    const ring = ringOf(['abc', 'def']);
    expect(matching(ring, new CompiledFilter({ terms: [term('^def$')], combine: 'all' }))).toEqual([1]);
    expect(matching(ring, new CompiledFilter({ terms: [term('cdef')], combine: 'all' }))).toEqual([]);
    expect(matching(ring, new CompiledFilter({ terms: [term('c\\sd')], combine: 'all' }))).toEqual([]);
  });

  it('runs a catastrophic pattern in linear time instead of freezing main', () => {
    const evil = `${'a'.repeat(5000)}!`;
    const ring = ringOf(Array.from({ length: 200 }, () => evil));
    const started = performance.now();
    const seqs = matching(ring, new CompiledFilter({ terms: [term('(a+)+$')], combine: 'all' }));
    // A backtracking engine would not finish this in the lifetime of the test run.
    expect(seqs).toEqual([]);
    expect(new RegExp('(a+)+$').source).toBe('(a+)+$');
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  it('refuses what RE2 cannot run, with the reason', () => {
    expect(() => new CompiledFilter({ terms: [term('(a)\\1')], combine: 'all' })).toThrow(/not a pattern RE2 accepts.*escape/);
    expect(() => new CompiledFilter({ terms: [term('(?=x)')], combine: 'all' })).toThrow(/RE2/);
  });

  it('marks where the terms match, in UTF-16 offsets', () => {
    const filter = new CompiledFilter({ terms: [term('ERROR'), term('après')], combine: 'any' });
    const text = 'ünïcödé ERROR après';
    const marks = filter.marks(text);
    expect(text.slice(marks[0], marks[1])).toBe('ERROR');
    expect(text.slice(marks[2], marks[3])).toBe('après');
  });

  it('searches literal alternations with indexOf and finds exactly what RE2 finds', () => {
    expect(literalsOf(term('ERROR|CRITICAL|500|502|503'))?.map(String)).toEqual(['ERROR', 'CRITICAL', '500', '502', '503']);
    expect(literalsOf(term('(ERROR|CRITICAL)'))?.map(String)).toEqual(['ERROR', 'CRITICAL']);
    expect(literalsOf(term('connection|pool', { caseSensitive: false }))?.map(String)).toEqual(['connection', 'pool']);
    expect(literalsOf(term('a.b', { regex: false }))?.map(String)).toEqual(['a.b']);
    expect(literalsOf(term('api\\.v1'))?.map(String)).toEqual(['api.v1']);
    expect(literalsOf(term('duration.*[2-9][0-9][0-9][0-9]ms'))).toBeUndefined();
    expect(literalsOf(term('a\\|b'))).toBeUndefined();
    const lines = Array.from({ length: 3000 }, (_, i) => `${i % 7 === 0 ? 'Error' : 'info'} status=${[200, 500, 503, 404][i % 4]} Pool=${i % 5} connection ${i % 11 === 0 ? 'CRITICAL' : ''}`);
    const ring = ringOf(lines, 4096);
    const pairs: Array<[ReturnType<typeof term>, ReturnType<typeof term>]> = [
      [term('ERROR|CRITICAL|500|502|503'), term('(?:ERROR|CRITICAL|500|502|503)+')],
      [term('error|pool', { caseSensitive: false }), term('(?:error|pool)+', { caseSensitive: false })],
      [term('Pool=3', { regex: false }), term('(?:Pool=3)+')],
      [term('503', { invert: true }), term('(?:503)+', { invert: true })],
    ];
    for (const [literal, regex] of pairs) {
      expect(literalsOf(regex)).toBeUndefined();
      const fast = matching(ring, new CompiledFilter({ terms: [literal], combine: 'all' }));
      expect(fast).toEqual(matching(ring, new CompiledFilter({ terms: [regex], combine: 'all' })));
      expect(fast.length).toBeGreaterThan(0);
    }
  });

  it('groups literals by a shared prefix and still finds each one, in the ring’s bytes', () => {
    const groups = groupLiterals(['500', '502', '503', 'ERROR', 'ERR', 'E'].map((l) => Buffer.from(l)));
    expect(groups.map((g) => [g.anchor.toString(), g.exact])).toEqual([
      ['50', false],
      ['ERR', true],
      ['E', true],
    ]);
    // A near miss (`501`, `5000`) at the anchor, the literal at a line's very end, UTF-8 around it, lines across blocks.
    const lines = Array.from({ length: 2000 }, (_, i) => ['x 501 y', 'é 5000', 'fin 503', 'ünï 502 ✓', 'nothing', '50', 'CRITICAL!'][i % 7]!);
    const ring = ringOf(lines, 512);
    const fast = new CompiledFilter({ terms: [term('500|502|503|CRITICAL')], combine: 'any' });
    expect(fast.engines).toEqual(['literal byte search (linear time)']);
    const viaRe2 = new CompiledFilter({ terms: [term('(?:500|502|503|CRITICAL)+')], combine: 'any' });
    expect(viaRe2.engines).toEqual(['re2 (linear time)']);
    const found = matching(ring, fast);
    expect(found).toEqual(matching(ring, viaRe2));
    expect(found.filter((s) => s < 7)).toEqual([1, 2, 3, 6]);
    // With invert and a second term, through the per-term flags.
    const both = new CompiledFilter({ terms: [term('500|502|503'), term('✓', { regex: false, invert: true })], combine: 'all' });
    expect(matching(ring, both).filter((s) => s < 7)).toEqual([1, 2]);
  });

  it('says the filter as a query', () => {
    expect(describeFilter({ terms: [term('ERROR', { caseSensitive: false }), term('health', { regex: false, invert: true })], combine: 'all' })).toBe('/ERROR/i and not "health"');
  });
});
