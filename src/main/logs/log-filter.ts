/**
 * The view's filter, run in main with RE2 (the `re2` native module: linear time in the input, no
 * backtracking), so a pathological pattern such as `(a+)+$` cannot freeze the main process; what
 * RE2 does not support (backreferences, lookaround) is refused with the reason. A pass runs over
 * the ring's byte runs (many lines per call, byte offsets mapped back to lines), not line by line.
 */
import RE2 from 're2';
import type { LogFilter, LogFilterTerm } from '../../shared/contract/logs';
import type { LineRing } from '../../shared/logs/line-ring';
import { CockpitFailure } from '../../shared/result';

export const FILTER_ENGINE = 're2 (linear time)';

interface CompiledTerm {
  term: LogFilterTerm;
  /** Global, multiline: over a run of lines. */
  run: RE2;
  /** For highlighting one line's text (UTF-16 offsets). */
  marks: RE2;
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
        return { term, run: new RE2(source, `gm${flags}`), marks: new RE2(source, `g${flags}`) };
      } catch (error) {
        const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
        throw new CockpitFailure('Invalid', `the filter /${term.pattern}/ is not a pattern RE2 accepts: ${reason}`, 'filter');
      }
    });
  }

  /** Calls `onMatch(seq)` in order for every held line in `[from, to)` that passes the filter. */
  scan(ring: LineRing, from: number, to: number, onMatch: (seq: number) => void): void {
    for (const run of ring.runs(from, to)) {
      const count = run.lastSeq - run.firstSeq + 1;
      const hits = new Uint8Array(count);
      const buffer = Buffer.from(run.data.buffer, run.data.byteOffset, run.data.byteLength);
      for (const compiled of this.terms) {
        const flags = this.linesMatching(compiled, ring, run.firstSeq, run.lastSeq, run.start, buffer);
        for (let i = 0; i < count; i++) if ((flags[i] === 1) !== compiled.term.invert) hits[i]!++;
      }
      const need = this.filter.combine === 'all' ? this.terms.length : 1;
      for (let i = 0; i < count; i++) if (hits[i]! >= need) onMatch(run.firstSeq + i);
    }
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

  /** 1 per line of the run that the term's pattern matches. */
  private linesMatching(compiled: CompiledTerm, ring: LineRing, firstSeq: number, lastSeq: number, runStart: number, buffer: Buffer): Uint8Array {
    const flags = new Uint8Array(lastSeq - firstSeq + 1);
    const re = compiled.run;
    re.lastIndex = 0;
    let seq = firstSeq;
    for (;;) {
      const match = re.exec(buffer);
      if (!match) break;
      const at = match.index;
      // The line holding the match start: lines are in order, so move forward from the last one.
      while (seq < lastSeq && ring.offsetInBlock(seq + 1) - runStart <= at) seq++;
      const lineEnd = ring.offsetInBlock(seq) - runStart + ring.lengthAt(seq);
      const matchEnd = at + (match[0] as unknown as Buffer).length;
      if (matchEnd <= lineEnd || this.lineMatches(compiled, ring, seq)) flags[seq - firstSeq] = 1;
      // One match per line is enough: go on from the next line.
      re.lastIndex = lineEnd + 1;
      if (seq >= lastSeq) break;
    }
    return flags;
  }

  /** A match that ran across a newline (`\s`, `[^x]`): the line is tested on its own. */
  private lineMatches(compiled: CompiledTerm, ring: LineRing, seq: number): boolean {
    const bytes = ring.bytesOf(seq);
    const re = compiled.marks;
    re.lastIndex = 0;
    return re.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  }
}

/** The filter said as a query, for captures and titles: `/ERROR|CRITICAL/i and not "health"`. */
export function describeFilter(filter: LogFilter | undefined): string {
  if (!filter) return 'all lines';
  const parts = filter.terms.map((t) => `${t.invert ? 'not ' : ''}${t.regex ? `/${t.pattern}/` : JSON.stringify(t.pattern)}${t.caseSensitive ? '' : 'i'}`);
  return parts.join(filter.combine === 'all' ? ' and ' : ' or ');
}
