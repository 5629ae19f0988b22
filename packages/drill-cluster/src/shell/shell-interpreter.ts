/**
 * Runs parsed shell scripts in a simulated container: expansion (variables, `$(...)`, field
 * splitting, globs over the container's files), pipelines that stream, `&&` / `||` / `;`,
 * redirections to /dev/null and to files, the built-ins that must change the shell itself
 * (cd, export, exit, ...), and exit codes as dash and bash give them.
 */
import { posix } from 'node:path';
import { CollectingSink, EMPTY_SOURCE, FixedSource, NULL_SINK, Pipe, type ByteSink, type ByteSource } from './byte-streams';
import { parseShell, ShellSyntaxError, type AndOrList, type Command, type Pipeline, type Redirect, type Script, type SimpleCommand, type Word } from './shell-syntax';
import { FsError, VirtualFileSystem } from './virtual-fs';

export interface ShellIO {
  stdin: ByteSource;
  stdout: ByteSink;
  stderr: ByteSink;
}

/** One run of a tool (`grep`, `tar`, `psql`): its arguments, streams and the container around it. */
export interface ToolInvocation extends ShellIO {
  /** The name it was called by (`grep`, `/bin/grep`'s base name). */
  name: string;
  args: string[];
  /** The exported environment the tool sees. */
  env: Record<string, string>;
  cwd: string;
  signal: AbortSignal;
  host: ShellHost;
  /** Runs a nested shell script (for `sh -c` and for tools like `xargs`). */
  runShell(script: string, io: ShellIO, args?: string[]): Promise<number>;
}

export type Tool = (invocation: ToolInvocation) => Promise<number>;

/** What the shell needs of the container it runs in. */
export interface ShellHost {
  readonly fs: VirtualFileSystem;
  /** The container's executable called `name`, or undefined when the image has none. */
  findTool(name: string): Tool | undefined;
}

/** Unwinds the interpreter on `exit`. */
class ExitRequest extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Unwinds to the enclosing loop on `break` / `continue`. */
class LoopControl extends Error {
  constructor(
    readonly kind: 'break' | 'continue',
    readonly levels: number,
  ) {
    super(kind);
  }
}

const SHELL_NAMES = new Set(['sh', 'bash', 'ash', 'dash']);
const BUILTINS = new Set(['cd', 'pwd', 'export', 'unset', 'exit', 'set', ':', 'true', 'false', 'exec', 'command', 'type', '.', 'source', 'eval', 'readonly', 'local', 'shift', 'break', 'continue']);

/** Whether the shell itself answers `name` (for `command -v` / `which` / `type`). */
export function isShellBuiltin(name: string): boolean {
  return BUILTINS.has(name);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Field {
  text: string;
  pattern: string;
  glob: boolean;
}

export class ShellInterpreter {
  readonly vars = new Map<string, string>();
  readonly exported = new Set<string>();
  cwd = '/';
  lastStatus = 0;
  positional: string[] = [];
  /** Set once `exit` ran at the top level. */
  exitCode: number | undefined;
  private lineNumber = 1;

  constructor(
    private readonly host: ShellHost,
    env: Record<string, string>,
    readonly shellName = 'sh',
  ) {
    for (const [name, value] of Object.entries(env)) {
      this.vars.set(name, value);
      this.exported.add(name);
    }
    this.cwd = env.PWD && host.fs.isDirectory(env.PWD) ? env.PWD : '/';
  }

  /** Parses and runs `text`; a syntax error prints as the shell prints it and answers 2. */
  async run(text: string, io: ShellIO, signal: AbortSignal = new AbortController().signal): Promise<number> {
    let script: Script;
    try {
      script = parseShell(text);
    } catch (error) {
      if (!(error instanceof ShellSyntaxError)) throw error;
      io.stderr.write(this.shellName === 'bash' ? `bash: syntax error: ${error.message}\n` : `${this.shellName}: ${this.lineNumber}: Syntax error: ${error.message}\n`);
      this.lastStatus = 2;
      return 2;
    }
    try {
      return await this.runScript(script, io, signal);
    } catch (error) {
      if (error instanceof ExitRequest) {
        this.exitCode = error.code;
        this.lastStatus = error.code;
        return error.code;
      }
      if (error instanceof LoopControl) return this.lastStatus;
      throw error;
    } finally {
      this.lineNumber++;
    }
  }

  /** One pass of a loop body; `break` / `continue` unwind to here (and further with a count). */
  private async loopStep(body: Script, io: ShellIO, signal: AbortSignal): Promise<{ status: number; stop: boolean }> {
    try {
      return { status: await this.runScript(body, io, signal), stop: false };
    } catch (error) {
      if (!(error instanceof LoopControl)) throw error;
      if (error.levels > 1) throw new LoopControl(error.kind, error.levels - 1);
      return { status: 0, stop: error.kind === 'break' };
    }
  }

  /** A copy for a subshell, a pipeline member or `$(...)`: changes do not reach this shell. */
  fork(): ShellInterpreter {
    const child = new ShellInterpreter(this.host, {}, this.shellName);
    for (const [k, v] of this.vars) child.vars.set(k, v);
    for (const k of this.exported) child.exported.add(k);
    child.cwd = this.cwd;
    child.lastStatus = this.lastStatus;
    child.positional = [...this.positional];
    child.lineNumber = this.lineNumber;
    return child;
  }

  /** The environment exported to tools. */
  environment(overrides: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = {};
    for (const name of this.exported) {
      const value = this.vars.get(name);
      if (value !== undefined) env[name] = value;
    }
    env.PWD = this.cwd;
    return { ...env, ...overrides };
  }

  private async runScript(script: Script, io: ShellIO, signal: AbortSignal): Promise<number> {
    for (const list of script.lists) {
      if (signal.aborted) return this.setStatus(130);
      await this.runAndOr(list, io, signal);
    }
    return this.lastStatus;
  }

  private async runAndOr(list: AndOrList, io: ShellIO, signal: AbortSignal): Promise<number> {
    let status = await this.runPipeline(list.first, io, signal);
    for (const { op, pipeline } of list.rest) {
      if ((op === '&&' && status !== 0) || (op === '||' && status === 0)) continue;
      status = await this.runPipeline(pipeline, io, signal);
    }
    return status;
  }

  private setStatus(status: number): number {
    this.lastStatus = status;
    return status;
  }

  private async runPipeline(pipeline: Pipeline, io: ShellIO, signal: AbortSignal): Promise<number> {
    let status: number;
    if (pipeline.commands.length === 1) {
      status = await this.runCommand(pipeline.commands[0]!, io, signal);
    } else {
      const pipes = pipeline.commands.slice(1).map(() => new Pipe());
      const last = pipeline.commands.length - 1;
      const statuses = await Promise.all(
        pipeline.commands.map(async (command, i) => {
          const stdin = i === 0 ? io.stdin : pipes[i - 1]!;
          const stdout = i === last ? io.stdout : pipes[i]!;
          try {
            return await this.fork().runCommand(command, { stdin, stdout, stderr: io.stderr }, signal);
          } catch (error) {
            if (error instanceof ExitRequest) return error.code;
            throw error;
          } finally {
            if (i < last) pipes[i]!.endWrite();
            if (i > 0) pipes[i - 1]!.endRead();
          }
        }),
      );
      status = statuses[last]!;
    }
    if (pipeline.negated) status = status === 0 ? 1 : 0;
    return this.setStatus(status);
  }

  private async runCommand(command: Command, io: ShellIO, signal: AbortSignal): Promise<number> {
    if (command.type === 'simple') return this.runSimple(command, io, signal);
    return this.withRedirects(command.redirects, io, signal, async (redirected) => {
      if (command.type === 'group') return this.runScript(command.body, redirected, signal);
      if (command.type === 'if') {
        for (const clause of command.clauses) {
          if ((await this.runScript(clause.condition, redirected, signal)) === 0) return this.runScript(clause.body, redirected, signal);
        }
        return command.elseBody ? this.runScript(command.elseBody, redirected, signal) : this.setStatus(0);
      }
      if (command.type === 'for') {
        const values: string[] = [];
        if (command.words) for (const word of command.words) values.push(...(await this.expandWord(word, redirected, signal)));
        else values.push(...this.positional);
        let status = 0;
        for (const value of values) {
          if (signal.aborted) return this.setStatus(130);
          this.vars.set(command.name, value);
          const step = await this.loopStep(command.body, redirected, signal);
          status = step.status;
          if (step.stop) break;
        }
        return this.setStatus(status);
      }
      if (command.type === 'while' || command.type === 'until') {
        let status = 0;
        for (;;) {
          if (signal.aborted) return this.setStatus(130);
          const condition = await this.runScript(command.condition, redirected, signal);
          if ((condition === 0) !== (command.type === 'while')) break;
          const step = await this.loopStep(command.body, redirected, signal);
          status = step.status;
          if (step.stop) break;
          // Let I/O and timers run between iterations: a loop without sleep must not starve the drill.
          await new Promise((resolve) => setImmediate(resolve));
        }
        return this.setStatus(status);
      }
      const child = this.fork();
      try {
        return await child.runScript(command.body, redirected, signal);
      } catch (error) {
        if (error instanceof ExitRequest) return error.code;
        throw error;
      }
    });
  }

  private async runSimple(command: SimpleCommand, io: ShellIO, signal: AbortSignal): Promise<number> {
    this.substitutionStatus = undefined;
    const argv: string[] = [];
    for (const word of command.words) argv.push(...(await this.expandWord(word, io, signal)));
    const assignments: Record<string, string> = {};
    for (const { name, value } of command.assignments) assignments[name] = await this.expandSingle(value, io, signal);
    if (argv.length === 0) {
      for (const [name, value] of Object.entries(assignments)) this.vars.set(name, value);
      const status = this.substitutionStatus ?? 0;
      return this.withRedirects(command.redirects, io, signal, async () => status);
    }
    return this.withRedirects(command.redirects, io, signal, (redirected) => this.invoke(argv, assignments, redirected, signal));
  }

  /** Status of the last `$(...)` in the command being expanded (what `$?` is after `x=$(false)`). */
  private substitutionStatus: number | undefined;

  private async invoke(argv: string[], assignments: Record<string, string>, io: ShellIO, signal: AbortSignal): Promise<number> {
    const [name, ...args] = argv as [string, ...string[]];
    switch (name) {
      case ':':
      case 'true':
        return 0;
      case 'false':
        return 1;
      case 'exit': {
        const code = args[0] === undefined ? this.lastStatus : Number(args[0]);
        if (!Number.isInteger(code)) {
          io.stderr.write(`${this.shellName}: ${this.lineNumber}: exit: Illegal number: ${args[0]}\n`);
          throw new ExitRequest(2);
        }
        throw new ExitRequest(code & 255);
      }
      case 'cd': {
        const target = VirtualFileSystem.resolve(this.cwd, args[0] === '-' ? (this.vars.get('OLDPWD') ?? this.cwd) : (args[0] ?? this.vars.get('HOME') ?? '/'));
        if (!this.host.fs.isDirectory(target)) {
          io.stderr.write(this.shellName === 'bash' ? `bash: cd: ${args[0]}: No such file or directory\n` : `${this.shellName}: ${this.lineNumber}: cd: can't cd to ${args[0]}\n`);
          return 2;
        }
        this.vars.set('OLDPWD', this.cwd);
        this.cwd = target;
        this.vars.set('PWD', target);
        return 0;
      }
      case 'pwd':
        io.stdout.write(`${this.cwd}\n`);
        return 0;
      case 'export':
      case 'readonly':
      case 'local':
        if (args.length === 0 || args[0] === '-p') {
          for (const [k, v] of Object.entries(this.environment())) io.stdout.write(`export ${k}='${v.replace(/'/g, "'\\''")}'\n`);
          return 0;
        }
        for (const arg of args) {
          const eq = arg.indexOf('=');
          const key = eq > 0 ? arg.slice(0, eq) : arg;
          if (eq > 0) this.vars.set(key, arg.slice(eq + 1));
          if (name === 'export') this.exported.add(key);
        }
        return 0;
      case 'unset':
        for (const arg of args.filter((a) => !a.startsWith('-'))) {
          this.vars.delete(arg);
          this.exported.delete(arg);
        }
        return 0;
      case 'set':
        if (args.length === 0) {
          for (const [k, v] of [...this.vars].sort(([a], [b]) => (a < b ? -1 : 1))) io.stdout.write(`${k}='${v}'\n`);
        } else if (!args[0]!.startsWith('-') && !args[0]!.startsWith('+')) {
          this.positional = args;
        } else if (args[0] === '--') {
          this.positional = args.slice(1);
        }
        return 0;
      case 'break':
      case 'continue':
        throw new LoopControl(name, Math.max(1, Number(args[0] ?? 1) || 1));
      case 'shift':
        this.positional = this.positional.slice(Number(args[0] ?? 1));
        return 0;
      case 'eval':
        return this.run(args.join(' '), io, signal);
      case '.':
      case 'source': {
        const path = VirtualFileSystem.resolve(this.cwd, args[0] ?? '');
        try {
          return await this.run(this.host.fs.readFile(path).toString('utf8'), io, signal);
        } catch (error) {
          if (!(error instanceof FsError)) throw error;
          io.stderr.write(`${this.shellName}: ${this.lineNumber}: ${name}: cannot open ${args[0]}: No such file\n`);
          return 2;
        }
      }
      case 'exec':
      case 'command':
        if (name === 'command' && (args[0] === '-v' || args[0] === '-V')) return this.describeCommands(args.slice(1), io, args[0] === '-V');
        if (args.length === 0) return 0;
        return this.invoke(args, assignments, io, signal);
      case 'type':
        return this.describeCommands(args, io, true);
      default:
        break;
    }
    const base = name.slice(name.lastIndexOf('/') + 1);
    const env = this.environment(assignments);
    if (SHELL_NAMES.has(base) && this.host.findTool(base)) return this.nestedShell(base, args, env, io, signal);
    const tool = this.host.findTool(base);
    if (!tool || (name.includes('/') && !name.startsWith('/') && !name.startsWith('./'))) return this.notFound(name, io);
    return tool({
      name: base,
      args,
      env,
      cwd: this.cwd,
      signal,
      host: this.host,
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      runShell: (script, nestedIo, positional) => {
        const child = this.fork();
        if (positional) child.positional = positional;
        return child.run(script, nestedIo, signal);
      },
    });
  }

  private notFound(name: string, io: ShellIO): number {
    io.stderr.write(this.shellName === 'bash' ? `bash: ${name}: command not found\n` : `${this.shellName}: ${this.lineNumber}: ${name}: not found\n`);
    return 127;
  }

  private describeCommands(names: string[], io: ShellIO, verbose: boolean): number {
    let status = 0;
    for (const name of names) {
      if (BUILTINS.has(name)) io.stdout.write(verbose ? `${name} is a shell builtin\n` : `${name}\n`);
      else if (this.host.findTool(name)) io.stdout.write(verbose ? `${name} is /usr/bin/${name}\n` : `/usr/bin/${name}\n`);
      else {
        if (verbose) io.stdout.write(`${name}: not found\n`);
        status = 127;
      }
    }
    return status;
  }

  /** `sh -c 'script' [name args...]`, `sh script-file`, or `sh` reading its stdin. */
  private async nestedShell(shell: string, args: string[], env: Record<string, string>, io: ShellIO, signal: AbortSignal): Promise<number> {
    const child = this.fork();
    for (const [k, v] of Object.entries(env)) {
      child.vars.set(k, v);
      child.exported.add(k);
    }
    let script: string;
    const flags = args.filter((a, i) => a.startsWith('-') && args.slice(0, i).every((b) => b.startsWith('-')));
    const rest = args.slice(flags.length);
    if (flags.some((f) => f.includes('c'))) {
      script = rest[0] ?? '';
      child.positional = rest.slice(2);
    } else if (rest[0] !== undefined) {
      try {
        script = this.host.fs.readFile(VirtualFileSystem.resolve(this.cwd, rest[0])).toString('utf8');
      } catch {
        io.stderr.write(`${shell}: 0: cannot open ${rest[0]}: No such file\n`);
        return 2;
      }
      child.positional = rest.slice(1);
    } else {
      const chunks: Buffer[] = [];
      for (let chunk = await io.stdin.read(); chunk !== null; chunk = await io.stdin.read()) chunks.push(chunk);
      script = Buffer.concat(chunks).toString('utf8');
    }
    const nested = new ShellInterpreter(this.host, {}, shell);
    for (const [k, v] of child.vars) nested.vars.set(k, v);
    for (const k of child.exported) nested.exported.add(k);
    nested.cwd = child.cwd;
    nested.positional = child.positional;
    return nested.run(script, io, signal);
  }

  /** Applies redirections left to right, runs `body`, then writes what went to files. */
  private async withRedirects(redirects: Redirect[], io: ShellIO, signal: AbortSignal, body: (io: ShellIO) => Promise<number>): Promise<number> {
    if (redirects.length === 0) return body(io);
    const fds: [ByteSource, ByteSink, ByteSink] = [io.stdin, io.stdout, io.stderr];
    const files: Array<{ path: string; sink: CollectingSink; append: boolean }> = [];
    for (const redirect of redirects) {
      const target = await this.expandSingle(redirect.target, io, signal);
      if (redirect.op === '>&' || redirect.op === '<&') {
        if (target === '-') continue;
        const from = Number(target);
        if (!Number.isInteger(from) || from < 0 || from > 2) {
          io.stderr.write(`${this.shellName}: ${this.lineNumber}: Syntax error: Bad fd number\n`);
          return this.setStatus(2);
        }
        if (redirect.fd === 0) continue;
        if (redirect.fd === 1 || redirect.fd === 2) fds[redirect.fd] = fds[from as 1 | 2] ?? fds[1];
        continue;
      }
      const path = VirtualFileSystem.resolve(this.cwd, target);
      if (redirect.op === '<') {
        if (path === '/dev/null') fds[0] = EMPTY_SOURCE;
        else if (path === '/dev/stdin') continue;
        else {
          try {
            fds[0] = new FixedSource(this.host.fs.readFile(path));
          } catch (error) {
            if (!(error instanceof FsError)) throw error;
            io.stderr.write(`${this.shellName}: ${this.lineNumber}: cannot open ${target}: ${error.code === 'EISDIR' ? 'Is a directory' : 'No such file'}\n`);
            return this.setStatus(2);
          }
        }
        continue;
      }
      let sink: ByteSink;
      if (path === '/dev/null') sink = NULL_SINK;
      else if (path === '/dev/stdout') sink = io.stdout;
      else if (path === '/dev/stderr') sink = io.stderr;
      else {
        const append = redirect.op === '>>' || redirect.op === '&>>';
        try {
          this.host.fs.writeFile(path, Buffer.alloc(0), { append: true });
          if (!append) this.host.fs.writeFile(path, Buffer.alloc(0));
        } catch (error) {
          if (!(error instanceof FsError)) throw error;
          const reason = error.code === 'ENOENT' ? 'Directory nonexistent' : error.code === 'EISDIR' ? 'Is a directory' : error.message;
          io.stderr.write(this.shellName === 'bash' ? `bash: ${target}: ${error.message}\n` : `${this.shellName}: ${this.lineNumber}: cannot create ${target}: ${reason}\n`);
          return this.setStatus(2);
        }
        const collecting = new CollectingSink();
        files.push({ path, sink: collecting, append: true });
        sink = collecting;
      }
      if (redirect.op === '&>' || redirect.op === '&>>') {
        fds[1] = sink;
        fds[2] = sink;
      } else if (redirect.fd === 1 || redirect.fd === 2) {
        fds[redirect.fd] = sink;
      }
    }
    try {
      return await body({ stdin: fds[0], stdout: fds[1], stderr: fds[2] });
    } finally {
      for (const file of files) this.host.fs.writeFile(file.path, file.sink.bytes(), { append: file.append });
    }
  }

  /** A word as one string (assignment values, redirection targets): no splitting, no globs. */
  private async expandSingle(word: Word, io: ShellIO, signal: AbortSignal): Promise<string> {
    let text = '';
    for (const part of word.parts) {
      if (part.type === 'literal') text += part.text;
      else text += await this.expandPart(part, io, signal);
    }
    return text.startsWith('~') && (text.length === 1 || text[1] === '/') && word.parts[0]?.type === 'literal' && !word.parts[0].quoted ? (this.vars.get('HOME') ?? '/root') + text.slice(1) : text;
  }

  private async expandPart(part: Exclude<Word['parts'][number], { type: 'literal' }>, io: ShellIO, signal: AbortSignal): Promise<string> {
    if (part.type === 'command') {
      const child = this.fork();
      const out = new CollectingSink();
      let status: number;
      try {
        status = await child.runScript(part.script, { stdin: EMPTY_SOURCE, stdout: out, stderr: io.stderr }, signal);
      } catch (error) {
        if (!(error instanceof ExitRequest)) throw error;
        status = error.code;
      }
      this.substitutionStatus = status;
      this.lastStatus = status;
      return out.bytes().toString('utf8').replace(/\n+$/, '');
    }
    const value = this.parameter(part.name);
    switch (part.operator) {
      case undefined:
        return value ?? '';
      case 'length':
        return String((value ?? '').length);
      case ':-':
        return value ? value : this.expandSingle(part.argument!, io, signal);
      case '-':
        return value !== undefined ? value : this.expandSingle(part.argument!, io, signal);
      case ':=':
      case '=': {
        if (part.operator === ':=' ? value : value !== undefined) return value!;
        const assigned = await this.expandSingle(part.argument!, io, signal);
        this.vars.set(part.name, assigned);
        return assigned;
      }
      case ':+':
        return value ? this.expandSingle(part.argument!, io, signal) : '';
      case '+':
        return value !== undefined ? this.expandSingle(part.argument!, io, signal) : '';
    }
  }

  private parameter(name: string): string | undefined {
    if (name === '?') return String(this.lastStatus);
    if (name === '$') return '1';
    if (name === '!') return '';
    if (name === '-') return '';
    if (name === '#') return String(this.positional.length);
    if (name === '@' || name === '*') return this.positional.join(' ');
    if (name === '0') return this.shellName;
    if (/^[1-9]$/.test(name)) return this.positional[Number(name) - 1];
    return this.vars.get(name);
  }

  /** A word as argv fields: unquoted expansions split on blanks, unquoted `*` / `?` globbed. */
  private async expandWord(word: Word, io: ShellIO, signal: AbortSignal): Promise<string[]> {
    const fields: Field[] = [];
    let current: Field = { text: '', pattern: '', glob: false };
    let started = false;
    const push = () => {
      if (started) fields.push(current);
      current = { text: '', pattern: '', glob: false };
      started = false;
    };
    for (const [index, part] of word.parts.entries()) {
      if (part.type === 'literal') {
        let text = part.text;
        if (index === 0 && !part.quoted && text.startsWith('~') && (text.length === 1 || text[1] === '/')) text = (this.vars.get('HOME') ?? '/root') + text.slice(1);
        current.text += text;
        if (part.quoted) current.pattern += escapeRegex(text);
        else {
          for (const ch of text) {
            if (ch === '*') {
              current.pattern += '[^/]*';
              current.glob = true;
            } else if (ch === '?') {
              current.pattern += '[^/]';
              current.glob = true;
            } else current.pattern += escapeRegex(ch);
          }
        }
        started = true;
        continue;
      }
      const value = await this.expandPart(part, io, signal);
      if (part.quoted) {
        current.text += value;
        current.pattern += escapeRegex(value);
        started = true;
        continue;
      }
      const pieces = value.split(/[ \t\n]+/);
      pieces.forEach((piece, i) => {
        if (i > 0) push();
        if (piece) {
          current.text += piece;
          current.pattern += escapeRegex(piece);
          started = true;
        }
      });
    }
    push();
    const out: string[] = [];
    for (const field of fields) out.push(...(field.glob ? this.glob(field) : [field.text]));
    return out;
  }

  private glob(field: Field): string[] {
    const absolute = field.text.startsWith('/');
    const base = this.cwd === '/' ? '/' : `${this.cwd}/`;
    const regex = new RegExp(`^${absolute ? '' : escapeRegex(base)}${field.pattern}$`);
    const matches: string[] = [];
    for (const path of this.host.fs.paths()) {
      if (path === '/' || !regex.test(path)) continue;
      if (posix.basename(path).startsWith('.') && !posix.basename(field.text).startsWith('.')) continue;
      matches.push(absolute ? path : path.slice(base.length));
    }
    return matches.length > 0 ? matches.sort() : [field.text];
  }
}
