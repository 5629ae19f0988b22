/**
 * One exec in a simulated container, independent of the wire protocol: runs the command (or a
 * simulated shell), takes stdin and resizes, writes stdout/stderr, and answers the exit code.
 * With a TTY the client's terminal is raw, so we echo input and end lines with CRLF.
 */
import { EventEmitter } from 'node:events';
import type { TerminalSize } from './channel-protocol';
import { commandName, runSimpleCommand, type CommandContext, type CommandOutput, type PsqlInteractive } from './simulated-commands';
import { postgresVersion } from '../world/versions';

export interface ExecIO {
  tty: boolean;
  /** Whether the client attached stdin. */
  stdin: boolean;
  write(stream: 'stdout' | 'stderr', text: string): void;
}

/** Buffers stdin and hands it out as raw text or, with editing and echo, as lines. */
export class StdinBuffer extends EventEmitter {
  private chunks: string[] = [];
  ended = false;

  push(data: Buffer | string): void {
    this.chunks.push(typeof data === 'string' ? data : data.toString('utf8'));
    this.emit('data');
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('data');
  }

  /** Takes what has arrived so far. */
  take(): string {
    const text = this.chunks.join('');
    this.chunks = [];
    return text;
  }

  /** Everything until stdin ends. */
  async readAll(): Promise<string> {
    let text = '';
    for (;;) {
      text += this.take();
      if (this.ended) return text + this.take();
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

interface ShellSegment {
  words: string[];
  /** How this segment joins the previous one. */
  join: ';' | '&&' | '||';
}

/** Splits a shell line into commands with quotes, `$VAR`, `$?`, `;`, `&&`, `||` and comments. */
export function parseShellLine(line: string, env: Record<string, string>, lastStatus: number): ShellSegment[] {
  const segments: ShellSegment[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let join: ShellSegment['join'] = ';';
  const expand = (i: number): [string, number] => {
    if (line[i + 1] === '?') return [String(lastStatus), i + 1];
    if (line[i + 1] === '{') {
      const end = line.indexOf('}', i + 2);
      if (end > 0) return [env[line.slice(i + 2, end)] ?? '', end];
    }
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(line.slice(i + 1));
    if (match) return [env[match[0]] ?? '', i + match[0].length];
    return ['$', i];
  };
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endSegment = (next: ShellSegment['join']) => {
    endWord();
    if (words.length > 0) segments.push({ words, join });
    words = [];
    join = next;
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      word += line.slice(i + 1, end === -1 ? line.length : end);
      inWord = true;
      i = end === -1 ? line.length : end;
    } else if (ch === '"') {
      inWord = true;
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\' || line[i + 1] === '$')) word += line[++i];
        else if (line[i] === '$') {
          const [value, end] = expand(i);
          word += value;
          i = end;
        } else word += line[i];
      }
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (ch === '$') {
      const [value, end] = expand(i);
      word += value;
      inWord = true;
      i = end;
    } else if (ch === '#' && !inWord) {
      break;
    } else if (ch === ';' || ch === '\n') {
      endSegment(';');
    } else if (ch === '&' && line[i + 1] === '&') {
      endSegment('&&');
      i++;
    } else if (ch === '|' && line[i + 1] === '|') {
      endSegment('||');
      i++;
    } else if (ch === ' ' || ch === '\t') {
      endWord();
    } else {
      word += ch;
      inWord = true;
    }
  }
  endSegment(';');
  return segments;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);

/** Runs an exec: a simulated shell or a single command. */
export class ExecSession {
  readonly stdinBuffer = new StdinBuffer();
  private size: TerminalSize | undefined;
  private readonly env: Record<string, string>;
  private lastStatus = 0;

  constructor(
    private readonly argv: string[],
    private readonly ctx: CommandContext,
    private readonly io: ExecIO,
  ) {
    this.env = { ...ctx.container.env, HOSTNAME: ctx.pod.name, HOME: '/root', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
  }

  get terminalSize(): TerminalSize | undefined {
    return this.size;
  }

  resize(size: TerminalSize): void {
    this.size = size;
  }

  private output(): CommandOutput {
    const translate = (text: string) => (this.io.tty ? text.replace(/\r?\n/g, '\r\n') : text);
    return {
      stdout: (text) => this.io.write('stdout', translate(text)),
      stderr: (text) => this.io.write(this.io.tty ? 'stdout' : 'stderr', translate(text)),
    };
  }

  /** Runs to completion and answers the exit code. */
  async run(): Promise<number> {
    const argv = this.argv;
    if (argv.length === 0) {
      this.io.write('stderr', 'you must specify at least one command for the container\n');
      return 1;
    }
    const name = commandName(argv[0]!);
    if (SHELLS.has(name)) return this.runShell(name, argv.slice(1));
    const status = await runSimpleCommand(argv, this.ctx, this.output(), this.io.stdin ? () => this.stdinBuffer.readAll() : undefined, this.psqlPrompt());
    if (status === undefined) {
      this.output().stderr(
        `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown\n`,
      );
      return 127;
    }
    return status;
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

  private async runShell(shell: string, args: string[]): Promise<number> {
    const out = this.output();
    if (args[0] === '-c') {
      const script = args[1] ?? '';
      let status = 0;
      for (const line of script.split('\n')) {
        const result = await this.runShellLine(shell, line);
        status = result.status;
        if (result.exit !== undefined) return result.exit;
      }
      return status;
    }
    if (!this.io.stdin) return 0;
    const reader = new LineReader(this.stdinBuffer, this.io.tty, (text) => this.io.write('stdout', text));
    const prompt = () => {
      if (this.io.tty) this.io.write('stdout', `root@${this.ctx.pod.name}:/# `);
    };
    if (this.io.tty) {
      out.stdout(
        `This is a simulated shell in the drill cluster (pod ${this.ctx.pod.name}, container ${this.ctx.container.name}).\n` +
          'It runs pg_isready, psql, pg_dump, redis-cli, python -c, printenv, env, echo, hostname, date and exit, as the image provides them.\n',
      );
    }
    for (;;) {
      prompt();
      const line = await reader.next();
      if (line === null) {
        if (this.io.tty) out.stdout('exit\n');
        return this.lastStatus;
      }
      const result = await this.runShellLine(shell, line);
      if (result.exit !== undefined) return result.exit;
    }
  }

  /** Runs one line; `exit` answers the exit code to leave the shell with. */
  private async runShellLine(shell: string, line: string): Promise<{ status: number; exit?: number }> {
    const out = this.output();
    let status = this.lastStatus;
    for (const segment of parseShellLine(line, this.env, this.lastStatus)) {
      if (segment.join === '&&' && status !== 0) continue;
      if (segment.join === '||' && status === 0) continue;
      const [first, ...rest] = segment.words;
      if (first === undefined) continue;
      if (first === 'exit') {
        const code = rest[0] !== undefined ? Number(rest[0]) & 255 : status;
        return { status: code, exit: Number.isFinite(code) ? code : 2 };
      }
      if (first === 'export' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(first)) {
        for (const assignment of first === 'export' ? rest : segment.words) {
          const eq = assignment.indexOf('=');
          if (eq > 0) this.env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
        }
        status = 0;
      } else if (first === 'cd' || first === ':') {
        status = 0;
      } else if (SHELLS.has(commandName(first)) && rest[0] === '-c') {
        const nested = new ExecSession(segment.words, this.ctx, { ...this.io, stdin: false });
        status = await nested.run();
      } else {
        const ctx = { ...this.ctx, container: { ...this.ctx.container, env: this.exportedEnv() } };
        const result = await runSimpleCommand(segment.words, ctx, out, undefined, undefined);
        if (result === undefined) {
          out.stderr(shell === 'bash' ? `bash: ${first}: command not found\n` : `${shell}: 1: ${first}: not found\n`);
          status = 127;
        } else {
          status = result;
        }
      }
      this.lastStatus = status;
    }
    this.lastStatus = status;
    return { status };
  }

  private exportedEnv(): Record<string, string> {
    const { HOSTNAME: _h, HOME: _home, PATH: _p, ...rest } = this.env;
    return rest;
  }
}
