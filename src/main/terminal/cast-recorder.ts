import { encodeCast, type CastEvent, type CastHeader } from '../../shared/terminal/asciicast';
import { isPasswordPrompt } from '../../shared/terminal/prompts';

/** Past this much recorded text the recording stops taking output (and says so in the cast). */
export const MAX_RECORDING_CHARS = 32 * 1024 * 1024;
/** Output held this long without a newline is written as its own event (a prompt). */
const COALESCE_MS = 200;

export interface CastRecorderOptions {
  cols: number;
  rows: number;
  input: boolean;
  title: string;
  shell: string;
  now?: () => number;
}

/**
 * Records one tab as asciicast v2 while it runs. Output is kept in line-sized events so that a
 * secret printed in several pty reads is still one string for the redactor; input is kept only
 * when asked, and never what is typed at a password prompt (up to the Enter that ends it).
 */
export class CastRecorder {
  private readonly startedAt: number;
  private readonly now: () => number;
  private readonly events: CastEvent[] = [];
  private pending = '';
  private pendingAt = 0;
  private lastOutputAt = 0;
  private tail = '';
  private atPasswordPrompt = false;
  private chars = 0;
  private full = false;
  readonly header: CastHeader;

  constructor(private readonly options: CastRecorderOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.header = {
      version: 2,
      width: options.cols,
      height: options.rows,
      timestamp: Math.floor(this.startedAt / 1000),
      title: options.title,
      env: { SHELL: options.shell, TERM: 'xterm-256color' },
    };
  }

  get since(): Date {
    return new Date(this.startedAt);
  }

  get recordsInput(): boolean {
    return this.options.input;
  }

  output(data: string): void {
    const at = this.now();
    this.tail = (this.tail + data).slice(-512);
    if (this.full) return;
    if (this.pending && at - this.lastOutputAt > COALESCE_MS) this.flushOutput();
    if (!this.pending) this.pendingAt = at;
    this.pending += data;
    this.lastOutputAt = at;
    const cut = this.pending.lastIndexOf('\n') + 1;
    // A private key block is held until its END line, so the redactor sees it whole.
    const openKey = this.pending.lastIndexOf('-----BEGIN') > this.pending.lastIndexOf('-----END');
    if ((cut > 0 && !openKey) || this.pending.length > 256 * 1024) this.flushOutput(openKey || cut === 0 ? this.pending.length : cut);
  }

  input(data: string): void {
    // What the program printed last decides: a password prompt hides everything up to Enter.
    if (!this.atPasswordPrompt && isPasswordPrompt(this.tail)) this.atPasswordPrompt = true;
    if (this.atPasswordPrompt) {
      if (/[\r\n]/.test(data)) {
        this.atPasswordPrompt = false;
        this.tail = '';
      }
      return;
    }
    if (!this.options.input || this.full) return;
    this.flushOutput();
    this.push([this.seconds(this.now()), 'i', data]);
  }

  resize(cols: number, rows: number): void {
    if (this.full) return;
    this.flushOutput();
    this.push([this.seconds(this.now()), 'r', `${cols}x${rows}`]);
  }

  /** The events so far (output still held is included). */
  finish(): { header: CastHeader; events: CastEvent[] } {
    this.flushOutput();
    return { header: this.header, events: this.events };
  }

  /** The cast file of what was recorded, with `redact` applied to every output and input text. */
  async encode(redact: (texts: string[]) => Promise<string[]>): Promise<{ text: string; events: number }> {
    const { header, events } = this.finish();
    const texts = await redact(events.map((e) => (e[1] === 'r' ? '' : e[2])));
    const redacted = events.map((e, i): CastEvent => (e[1] === 'r' ? e : [e[0], e[1], texts[i] ?? '']));
    return { text: encodeCast({ header, events: redacted }), events: redacted.length };
  }

  private flushOutput(upTo = this.pending.length): void {
    if (!this.pending) return;
    const head = this.pending.slice(0, upTo);
    this.pending = this.pending.slice(upTo);
    this.push([this.seconds(this.pendingAt), 'o', head]);
    this.pendingAt = this.lastOutputAt;
  }

  private push(event: CastEvent): void {
    this.chars += event[2].length;
    if (this.chars > MAX_RECORDING_CHARS) {
      this.full = true;
      this.pending = '';
      this.events.push([event[0], 'o', `\r\n[recording stopped: it reached ${MAX_RECORDING_CHARS / (1024 * 1024)} MiB]\r\n`]);
      return;
    }
    this.events.push(event);
  }

  private seconds(at: number): number {
    return Math.max(0, (at - this.startedAt) / 1000);
  }
}
