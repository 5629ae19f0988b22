/**
 * A bounded ring of log lines held as bytes with a line index, not one JS string per line: a
 * million lines cost their bytes plus 22 bytes of index each. Lines are numbered by a sequence
 * that only grows (`seq`); at the cap the oldest go and `dropped` says how many. Pure: no Node,
 * no DOM, so the same code is unit-tested here and used by main's log views.
 */

export interface LineRingOptions {
  /** Lines kept at most (default 1,000,000). */
  maxLines?: number;
  /** Bytes of line text kept at most (default 512 MiB); whichever cap is reached first drops the oldest. */
  maxBytes?: number;
  /** Size of one storage block (default 1 MiB); a longer line gets a block of its own. */
  blockBytes?: number;
  /**
   * Blocks and line starts in SharedArrayBuffers, so a worker thread can read runs and map
   * offsets to lines without a copy (main's filter pass scans half of a full ring on one).
   */
  shared?: boolean;
}

/** One line read back out of the ring. */
export interface RingLine {
  seq: number;
  /** Which source (pod/container) wrote it: an index into the view's source table. */
  source: number;
  /** Milliseconds since the epoch from the line's RFC3339 stamp (fractions kept); NaN when it had none. */
  time: number;
  bytes: Uint8Array;
}

export const DEFAULT_MAX_LINES = 1_000_000;
const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
const DEFAULT_BLOCK_BYTES = 1024 * 1024;
const MAX_SPARES = 4;

interface Block {
  id: number;
  data: Uint8Array;
  used: number;
}

export class LineRing {
  readonly maxLines: number;
  readonly maxBytes: number;
  private readonly blockBytes: number;
  private readonly shared: boolean;
  private readonly blockOf: Int32Array;
  private readonly offsetOf: Int32Array;
  private readonly lengthOf: Int32Array;
  private readonly sourceOf: Uint16Array;
  private readonly timeOf: Float64Array;
  /** Blocks in id order; `blocks[0]` holds the oldest line kept. */
  private blocks: Block[] = [];
  private nextBlockId = 0;
  private first = 0;
  private next = 0;
  private bytesHeld = 0;
  /**
   * Freed blocks kept for the next ones: a few, since the cap can free two blocks between two
   * allocations, and a new block is fresh memory to fault in.
   */
  private readonly spares: Uint8Array[] = [];
  /** Where `appendRun` squeezes lines before they go into a shared block (not shared itself). */
  private scratch: Uint8Array | undefined;

  constructor(options: LineRingOptions = {}) {
    this.maxLines = Math.max(1, Math.floor(options.maxLines ?? DEFAULT_MAX_LINES));
    this.maxBytes = Math.max(1024, options.maxBytes ?? DEFAULT_MAX_BYTES);
    this.blockBytes = Math.max(64, options.blockBytes ?? DEFAULT_BLOCK_BYTES);
    this.shared = options.shared === true;
    this.blockOf = new Int32Array(this.maxLines);
    this.offsetOf = this.shared ? new Int32Array(new SharedArrayBuffer(this.maxLines * 4)) : new Int32Array(this.maxLines);
    this.lengthOf = new Int32Array(this.maxLines);
    this.sourceOf = new Uint16Array(this.maxLines);
    this.timeOf = new Float64Array(this.maxLines);
  }

  /** The oldest line still held (equal to `nextSeq` when empty). */
  get firstSeq(): number {
    return this.first;
  }

  /** The seq the next line will get: every line ever appended. */
  get nextSeq(): number {
    return this.next;
  }

  /** Lines held now. */
  get size(): number {
    return this.next - this.first;
  }

  /** Lines pushed out at the cap: the UI says how many. */
  get dropped(): number {
    return this.first;
  }

  /** Bytes of line text held. */
  get bytes(): number {
    return this.bytesHeld;
  }

  /** Appends one line (`bytes[start, end)`, without its newline); answers its seq. */
  append(bytes: Uint8Array, start: number, end: number, source: number, time: number): number {
    const length = end - start;
    this.makeRoom(length);
    const block = this.blockFor(length + 1);
    // A plain view, not `subarray` (a Buffer's makes a Buffer): the copy is the only work.
    block.data.set(new Uint8Array(bytes.buffer, bytes.byteOffset + start, length), block.used);
    // Each line is followed by a newline in its block, so a regex over a run never joins two lines.
    block.data[block.used + length] = 10;
    this.index(block, block.used, length, source, time);
    block.used += length + 1;
    return this.next - 1;
  }

  /** Drops the oldest lines until one of `length` bytes fits under both caps. */
  private makeRoom(length: number): void {
    while (this.size >= this.maxLines || (this.size > 0 && this.bytesHeld + length > this.maxBytes)) this.dropOldest();
  }

  /** Indexes the next line, already at `block.data[offset, offset + length)` with its newline after it. */
  private index(block: Block, offset: number, length: number, source: number, time: number): void {
    const slot = this.next % this.maxLines;
    this.blockOf[slot] = block.id;
    this.offsetOf[slot] = offset;
    this.lengthOf[slot] = length;
    this.sourceOf[slot] = source;
    this.timeOf[slot] = time;
    this.bytesHeld += length;
    this.next++;
  }

  /**
   * Appends `count` lines that lie in order in one buffer, `bytes[starts[i], ends[i])` with
   * `ends[i] < starts[i + 1]`, each with its time, exactly as `append` would one by one (the same
   * seqs, drops and bytes). What lies between them (their stamps and newlines) is copied with
   * them in one go and squeezed out inside the block: one copy per run instead of one per line,
   * and no object per line.
   */
  appendRun(bytes: Uint8Array, starts: Int32Array, ends: Int32Array, times: Float64Array, count: number, source: number): void {
    let i = 0;
    while (i < count) {
      const block = this.blocks[this.blocks.length - 1];
      const from = starts[i]!;
      // The lines from `i` whose span in `bytes` (a newline after the last) fits in the block.
      const room = block ? block.data.length - block.used - 1 : -1;
      let to = i;
      while (to < count && ends[to]! - from <= room) to++;
      if (to === i) {
        // Not even the next line with what precedes it: that one the usual way (a new block when it does not fit).
        this.append(bytes, from, ends[i]!, source, times[i]!);
        i++;
        continue;
      }
      const span = ends[to - 1]! - from;
      // The lines are squeezed together where copyWithin is fast: in the block itself, or, for
      // shared memory, in a scratch buffer that then goes into the block in one copy. V8 copies
      // into shared memory a word at a time only when source and target are aligned alike
      // (else a byte at a time, 5-10x slower, and copyWithin inside it is slow either way), so
      // the lines sit in the scratch at the block's offset modulo 8.
      const shared = this.shared;
      if (shared && (!this.scratch || this.scratch.length < block!.data.length + 8)) this.scratch = new Uint8Array(block!.data.length + 8);
      const data = shared ? this.scratch! : block!.data;
      const base = shared ? block!.used % 8 : block!.used;
      data.set(new Uint8Array(bytes.buffer, bytes.byteOffset + from, span), base);
      let at = base;
      const offset = block!.used - base;
      for (let k = i; k < to; k++) {
        const length = ends[k]! - starts[k]!;
        this.makeRoom(length);
        // Never past a line not moved yet: each line starts after the one before ends.
        const src = base + starts[k]! - from;
        if (src !== at) data.copyWithin(at, src, src + length);
        data[at + length] = 10;
        this.index(block!, at + offset, length, source, times[k]!);
        at += length + 1;
      }
      if (shared) block!.data.set(data.subarray(base, at), block!.used);
      block!.used = at + offset;
      i = to;
    }
  }

  has(seq: number): boolean {
    return seq >= this.first && seq < this.next;
  }

  /** The line's bytes (a view into the ring: copy it to keep it past the next append). */
  bytesOf(seq: number): Uint8Array {
    const slot = this.slot(seq);
    const block = this.block(this.blockOf[slot]!);
    const offset = this.offsetOf[slot]!;
    return block.data.subarray(offset, offset + this.lengthOf[slot]!);
  }

  sourceAt(seq: number): number {
    return this.sourceOf[this.slot(seq)]!;
  }

  timeAt(seq: number): number {
    return this.timeOf[this.slot(seq)]!;
  }

  line(seq: number): RingLine {
    return { seq, source: this.sourceAt(seq), time: this.timeAt(seq), bytes: this.bytesOf(seq) };
  }

  /** Lines `[from, from + count)`, clipped to what is held. */
  window(from: number, count: number): RingLine[] {
    const start = Math.max(from, this.first);
    const end = Math.min(this.next, from + Math.max(0, count));
    const out: RingLine[] = [];
    for (let seq = start; seq < end; seq++) out.push(this.line(seq));
    return out;
  }

  /**
   * The held lines as runs of contiguous bytes (one per block, each line followed by `\n`), each
   * with the seq of its first line: a regex runs over a run in one call and maps match offsets
   * back to lines (`offsetInBlock(seq) - start`).
   */
  *runs(from = this.first, to = this.next): Generator<{ firstSeq: number; lastSeq: number; data: Uint8Array; start: number }> {
    let seq = Math.max(from, this.first);
    const end = Math.min(to, this.next);
    while (seq < end) {
      const blockId = this.blockOf[this.slot(seq)]!;
      const firstSeq = seq;
      seq = this.lastInBlock(seq, end, blockId);
      const block = this.block(blockId);
      const start = this.offsetOf[this.slot(firstSeq)]!;
      const stop = this.offsetOf[this.slot(seq)]! + this.lengthOf[this.slot(seq)]! + 1;
      yield { firstSeq, lastSeq: seq, data: block.data.subarray(start, stop), start };
      seq++;
    }
  }

  /**
   * The last seq before `end` in block `blockId`, from `seq` (in it): blocks fill in seq order,
   * so a galloping search finds it in a few steps instead of a step per line.
   */
  private lastInBlock(seq: number, end: number, blockId: number): number {
    const inBlock = (s: number) => s < end && this.blockOf[s % this.maxLines] === blockId;
    let step = 1;
    while (inBlock(seq + step)) {
      seq += step;
      step *= 2;
    }
    while (step > 1) {
      step >>>= 1;
      if (inBlock(seq + step)) seq += step;
    }
    return seq;
  }

  /**
   * Where the lines `[firstSeq, lastSeq]` of one run start in their block (a view into the
   * index when their slots do not wrap, else a copy): a filter maps match offsets to lines
   * with a search over it instead of a call per line.
   */
  lineOffsets(firstSeq: number, lastSeq: number): Int32Array {
    const first = this.slot(firstSeq);
    const last = this.slot(lastSeq);
    if (first <= last) return this.offsetOf.subarray(first, last + 1);
    const out = new Int32Array(lastSeq - firstSeq + 1);
    out.set(this.offsetOf.subarray(first));
    out.set(this.offsetOf.subarray(0, last + 1), this.maxLines - first);
    return out;
  }

  /** Byte offset of `seq` inside its run (`runs()` gave the run's `start`). */
  offsetInBlock(seq: number): number {
    return this.offsetOf[this.slot(seq)]!;
  }

  lengthAt(seq: number): number {
    return this.lengthOf[this.slot(seq)]!;
  }

  /** The first seq whose time is at or after `time` (lines are mostly in time order; a binary search over them). */
  seqAtTime(time: number): number {
    let lo = this.first;
    let hi = this.next;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const t = this.timeAt(mid);
      if (t < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  clear(): void {
    this.blocks = [];
    this.first = this.next;
    this.bytesHeld = 0;
  }

  private slot(seq: number): number {
    if (seq < this.first || seq >= this.next) throw new RangeError(`line ${seq} is not held (held: ${this.first}..${this.next - 1})`);
    return seq % this.maxLines;
  }

  private block(id: number): Block {
    const block = this.blocks[id - this.blocks[0]!.id];
    if (!block || block.id !== id) throw new RangeError(`block ${id} is gone`);
    return block;
  }

  private blockFor(length: number): Block {
    const last = this.blocks[this.blocks.length - 1];
    if (last && last.data.length - last.used >= length) return last;
    // A block the cap freed is used again when it is the usual size (a full ring turns over a block every few thousand lines).
    const spare = length <= this.blockBytes ? this.spares.pop() : undefined;
    const block: Block = { id: this.nextBlockId++, data: spare ?? this.allocate(Math.max(this.blockBytes, length)), used: 0 };
    this.blocks.push(block);
    return block;
  }

  private allocate(bytes: number): Uint8Array {
    return this.shared ? new Uint8Array(new SharedArrayBuffer(bytes)) : new Uint8Array(bytes);
  }

  private dropOldest(): void {
    const slot = this.first % this.maxLines;
    this.bytesHeld -= this.lengthOf[slot]!;
    this.first++;
    // Blocks are filled in order, so every block before the oldest line's block is free.
    if (this.first === this.next) {
      // Empty: only the newest block is kept, and appends carry on filling it.
      this.blocks = this.blocks.slice(-1);
      return;
    }
    const oldestBlock = this.blockOf[this.first % this.maxLines]!;
    while (this.blocks.length > 1 && this.blocks[0]!.id < oldestBlock) {
      const freed = this.blocks.shift()!;
      if (freed.data.length === this.blockBytes && this.spares.length < MAX_SPARES) this.spares.push(freed.data);
    }
  }
}
