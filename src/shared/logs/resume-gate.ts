/**
 * Resuming a followed log after the connection drops, without repeating or losing lines where
 * the API allows it. The stream is reopened with `sinceTime` = the last stamp seen, so the
 * server sends that stamp's lines again (and, where it rounds `sinceTime` down to the second,
 * up to a second more). The gate drops every line stamped before the last stamp, and at the
 * last stamp drops exactly the lines already seen (counted by a 52-bit hash of their text), then
 * opens at the first newer stamp.
 *
 * What the API cannot give, said plainly:
 * - lines without a stamp (a runtime that does not stamp) cannot be matched: after a resume they
 *   may repeat;
 * - lines the kubelet rotated away while we were disconnected are gone from the server too;
 * - two identical lines with the same stamp are told apart only by count;
 * - a hash collision between two different lines at the same stamp would drop one (odds ~n²/2⁵³).
 */
import { compareStamps, type Stamp } from './stamps';

const EMPTY = new Uint8Array(0);

export class ResumeGate {
  private last: Stamp | undefined;
  /**
   * Lines seen at exactly `last`: hashed ones (`lineHash`, with how many times) and, not hashed
   * yet, where their bytes are. Hashing waits for a reopen, so the common case (every line its
   * own stamp) costs no hash at all.
   */
  private atLast = new Map<number, number>();
  private unhashed: Array<{ bytes: Uint8Array; start: number; end: number }> = [];
  private unhashedCount = 0;
  /** While reopening: what is still to be matched at `last`; undefined once a newer stamp came. */
  private pending: Map<number, number> | undefined;
  private skippedCount = 0;

  /** The last stamp seen: what `sinceTime` asks for on reconnect. */
  get lastStamp(): Stamp | undefined {
    return this.last;
  }

  /** Lines dropped as repeats since the gate was made. */
  get skipped(): number {
    return this.skippedCount;
  }

  /** The stream is being reopened from `lastStamp`: check what comes until a newer stamp arrives. */
  reopen(): void {
    this.settle();
    this.unhashed = [];
    this.pending = this.last ? new Map(this.atLast) : undefined;
  }

  /**
   * The bytes `admit` was given are about to be overwritten (a reused read buffer): the lines at
   * the last stamp are hashed now instead of kept by reference.
   */
  settle(): void {
    for (let i = 0; i < this.unhashedCount; i++) {
      const line = this.unhashed[i]!;
      const hash = lineHash(line.bytes, line.start, line.end);
      this.atLast.set(hash, (this.atLast.get(hash) ?? 0) + 1);
      line.bytes = EMPTY;
    }
    this.unhashedCount = 0;
  }

  /**
   * Answers whether the line `bytes[start, end)` (its text after the stamp) is new (keep it) or
   * a repeat of one already seen (drop it). The gate keeps a reference to the bytes of the lines
   * at the last stamp until a newer stamp comes: they must not be overwritten in the meantime.
   */
  admit(stamp: Stamp | undefined, bytes: Uint8Array, start: number, end: number): boolean {
    if (!stamp) return true;
    const order = this.last ? compareStamps(stamp, this.last) : 1;
    if (this.pending) {
      if (order < 0) {
        this.skippedCount++;
        return false;
      }
      if (order === 0) {
        const hash = lineHash(bytes, start, end);
        const seen = this.pending.get(hash) ?? 0;
        if (seen > 0) {
          this.pending.set(hash, seen - 1);
          this.skippedCount++;
          return false;
        }
        this.atLast.set(hash, (this.atLast.get(hash) ?? 0) + 1);
        return true;
      }
      this.pending = undefined;
    }
    if (order > 0) {
      // The caller may reuse `stamp` for the next line: keep a copy.
      if (this.last) {
        this.last.sec = stamp.sec;
        this.last.nano = stamp.nano;
      } else {
        this.last = { sec: stamp.sec, nano: stamp.nano };
      }
      if (this.atLast.size) this.atLast.clear();
      this.unhashedCount = 0;
    }
    // A line older than the newest stamp (out of order from the server) is kept but not remembered.
    if (order >= 0) {
      const slot = this.unhashed[this.unhashedCount];
      if (slot) {
        slot.bytes = bytes;
        slot.start = start;
        slot.end = end;
      } else {
        this.unhashed.push({ bytes, start, end });
      }
      this.unhashedCount++;
    }
    return true;
  }
}

/** Two 26-bit FNV-1a hashes of the bytes, as one number: what the gate compares lines by. */
export function lineHash(bytes: Uint8Array, start: number, end: number): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 6) * 67108864 + (b >>> 6);
}
