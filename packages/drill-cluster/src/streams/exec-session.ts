/**
 * One exec in a simulated container, independent of the wire protocol: runs the command, or the
 * drill shell (src/shell) for `sh` / `bash`, takes stdin (bytes, so `tar xmf -` gets what
 * `kubectl cp` sends) and resizes, writes stdout/stderr, and answers the exit code. With a TTY the
 * client's terminal is raw, so we echo input, end lines with CRLF and take Ctrl-C as an interrupt.
 */
import { EventEmitter } from 'node:events';
import type { TerminalSize } from './channel-protocol';
import { commandName, runSimpleCommand, type CommandContext, type CommandOutput, type PsqlInteractive } from './simulated-commands';
import { postgresVersion } from '../world/versions';
import { EMPTY_SOURCE, type ByteSink, type ByteSource } from '../shell/byte-streams';
import { containerShellHost, processEnvironment } from '../shell/container-tools';
import { ShellInterpreter, type ShellHost } from '../shell/shell-interpreter';
import { parseShell, ShellSyntaxError } from '../shell/shell-syntax';

export interface ExecIO {
  tty: boolean;
  /** Whether the client attached stdin. */
  stdin: boolean;
  write(stream: 'stdout' | 'stderr', data: string | Uint8Array): void;
}

/** Buffers stdin and hands it out as bytes, as raw text or, with editing and echo, as lines. */
export class StdinBuffer extends EventEmitter {
  private chunks: Buffer[] = [];
  ended = false;
  /** While a command runs on a TTY, Ctrl-C interrupts it instead of being read. */
  interruptible = false;

  push(data: Buffer | string): void {
    const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (this.interruptible && buffer.includes(0x03)) {
      this.emit('interrupt');
      return;
    }
    this.chunks.push(buffer);
    this.emit('data');
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('data');
  }

  /** Takes what has arrived so far, as text. */
  take(): string {
    return this.takeBytes().toString('utf8');
  }

  /** Takes what has arrived so far. */
  takeBytes(): Buffer {
    const bytes = Buffer.concat(this.chunks);
    this.chunks = [];
    return bytes;
  }

  /** Everything until stdin ends. */
  async readAll(): Promise<string> {
    const chunks: Buffer[] = [];
    for (let chunk = await this.read(); chunk !== null; chunk = await this.read()) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** The next bytes, null at the end: stdin as a command's ByteSource. */
  async read(): Promise<Buffer | null> {
    for (;;) {
      if (this.chunks.length > 0) return this.takeBytes();
      if (this.ended) return null;
      await new Promise((resolve) => this.once('data', resolve));
    }
  }

  /** Waits for more input; false once stdin has ended and nothing is left. */
  async waitForData(): Promise<boolean> {
    if (this.chunks.length > 0) return true;
    if (this.ended) return false;
    await new Promise((resolve) => this.once('data', resolve));
    return this.chunks.length > 0 || !this.ended;
  }
}

/** Reads lines from stdin; with a TTY it echoes, handles backspace, Ctrl-C and Ctrl-D. */
export class LineReader {
  private pending = '';
  private current = '';
  private lines: Array<string | null> = [];
  private escape = false;
  /** Input not yet looked at: editing stops at each line end, so echo follows the prompts. */
  private unread = '';

  constructor(
    private readonly stdin: StdinBuffer,
    private readonly tty: boolean,
    private readonly echo: (text: string) => void,
  ) {}

  private consume(): void {
    let index = 0;
    const text = this.unread;
    for (const ch of text) {
      index += ch.length;
      if (!this.tty) {
        if (ch === '\n') {
          this.lines.push(this.pending);
          this.pending = '';
        } else if (ch !== '\r') {
          this.pending += ch;
        }
        continue;
      }
      if (this.escape) {
        if (/[A-Za-z~]/.test(ch)) this.escape = false;
        continue;
      }
      switch (ch) {
        case '\x1b':
          this.escape = true;
          break;
        case '\r':
        case '\n':
          this.echo('\r\n');
          this.lines.push(this.current);
          this.current = '';
          if (text[index] === '\n' && ch === '\r') index++;
          this.unread = text.slice(index);
          return;
        case '\x7f':
        case '\b':
          if (this.current.length > 0) {
            this.current = this.current.slice(0, -1);
            this.echo('\b \b');
          }
          break;
        case '\x03':
          this.echo('^C\r\n');
          this.current = '';
          this.lines.push('');
          this.unread = text.slice(index);
          return;
        case '\x04':
          if (this.current === '') {
            this.lines.push(null);
            this.unread = text.slice(index);
            return;
          }
          break;
        default:
          if (ch >= ' ' || ch === '\t') {
            this.current += ch;
            this.echo(ch);
          }
      }
    }
    this.unread = '';
  }

  /** The next line; null at end of input (EOF or Ctrl-D on an empty line). */
  async next(): Promise<string | null> {
    for (;;) {
      if (this.lines.length > 0) return this.lines.shift()!;
      if (this.unread) {
        this.consume();
        continue;
      }
      const more = await this.stdin.waitForData();
      this.unread += this.stdin.take();
      this.consume();
      if (this.lines.length > 0) continue;
      if (!more || this.stdin.ended) {
        if (!this.tty && this.pending) {
          const last = this.pending;
          this.pending = '';
          return last;
        }
        if (this.stdin.ended) return null;
      }
    }
  }
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);
/** Image commands whose interactive forms (the psql prompt) stay with their own implementation. */
const INTERACTIVE_COMMANDS = new Set(['psql']);

/** Runs an exec: the drill shell or a single command of the container. */
export class ExecSession {
  readonly stdinBuffer = new StdinBuffer();
  private size: TerminalSize | undefined;
  private readonly aborter = new AbortController();
  private hostCache: ShellHost | undefined;

  constructor(
    private readonly argv: string[],
    private readonly ctx: CommandContext,
    private readonly io: ExecIO,
  ) {}

  get terminalSize(): TerminalSize | undefined {
    return this.size;
  }

  resize(size: TerminalSize): void {
    this.size = size;
  }

  /** The client went away: running commands (tail -f, sleep, curl) stop. */
  abort(): void {
    this.aborter.abort();
    this.stdinBuffer.end();
  }

  private get host(): ShellHost {
    this.hostCache ??= containerShellHost(this.ctx);
    return this.hostCache;
  }

  private sink(stream: 'stdout' | 'stderr'): ByteSink {
    const target = this.io.tty ? 'stdout' : stream;
    return {
      write: (data) => {
        if (this.io.tty) {
          const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
          this.io.write(target, text.replace(/\r?\n/g, '\r\n'));
        } else this.io.write(target, data);
      },
      get closed() {
        return false;
      },
      tty: this.io.tty,
    };
  }

  private output(): CommandOutput {
    const out = this.sink('stdout');
    const err = this.sink('stderr');
    return { stdout: (text) => out.write(text), stderr: (text) => err.write(text) };
  }

  private stdinSource(): ByteSource {
    return this.io.stdin ? this.stdinBuffer : EMPTY_SOURCE;
  }

  /** Runs to completion and answers the exit code. */
  async run(): Promise<number> {
    const argv = this.argv;
    if (argv.length === 0) {
      this.io.write('stderr', 'you must specify at least one command for the container\n');
      return 1;
    }
    const name = commandName(argv[0]!);
    const tool = this.host.findTool(name);
    if (SHELLS.has(name) && tool) return this.runShell(name, argv.slice(1));
    if (INTERACTIVE_COMMANDS.has(name) && tool) {
      const status = await runSimpleCommand(argv, this.ctx, this.output(), this.io.stdin ? () => this.stdinBuffer.readAll() : undefined, this.psqlPrompt());
      if (status !== undefined) return status;
    }
    if (!tool) {
      this.output().stderr(
        `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown\n`,
      );
      return 127;
    }
    const shell = new ShellInterpreter(this.host, processEnvironment(this.ctx), 'sh');
    return this.withInterrupt(() =>
      tool({
        name,
        args: argv.slice(1),
        env: shell.environment(),
        cwd: shell.cwd,
        signal: this.aborter.signal,
        host: this.host,
        stdin: this.stdinSource(),
        stdout: this.sink('stdout'),
        stderr: this.sink('stderr'),
        runShell: (script, io, positional) => {
          const child = shell.fork();
          if (positional) child.positional = positional;
          return child.run(script, io, this.aborter.signal);
        },
      }),
    );
  }

  /** On a TTY, Ctrl-C while `body` runs interrupts it (exit 130), as the terminal's SIGINT would. */
  private async withInterrupt<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (!this.io.tty || !this.io.stdin) return body(this.aborter.signal);
    const controller = new AbortController();
    const stop = () => controller.abort();
    const interrupt = () => {
      this.io.write('stdout', '^C\r\n');
      controller.abort();
    };
    this.aborter.signal.addEventListener('abort', stop, { once: true });
    this.stdinBuffer.interruptible = true;
    this.stdinBuffer.on('interrupt', interrupt);
    try {
      return await body(controller.signal);
    } finally {
      this.stdinBuffer.interruptible = false;
      this.stdinBuffer.off('interrupt', interrupt);
      this.aborter.signal.removeEventListener('abort', stop);
    }
  }

  private psqlPrompt(): PsqlInteractive | undefined {
    if (!this.io.stdin) return undefined;
    return async (run, database) => {
      const out = this.output();
      const reader = new LineReader(this.stdinBuffer, this.io.tty, (text) => this.io.write('stdout', text));
      out.stdout(`psql (${postgresVersion()}, simulated by the drill cluster)\nType "help" for help.\n\n`);
      let buffer = '';
      for (;;) {
        this.io.write('stdout', `${database}${buffer ? '-#' : '=#'} `);
        const line = await reader.next();
        if (line === null) {
          out.stdout('\n');
          return 0;
        }
        const trimmed = line.trim();
        if (!buffer && (trimmed === '\\q' || trimmed === 'quit' || trimmed === 'exit')) return 0;
        if (!buffer && trimmed === '\\dt') {
          await run("SELECT table_schema AS \"Schema\", table_name AS \"Name\", 'table' AS \"Type\", 'codesign' AS \"Owner\" FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 2");
          continue;
        }
        if (!buffer && trimmed === 'help') {
          out.stdout('You are using psql in the drill cluster. Type SQL ending with ";" to run it, \\dt to list tables, \\q to quit.\n');
          continue;
        }
        buffer += (buffer ? '\n' : '') + line;
        if (trimmed.endsWith(';')) {
          await run(buffer);
          buffer = '';
        }
      }
    };
  }

  /** `sh -c script`, `sh script-file`, or a shell reading lines from stdin (a prompt on a TTY). */
  private async runShell(shellName: string, args: string[]): Promise<number> {
    const shell = new ShellInterpreter(this.host, processEnvironment(this.ctx), shellName);
    const io = { stdin: this.stdinSource(), stdout: this.sink('stdout'), stderr: this.sink('stderr') };
    const flags = args.filter((a, i) => a.startsWith('-') && args.slice(0, i).every((b) => b.startsWith('-')));
    const rest = args.slice(flags.length);
    if (flags.some((f) => f.includes('c'))) {
      shell.positional = rest.slice(2);
      return this.withInterrupt((signal) => shell.run(rest[0] ?? '', io, signal));
    }
    if (rest[0] !== undefined) {
      shell.positional = rest.slice(1);
      return shell.run(`. ${rest[0]}`, io, this.aborter.signal);
    }
    if (!this.io.stdin) return 0;
    const reader = new LineReader(this.stdinBuffer, this.io.tty, (text) => this.io.write('stdout', text));
    const prompt = (continuation: boolean) => {
      if (this.io.tty) this.io.write('stdout', continuation ? '> ' : `root@${this.ctx.pod.name}:${shell.cwd}# `);
    };
    if (this.io.tty) {
      this.output().stdout(
        `This is a simulated shell in the drill cluster (pod ${this.ctx.pod.name}, container ${this.ctx.container.name}).\n` +
          'Pipes, && || ;, $(...), $VAR, redirection and the usual tools (ls cat grep head tail wc ps df env tar curl ...) work over the container\'s files; `ls /usr/bin` lists them.\n',
      );
    }
    let pending = '';
    for (;;) {
      prompt(pending !== '');
      const line = await reader.next();
      if (line === null) {
        if (this.io.tty) this.output().stdout('exit\n');
        return shell.lastStatus;
      }
      const text = pending ? `${pending}\n${line}` : line;
      try {
        parseShell(text);
      } catch (error) {
        if (error instanceof ShellSyntaxError && error.incomplete) {
          pending = text;
          continue;
        }
      }
      pending = '';
      const commandIo = { ...io, stdin: EMPTY_SOURCE };
      await this.withInterrupt((signal) => shell.run(text, commandIo, signal));
      if (shell.exitCode !== undefined) return shell.exitCode;
    }
  }
}
