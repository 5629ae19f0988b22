/**
 * The view's filter, run in main with RE2 (the `re2` native module: linear time in the input, no
 * backtracking), so a pathological pattern such as `(a+)+$` cannot freeze the main process; what
 * RE2 does not support (backreferences, lookaround) is refused with the reason. A pass runs over
 * the ring's byte runs (many lines per call, byte offsets mapped back to lines), not line by line.
 *
 * Patterns that are only literals (`ERROR|CRITICAL|500|502|503`, `connection|pool`, plain text:
 * most of the runbook's greps) take a faster path: the run as latin1 text (one char per byte)
 * and one alternation of the escaped literals, which has no quantifier and so cannot backtrack.
 * node-re2 costs ~10 µs per call, and a dense filter calls it once per matching line.
 */
import RE2 from 're2';
import type { LogFilter, LogFilterTerm } from '../../shared/contract/logs';
import type { LineRing } from '../../shared/logs/line-ring';
import { CockpitFailure } from '../../shared/result';

/** Which engines a filter runs on, in words for the panel: both are linear in the input. */
export function filterEngine(filter: CompiledFilter | undefined): string {
  if (!filter) return 're2 (linear time)';
  const kinds = new Set(filter.engines);
  return [...kinds].join(' + ');
}

interface CompiledTerm {
  term: LogFilterTerm;
  /**
   * When the pattern is only literals (`ERROR|CRITICAL|500`, plain text): their bytes, searched
   * with Buffer.indexOf (memchr/memmem, also linear) instead of a regex call per matching line.
   * Case-insensitive literals are ASCII and searched in a lower-cased copy of the run.
   */
  literals: Buffer[] | undefined;
  /** Case-sensitive literals grouped by a shared prefix, for the byte search (`groupLiterals`). */
  literalGroups: LiteralGroup[] | undefined;
  /** The same literals as one alternation over latin1 text (one char per byte, so offsets are bytes). */
  literalRegex: RegExp | undefined;
  /** Global, multiline: over a run of lines. */
  run: RE2;
  /** For highlighting one line's text (UTF-16 offsets). */
  marks: RE2;
}

/**
 * One run of the ring as a filter pass reads it: everything a pass needs, so another thread can
 * scan it from the shared memory the ring keeps it in (`LineRing` with `shared`).
 */
export interface RunLines {
  firstSeq: number;
  count: number;
  /** Line starts in the block (`LineRing.lineOffsets`); `runStart` is where the run starts in it. */
  starts: Int32Array;
  runStart: number;
  /** The run's bytes, each line followed by its newline (lines lie back to back in a block). */
  buffer: Buffer;
  /** The run as latin1 text, made on first use (always present, undefined until then: one shape for V8). */
  text: string | undefined;
}

/** A run with every field set in one order: the pass's hot loops see one object shape, whoever made the run. */
export function runLines(firstSeq: number, count: number, starts: Int32Array, runStart: number, buffer: Buffer): RunLines {
  return { firstSeq, count, starts, runStart, buffer, text: undefined };
}

/** The held lines of `[from, to)` as the runs a pass scans (views into the ring, no copies). */
export function runLinesOf(ring: LineRing, from: number, to: number): RunLines[] {
  const out: RunLines[] = [];
  for (const run of ring.runs(from, to)) {
    out.push(runLines(run.firstSeq, run.lastSeq - run.firstSeq + 1, ring.lineOffsets(run.firstSeq, run.lastSeq), run.start, Buffer.from(run.data.buffer, run.data.byteOffset, run.data.byteLength)));
  }
  return out;
}

const escapeRegex = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** A filter ready to run: every term compiled once. */
export class CompiledFilter {
  private readonly terms: CompiledTerm[];

  constructor(readonly filter: LogFilter) {
    this.terms = filter.terms.map((term) => {
      const source = term.regex ? term.pattern : escapeRegex(term.pattern);
      const flags = term.caseSensitive ? '' : 'i';
      try {
        const literals = literalsOf(term);
        // Every field in one order, set or undefined: the pass sees one shape of term.
        return {
          term,
          literals,
          literalGroups: literals && term.caseSensitive ? groupLiterals(literals) : undefined,
          literalRegex: literals ? new RegExp(literals.map((l) => escapeRegex(l.toString('latin1'))).join('|'), term.caseSensitive ? 'g' : 'gi') : undefined,
          run: new RE2(source, `gm${flags}`),
          marks: new RE2(source, `g${flags}`),
        };
      } catch (error) {
        const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
        throw new CockpitFailure('Invalid', `the filter /${term.pattern}/ is not a pattern RE2 accepts: ${reason}`, 'filter');
      }
    });
  }

  /** Calls `onMatch(seq)` in order for every held line in `[from, to)` that passes the filter. */
  scan(ring: LineRing, from: number, to: number, onMatch: (seq: number) => void): void {
    this.scanRuns(runLinesOf(ring, from, to), onMatch);
  }

  /** `scan` over runs already taken from the ring (`runLinesOf`), in their order. */
  scanRuns(runs: readonly RunLines[], onMatch: (seq: number) => void): void {
    const single = this.terms.length === 1 && !this.terms[0]!.term.invert ? this.terms[0]! : undefined;
    const need = this.filter.combine === 'all' ? this.terms.length : 1;
    for (const lines of runs) {
      const { firstSeq, count } = lines;
      if (single) {
        // The common case (one term, a runbook preset): matches go out as they are found.
        this.eachMatchingLine(single, lines, (i) => onMatch(firstSeq + i));
        continue;
      }
      const hits = new Uint8Array(count);
      for (const compiled of this.terms) {
        const flags = new Uint8Array(count);
        this.eachMatchingLine(compiled, lines, (i) => (flags[i] = 1));
        const inverted = compiled.term.invert;
        for (let i = 0; i < count; i++) if ((flags[i] === 1) !== inverted) hits[i]!++;
      }
      for (let i = 0; i < count; i++) if (hits[i]! >= need) onMatch(firstSeq + i);
    }
  }

  /** Per term: a literal alternation (no quantifier, so it cannot backtrack) or RE2. */
  get engines(): string[] {
    return this.terms.map((t) => (t.literalGroups ? 'literal byte search (linear time)' : t.literalRegex ? 'literal alternation (linear time)' : 're2 (linear time)'));
  }

  /** Whether one line's text passes. */
  test(text: string): boolean {
    let hits = 0;
    for (const compiled of this.terms) {
      compiled.marks.lastIndex = 0;
      if (compiled.marks.test(text) !== compiled.term.invert) hits++;
    }
    return this.filter.combine === 'all' ? hits === this.terms.length : hits > 0;
  }

  /** Where the (not inverted) terms match in `text`, as start/end pairs in order. */
  marks(text: string): number[] {
    const ranges: Array<[number, number]> = [];
    for (const compiled of this.terms) {
      if (compiled.term.invert) continue;
      const re = compiled.marks;
      re.lastIndex = 0;
      let match: RegExpExecArray | null;
      let guard = 0;
      while ((match = re.exec(text)) !== null && guard++ < 1000) {
        const end = match.index + match[0].length;
        if (end > match.index) ranges.push([match.index, end]);
        else re.lastIndex = match.index + 1;
      }
    }
    ranges.sort((a, b) => a[0] - b[0]);
    const out: number[] = [];
    for (const [start, end] of ranges) {
      const last = out.length - 1;
      if (last > 0 && start <= out[last]!) out[last] = Math.max(out[last]!, end);
      else out.push(start, end);
    }
    return out;
  }

  /**
   * Calls `onLine(i)` once, in order, for each line `i` of the run that the term's pattern
   * matches (not inverted): one engine pass over the run, match offsets mapped to lines by a
   * galloping search over the line starts, and the search goes on from the next line.
   */
  private eachMatchingLine(compiled: CompiledTerm, lines: RunLines, onLine: (i: number) => void): void {
    const { starts, runStart, count } = lines;
    let line = 0;
    /** The line holding byte `at` of the run, searched forward from the last one. */
    const lineAt = (at: number) => {
      const target = at + runStart;
      let step = 1;
      while (line + step < count && starts[line + step]! <= target) {
        line += step;
        step *= 2;
      }
      while (step > 1) {
        step >>>= 1;
        if (line + step < count && starts[line + step]! <= target) line += step;
      }
      return line;
    };
    if (compiled.literalGroups) {
      this.eachLiteralLine(compiled.literalGroups!, lines, lineAt, onLine);
      return;
    }
    if (compiled.literalRegex) {
      // latin1 keeps one char per byte, so string offsets are byte offsets; made once per run for every literal term.
      const text = (lines.text ??= lines.buffer.toString('latin1'));
      const re = compiled.literalRegex;
      re.lastIndex = 0;
      for (;;) {
        const match = re.exec(text);
        if (!match) return;
        onLine(lineAt(match.index));
        if (line + 1 >= count) return;
        re.lastIndex = starts[line + 1]! - runStart;
      }
    }
    const re = compiled.run;
    re.lastIndex = 0;
    for (;;) {
      const match = re.exec(lines.buffer);
      if (!match) return;
      const at = match.index;
      lineAt(at);
      const lineStart = starts[line]! - runStart;
      // Lines lie back to back, each followed by its newline: this one ends before the next starts.
      const lineEnd = line + 1 < count ? starts[line + 1]! - runStart - 1 : lines.buffer.length - 1;
      const matchEnd = at + (match[0] as unknown as Buffer).length;
      if (matchEnd <= lineEnd || this.lineMatches(compiled, lines.buffer.subarray(lineStart, lineEnd))) onLine(line);
      if (line + 1 >= count) return;
      // One match per line is enough: go on from the next line.
      re.lastIndex = starts[line + 1]! - runStart;
    }
  }

  /**
   * Case-sensitive literals: each searched in the run's bytes where they lie (`Buffer.indexOf`,
   * no copy into a string), the next hit of every literal kept, the nearest one's line reported,
   * and every literal that hit that line searched again from the next line: lines come out in order.
   */
  private eachLiteralLine(groups: LiteralGroup[], lines: RunLines, lineAt: (at: number) => number, onLine: (i: number) => void): void {
    const { buffer, starts, runStart, count } = lines;
    const next = groups.map((group) => findGroup(buffer, group, 0));
    for (;;) {
      let nearest = -1;
      for (const at of next) if (at !== -1 && (nearest === -1 || at < nearest)) nearest = at;
      if (nearest === -1) return;
      const line = lineAt(nearest);
      onLine(line);
      if (line + 1 >= count) return;
      const from = starts[line + 1]! - runStart;
      for (let i = 0; i < next.length; i++) if (next[i] !== -1 && next[i]! < from) next[i] = findGroup(buffer, groups[i]!, from);
    }
  }

  /** A match that ran across a newline (`\s`, `[^x]`): the line is tested on its own. */
  private lineMatches(compiled: CompiledTerm, line: Buffer): boolean {
    const re = compiled.marks;
    re.lastIndex = 0;
    return re.test(line.toString('utf8'));
  }
}

/** Literals that share a prefix (`500|502|503`): the prefix is searched once and each literal checked where it hits. */
interface LiteralGroup {
  anchor: Buffer;
  literals: Buffer[];
  /** One literal is the anchor itself: every hit of the anchor matches. */
  exact: boolean;
}

/**
 * Groups literals by their first two bytes, each group's anchor their longest common prefix:
 * Buffer.indexOf scans for a pattern's first byte (memchr), so `500|502|503` in digit-heavy
 * text costs one scan for `50` instead of three for `5`.
 */
export function groupLiterals(literals: Buffer[]): LiteralGroup[] {
  const byHead = new Map<string, Buffer[]>();
  for (const literal of literals) {
    const head = literal.subarray(0, 2).toString('latin1');
    byHead.set(head, [...(byHead.get(head) ?? []), literal]);
  }
  return [...byHead.values()].map((members) => {
    let length = Math.min(...members.map((m) => m.length));
    for (const m of members) while (length > 0 && m.compare(members[0]!, 0, length, 0, length) !== 0) length--;
    const anchor = members[0]!.subarray(0, length);
    return { anchor, literals: members, exact: members.some((m) => m.length === length) };
  });
}

/** Where the first literal of `group` at or after `from` starts, or -1. */
function findGroup(buffer: Buffer, group: LiteralGroup, from: number): number {
  const { anchor, literals } = group;
  for (;;) {
    const at = buffer.indexOf(anchor, from);
    if (at === -1 || group.exact) return at;
    for (const literal of literals) {
      let i = anchor.length;
      if (at + literal.length > buffer.length) continue;
      while (i < literal.length && buffer[at + i] === literal[i]) i++;
      if (i === literal.length) return at;
    }
    from = at + 1;
  }
}

/** The literals a term is made of (`a|b|c`, `(a|b)`, plain text), or undefined when it is a real regex. */
export function literalsOf(term: LogFilterTerm): Buffer[] | undefined {
  let pieces: string[];
  if (!term.regex) {
    pieces = [term.pattern];
  } else {
    let body = term.pattern;
    const group = /^\((?:\?:)?([^()]*)\)$/.exec(body);
    if (group) body = group[1]!;
    pieces = body.split('|');
    for (const piece of pieces) if (!/^(?:[^\\^$.*+?()[\]{}|]|\\[.*+?()[\]{}|\\/^$-])+$/.test(piece)) return undefined;
    pieces = pieces.map((p) => p.replace(/\\(.)/g, '$1'));
  }
  if (pieces.some((p) => p.length === 0 || p.includes('\n'))) return undefined;
  if (!term.caseSensitive) {
    // eslint-disable-next-line no-control-regex
    if (pieces.some((p) => /[^\x00-\x7f]/.test(p))) return undefined;
    pieces = pieces.map((p) => p.toLowerCase());
  }
  return pieces.map((p) => Buffer.from(p, term.caseSensitive ? 'utf8' : 'latin1'));
}

/** The filter said as a query, for captures and titles: `/ERROR|CRITICAL/i and not "health"`. */
export function describeFilter(filter: LogFilter | undefined): string {
  if (!filter) return 'all lines';
  const parts = filter.terms.map((t) => `${t.invert ? 'not ' : ''}${t.regex ? `/${t.pattern}/` : JSON.stringify(t.pattern)}${t.caseSensitive ? '' : 'i'}`);
  return parts.join(filter.combine === 'all' ? ' and ' : ' or ');
}

/**
 * A few thousand made-up lines and one filter of each engine shape (case-sensitive literals,
 * case-insensitive literals, RE2, several terms with an inverted one): scanned a few times
 * on a thread when a view opens, so V8 has optimised the pass before the first real one. On two
 * busy cores a cold pass over a full ring otherwise runs in V8's slower tiers for most of its
 * length (the optimising compiler's background thread waits for a core): measured 2-3x slower
 * per run than a warm one.
 */
export function warmUpRuns(): RunLines[] {
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const status = [200, 200, 201, 204, 404, 500, 503][i % 7];
    lines.push(`2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z ${status! >= 500 ? 'ERROR' : 'INFO '} [app] GET /api/v1/items/${i} status=${status} duration=${(i * 37) % 3000}ms user=u-${i % 97} connection pool ok`);
  }
  // In shared memory, as a ring's runs are (`LineRing` with `shared`): the same shapes for V8.
  const text = Buffer.from(lines.join('\n') + '\n', 'latin1');
  const buffer = Buffer.from(new SharedArrayBuffer(text.length));
  text.copy(buffer);
  const starts = new Int32Array(new SharedArrayBuffer(lines.length * 4));
  for (let i = 0, at = 0; i < lines.length; i++, at = buffer.indexOf(10, at) + 1) starts[i] = at;
  // Two runs, as two blocks would give them; `runStart` is where each begins in the block.
  const half = lines.length >> 1;
  return [runLines(0, half, starts.subarray(0, half), 0, buffer.subarray(0, starts[half])), runLines(half, lines.length - half, starts.subarray(half), starts[half]!, buffer.subarray(starts[half]))];
}

/** Each shape with how many passes it gets: RE2's cost is native (no tier-up to wait for), so it gets few. */
export const WARM_UP_FILTERS: Array<{ filter: LogFilter; rounds: number }> = [
  { filter: { terms: [{ pattern: 'ERROR|CRITICAL|500|502|503', regex: true, caseSensitive: true, invert: false }], combine: 'any' }, rounds: 12 },
  { filter: { terms: [{ pattern: 'connection|pool', regex: true, caseSensitive: false, invert: false }], combine: 'any' }, rounds: 6 },
  { filter: { terms: [{ pattern: 'duration.*[2-9][0-9][0-9][0-9]ms', regex: true, caseSensitive: true, invert: false }], combine: 'any' }, rounds: 2 },
  {
    filter: {
      terms: [
        { pattern: 'status=5', regex: false, caseSensitive: true, invert: false },
        { pattern: 'health', regex: false, caseSensitive: false, invert: true },
      ],
      combine: 'all',
    },
    rounds: 4,
  },
];

/** The warm-up as steps, one filter shape each (tens of ms at most, so a timer can space them out). */
export function warmUpSteps(): Array<() => void> {
  let runs: RunLines[] | undefined;
  return WARM_UP_FILTERS.map(({ filter, rounds }) => () => {
    runs ??= warmUpRuns();
    for (let round = 0; round < rounds; round++) new CompiledFilter(filter).scanRuns(runs, () => undefined);
  });
}

/** Runs every warm-up step on this thread now (the filter worker, before it says it is ready). */
export function warmUpFilters(): void {
  for (const step of warmUpSteps()) step();
}
