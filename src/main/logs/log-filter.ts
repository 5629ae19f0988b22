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
  literals?: Buffer[];
  /** Case-sensitive literals grouped by a shared prefix, for the byte search (`groupLiterals`). */
  literalGroups?: LiteralGroup[];
  /** The same literals as one alternation over latin1 text (one char per byte, so offsets are bytes). */
  literalRegex?: RegExp;
  /** Global, multiline: over a run of lines. */
  run: RE2;
  /** For highlighting one line's text (UTF-16 offsets). */
  marks: RE2;
}

/** One run of the ring as a filter pass reads it. */
interface RunLines {
  firstSeq: number;
  count: number;
  /** Line starts in the block (`LineRing.lineOffsets`); `runStart` is where the run starts in it. */
  starts: Int32Array;
  runStart: number;
  buffer: Buffer;
  /** The run as latin1 text, made on first use. */
  text: string | undefined;
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
        return {
          term,
          run: new RE2(source, `gm${flags}`),
          marks: new RE2(source, `g${flags}`),
          ...(literals
            ? { literals, ...(term.caseSensitive ? { literalGroups: groupLiterals(literals) } : {}), literalRegex: new RegExp(literals.map((l) => escapeRegex(l.toString('latin1'))).join('|'), term.caseSensitive ? 'g' : 'gi') }
            : {}),
        };
      } catch (error) {
        const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
        throw new CockpitFailure('Invalid', `the filter /${term.pattern}/ is not a pattern RE2 accepts: ${reason}`, 'filter');
      }
    });
  }

  /** Calls `onMatch(seq)` in order for every held line in `[from, to)` that passes the filter. */
  scan(ring: LineRing, from: number, to: number, onMatch: (seq: number) => void): void {
    const single = this.terms.length === 1 && !this.terms[0]!.term.invert ? this.terms[0]! : undefined;
    const need = this.filter.combine === 'all' ? this.terms.length : 1;
    for (const run of ring.runs(from, to)) {
      const count = run.lastSeq - run.firstSeq + 1;
      const lines: RunLines = {
        firstSeq: run.firstSeq,
        count,
        starts: ring.lineOffsets(run.firstSeq, run.lastSeq),
        runStart: run.start,
        buffer: Buffer.from(run.data.buffer, run.data.byteOffset, run.data.byteLength),
        text: undefined,
      };
      if (single) {
        // The common case (one term, a runbook preset): matches go out as they are found.
        this.eachMatchingLine(single, ring, lines, (i) => onMatch(run.firstSeq + i));
        continue;
      }
      const hits = new Uint8Array(count);
      for (const compiled of this.terms) {
        const flags = new Uint8Array(count);
        this.eachMatchingLine(compiled, ring, lines, (i) => (flags[i] = 1));
        const inverted = compiled.term.invert;
        for (let i = 0; i < count; i++) if ((flags[i] === 1) !== inverted) hits[i]!++;
      }
      for (let i = 0; i < count; i++) if (hits[i]! >= need) onMatch(run.firstSeq + i);
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
  private eachMatchingLine(compiled: CompiledTerm, ring: LineRing, lines: RunLines, onLine: (i: number) => void): void {
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
      const lineEnd = starts[line]! - runStart + ring.lengthAt(lines.firstSeq + line);
      const matchEnd = at + (match[0] as unknown as Buffer).length;
      if (matchEnd <= lineEnd || this.lineMatches(compiled, ring, lines.firstSeq + line)) onLine(line);
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
  private lineMatches(compiled: CompiledTerm, ring: LineRing, seq: number): boolean {
    const bytes = ring.bytesOf(seq);
    const re = compiled.marks;
    re.lastIndex = 0;
    return re.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
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
