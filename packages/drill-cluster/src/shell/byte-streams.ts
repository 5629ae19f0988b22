/**
 * The standard streams of the drill shell's commands: a pipe between two commands of a pipeline
 * (so `tail -f log | grep ERROR` streams, and `... | head -n 1` stops the writer as SIGPIPE
 * would), a sink that collects (command substitution, redirection to a file), and sources over
 * fixed bytes or nothing.
 */

/** Where a command writes. `closed` turns true when nobody reads any more (the reader exited). */
export interface ByteSink {
  write(data: string | Uint8Array): void;
  readonly closed: boolean;
  /** A terminal (exec with -t): `ls` lays out columns there, one name a line elsewhere. */
  readonly tty?: boolean;
}

/** What a command reads: chunk by chunk (null at the end), or everything. */
export interface ByteSource {
  read(): Promise<Buffer | null>;
}

export function toBuffer(data: string | Uint8Array): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Reads a source to its end. */
export async function readAll(source: ByteSource): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let chunk = await source.read(); chunk !== null; chunk = await source.read()) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Calls `onLine` for each complete line of the source (the last one even without `\n`); stops when it returns false. */
export async function forEachLine(source: ByteSource, onLine: (line: string) => boolean | void): Promise<void> {
  let pending = '';
  for (let chunk = await source.read(); chunk !== null; chunk = await source.read()) {
    pending += chunk.toString('utf8');
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      if (onLine(pending.slice(0, newline)) === false) return;
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  }
  if (pending) onLine(pending);
}

/** A source over bytes known up front (a file read with `<`, a here-string). */
export class FixedSource implements ByteSource {
  private done = false;
  constructor(private readonly data: Buffer) {}
  async read(): Promise<Buffer | null> {
    if (this.done || this.data.length === 0) return null;
    this.done = true;
    return this.data;
  }
}

/** `/dev/null` as stdin, and what a command without stdin reads. */
export const EMPTY_SOURCE: ByteSource = { read: async () => null };

/** `/dev/null` as stdout. */
export const NULL_SINK: ByteSink = { write: () => undefined, closed: false };

/** Collects what is written (command substitution, `> file`). */
export class CollectingSink implements ByteSink {
  private readonly chunks: Buffer[] = [];
  readonly closed = false;
  write(data: string | Uint8Array): void {
    this.chunks.push(toBuffer(data));
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** The pipe between two commands of a pipeline. Unbounded, as the drill's outputs are small or paced. */
export class Pipe implements ByteSink, ByteSource {
  private readonly chunks: Buffer[] = [];
  private writerDone = false;
  private readerDone = false;
  private wake: (() => void) | undefined;

  get closed(): boolean {
    return this.readerDone;
  }

  write(data: string | Uint8Array): void {
    if (this.readerDone || this.writerDone) return;
    const buffer = toBuffer(data);
    if (buffer.length === 0) return;
    this.chunks.push(buffer);
    this.notify();
  }

  /** The writer exited: the reader sees the end once it has read what is buffered. */
  endWrite(): void {
    this.writerDone = true;
    this.notify();
  }

  /** The reader exited: later writes are dropped and `closed` tells the writer to stop. */
  endRead(): void {
    this.readerDone = true;
    this.chunks.length = 0;
    this.notify();
  }

  async read(): Promise<Buffer | null> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) return chunk;
      if (this.writerDone || this.readerDone) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
