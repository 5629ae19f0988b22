/**
 * An append-only list of line seqs (the filter's matches) that forgets from the front when the
 * ring drops its oldest lines. Positions are ordinals: the n-th match ever, so a window request
 * keeps meaning the same lines while new ones arrive.
 */
export class SeqList {
  private data = new Float64Array(1024);
  private head = 0;
  private tail = 0;
  /** Ordinal of `data[head]`. */
  private base = 0;

  get firstOrdinal(): number {
    return this.base;
  }

  get nextOrdinal(): number {
    return this.base + (this.tail - this.head);
  }

  get size(): number {
    return this.tail - this.head;
  }

  push(seq: number): void {
    if (this.tail === this.data.length) {
      const held = this.tail - this.head;
      const next = held * 2 > this.data.length ? new Float64Array(this.data.length * 2) : this.data;
      if (next === this.data) this.data.copyWithin(0, this.head, this.tail);
      else next.set(this.data.subarray(this.head, this.tail));
      this.data = next;
      this.head = 0;
      this.tail = held;
    }
    this.data[this.tail++] = seq;
  }

  /** The seq at `ordinal`, or undefined when it is not held. */
  at(ordinal: number): number | undefined {
    const i = this.head + (ordinal - this.base);
    return i >= this.head && i < this.tail ? this.data[i] : undefined;
  }

  /** Forgets every seq below `seq`. */
  dropBelow(seq: number): void {
    while (this.head < this.tail && this.data[this.head]! < seq) {
      this.head++;
      this.base++;
    }
  }

  /** The ordinal of the first seq >= `seq` (`nextOrdinal` when none). */
  ordinalAtOrAfter(seq: number): number {
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.data[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return this.base + (lo - this.head);
  }

  clear(): void {
    this.base = this.nextOrdinal;
    this.head = this.tail = 0;
  }
}
