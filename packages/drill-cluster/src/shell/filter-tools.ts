/**
 * The small filters responders put at the end of a pipe: `awk '{print $2}'` (fields, -F, a
 * /regex/ or NR condition, NF and NR), `sed` (s/// with g and i, -n with p, line and /regex/
 * addresses, d), and `find` (-name, -type, -maxdepth) over the container's files.
 */
import { posix } from 'node:path';
import { forEachLine } from './byte-streams';
import type { Tool, ToolInvocation } from './shell-interpreter';
import { grepPatternSource } from './text-tools';
import { operandPath, readOperand, toolOptions } from './tool-options';

/** Runs `onLine` over the operands' lines (or stdin), streaming. */
async function eachInputLine(inv: ToolInvocation, operands: string[], onLine: (line: string) => boolean | void): Promise<number> {
  if (operands.length === 0) {
    await forEachLine(inv.stdin, onLine);
    return 0;
  }
  let status = 0;
  for (const operand of operands) {
    const data = await readOperand(inv, operand, (reason) => `${inv.name}: ${operand}: ${reason}\n`);
    if (!data) {
      status = 2;
      continue;
    }
    const text = data.toString('utf8');
    const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    for (const line of text === '' ? [] : lines) if (onLine(line) === false) return status;
  }
  return status;
}

interface AwkProgram {
  condition?: (fields: string[], line: string, nr: number) => boolean;
  /** Expressions printed, space separated; undefined prints the line. */
  print?: Array<(fields: string[], line: string, nr: number) => string>;
}

/** The awk programs of one-liners: `[cond] {print a, b}`, with $N, NF, NR, $NF and "strings". */
function parseAwk(source: string): AwkProgram | string {
  const match = /^\s*(.*?)\s*(?:\{\s*(?:print\s*(.*?))?\s*;?\s*\})?\s*$/s.exec(source);
  if (!match) return `syntax error in ${source}`;
  const [, conditionText = '', printText] = match;
  const program: AwkProgram = {};
  const value = (token: string): ((fields: string[], line: string, nr: number) => string) | undefined => {
    const t = token.trim();
    if (t === '$0') return (_f, line) => line;
    if (/^\$\d+$/.test(t)) return (f) => f[Number(t.slice(1)) - 1] ?? '';
    if (t === '$NF') return (f) => f[f.length - 1] ?? '';
    if (t === 'NF') return (f) => String(f.length);
    if (t === 'NR') return (_f, _l, nr) => String(nr);
    if (/^"[^"]*"$/.test(t)) return () => t.slice(1, -1).replace(/\\t/g, '\t').replace(/\\n/g, '\n');
    if (/^-?\d+(\.\d+)?$/.test(t)) return () => t;
    return undefined;
  };
  if (printText !== undefined && printText.trim() !== '') {
    const parts: Array<(fields: string[], line: string, nr: number) => string> = [];
    for (const group of printText.split(',')) {
      const pieces = group.trim().match(/"[^"]*"|\S+/g) ?? [];
      const fns = pieces.map(value);
      if (fns.some((f) => !f)) return `unsupported print expression: ${group.trim()}`;
      parts.push((f, l, n) => fns.map((fn) => fn!(f, l, n)).join(''));
    }
    program.print = parts;
  }
  const cond = conditionText.trim();
  if (cond) {
    const regex = /^(!?)\/(.*)\/$/.exec(cond);
    const compare = /^(\$\d+|\$NF|NR|NF)\s*(==|!=|>=|<=|>|<|~|!~)\s*(.+)$/.exec(cond);
    if (regex) {
      const re = new RegExp(grepPatternSource(regex[2]!, 'extended'));
      program.condition = (_f, line) => re.test(line) !== (regex[1] === '!');
    } else if (compare) {
      const left = value(compare[1]!)!;
      const op = compare[2]!;
      const rightText = compare[3]!.trim();
      if (op === '~' || op === '!~') {
        const re = new RegExp(grepPatternSource(rightText.replace(/^\/|\/$/g, ''), 'extended'));
        program.condition = (f, l, n) => re.test(left(f, l, n)) === (op === '~');
      } else {
        const right = value(rightText);
        if (!right) return `unsupported condition: ${cond}`;
        program.condition = (f, l, n) => {
          const a = left(f, l, n);
          const b = right(f, l, n);
          const numeric = a !== '' && b !== '' && !Number.isNaN(Number(a)) && !Number.isNaN(Number(b));
          const x: number | string = numeric ? Number(a) : a;
          const y: number | string = numeric ? Number(b) : b;
          switch (op) {
            case '==': return x === y;
            case '!=': return x !== y;
            case '>': return x > y;
            case '<': return x < y;
            case '>=': return x >= y;
            default: return x <= y;
          }
        };
      }
    } else return `unsupported condition: ${cond}`;
  }
  return program;
}

const awk: Tool = async (inv) => {
  const options = toolOptions(inv, { valued: 'Fv', stopAtOperand: true });
  if (!options) return 2;
  const [source, ...files] = options.operands;
  if (source === undefined) {
    inv.stderr.write('usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]\n');
    return 2;
  }
  const program = parseAwk(source);
  if (typeof program === 'string') {
    inv.stderr.write(`awk: ${program} (the drill's awk runs one-liners: [/re/ | $N op x] {print $N, ...})\n`);
    return 2;
  }
  const separator = options.flags.get('F');
  const split = (line: string): string[] =>
    typeof separator === 'string' && separator !== ' ' ? line.split(separator.length === 1 ? separator : new RegExp(separator)) : line.trim().split(/[ \t]+/).filter(Boolean);
  let nr = 0;
  return eachInputLine(inv, files, (line) => {
    nr++;
    const fields = split(line);
    if (program.condition && !program.condition(fields, line, nr)) return true;
    inv.stdout.write(`${program.print ? program.print.map((p) => p(fields, line, nr)).join(' ') : line}\n`);
    return !inv.stdout.closed;
  });
};

interface SedCommand {
  address?: { line?: number; last?: boolean; regex?: RegExp };
  kind: 's' | 'p' | 'd';
  regex?: RegExp;
  replacement?: string;
  print?: boolean;
}

function parseSed(script: string, extended: boolean): SedCommand[] | string {
  const commands: SedCommand[] = [];
  for (const raw of script.split(/;|\n/).map((c) => c.trim()).filter(Boolean)) {
    let text = raw;
    const command: Partial<SedCommand> = {};
    const lineAddress = /^(\d+|\$)/.exec(text);
    const regexAddress = /^\/((?:\\\/|[^/])*)\//.exec(text);
    if (lineAddress) {
      command.address = lineAddress[1] === '$' ? { last: true } : { line: Number(lineAddress[1]) };
      text = text.slice(lineAddress[0].length);
    } else if (regexAddress) {
      command.address = { regex: new RegExp(grepPatternSource(regexAddress[1]!, extended ? 'extended' : 'basic')) };
      text = text.slice(regexAddress[0].length);
    }
    if (text.startsWith('s') && text.length > 1) {
      const delimiter = text[1]!;
      const parts = text.slice(2).split(delimiter);
      if (parts.length < 3) return `-e expression #1, char ${raw.length}: unterminated \`s' command`;
      const [pattern, replacement, flags = ''] = parts as [string, string, string];
      command.kind = 's';
      command.regex = new RegExp(grepPatternSource(pattern, extended ? 'extended' : 'basic'), `${flags.includes('g') ? 'g' : ''}${flags.includes('i') || flags.includes('I') ? 'i' : ''}`);
      command.replacement = replacement.replace(/\\(\d)/g, '$$$1').replace(/&/g, '$$&');
      command.print = flags.includes('p');
    } else if (text === 'p' || text === 'd') {
      command.kind = text;
    } else return `-e expression #1, char ${raw.length}: unknown command: \`${text[0] ?? ''}'`;
    commands.push(command as SedCommand);
  }
  return commands;
}

const sed: Tool = async (inv) => {
  const options = toolOptions(inv, { valued: 'e', flags: 'nErui', long: { quiet: 'n', silent: 'n', 'regexp-extended': 'E', 'expression=': 'e' } });
  if (!options) return 1;
  const operands = [...options.operands];
  const script = options.all.get('e')?.join('\n') ?? operands.shift();
  if (script === undefined) {
    inv.stderr.write('Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n');
    return 1;
  }
  const commands = parseSed(script, options.flags.has('E') || options.flags.has('r'));
  if (typeof commands === 'string') {
    inv.stderr.write(`sed: ${commands}\n`);
    return 1;
  }
  if (options.flags.has('i')) {
    inv.stderr.write('sed: -i is not supported in the drill; redirect to a file instead\n');
    return 1;
  }
  const quiet = options.flags.has('n');
  let lineNo = 0;
  const all: string[] = [];
  const status = await eachInputLine(inv, operands, (line) => {
    all.push(line);
    return true;
  });
  for (const original of all) {
    lineNo++;
    let line = original;
    let deleted = false;
    let out = '';
    for (const command of commands) {
      const a = command.address;
      if (a && !((a.line !== undefined && a.line === lineNo) || (a.last && lineNo === all.length) || (a.regex && a.regex.test(line)))) continue;
      if (command.kind === 'd') {
        deleted = true;
        break;
      }
      if (command.kind === 'p') out += `${line}\n`;
      if (command.kind === 's') {
        command.regex!.lastIndex = 0;
        const replaced = line.replace(command.regex!, command.replacement!);
        if (replaced !== line && command.print) out += `${replaced}\n`;
        line = replaced;
      }
    }
    if (!deleted && !quiet) out += `${line}\n`;
    if (out) inv.stdout.write(out);
  }
  return status === 0 ? 0 : 2;
};

const find: Tool = async (inv) => {
  const args = [...inv.args];
  const roots: string[] = [];
  while (args[0] !== undefined && !args[0].startsWith('-')) roots.push(args.shift()!);
  if (roots.length === 0) roots.push('.');
  let name: RegExp | undefined;
  let type: string | undefined;
  let maxDepth = Infinity;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[++i];
    if ((arg === '-name' || arg === '-iname') && next !== undefined) {
      name = new RegExp(`^${next.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, arg === '-iname' ? 'i' : '');
    } else if (arg === '-type' && next !== undefined) type = next;
    else if (arg === '-maxdepth' && next !== undefined) maxDepth = Number(next);
    else {
      inv.stderr.write(`find: unknown predicate \`${arg}'\n`);
      return 1;
    }
  }
  const fs = inv.host.fs;
  let status = 0;
  const visit = (path: string, shown: string, depth: number) => {
    const node = fs.stat(path);
    if (!node) return;
    const matches = (!name || name.test(posix.basename(shown) || shown)) && (!type || (type === 'd' ? node.kind === 'dir' : type === 'f' ? node.kind === 'file' : false));
    if (matches) inv.stdout.write(`${shown}\n`);
    if (node.kind === 'dir' && depth < maxDepth) {
      for (const child of fs.readdir(path)) visit(posix.join(path, child), shown === '/' ? `/${child}` : `${shown}/${child}`, depth + 1);
    }
  };
  for (const root of roots) {
    const path = operandPath(inv, root);
    if (!fs.stat(path)) {
      inv.stderr.write(`find: '${root}': No such file or directory\n`);
      status = 1;
      continue;
    }
    visit(path, root, 0);
  }
  return status;
};

function makeListeningSockets(ports: () => Array<{ port: number; process: string }>): Tool {
  return async (inv) => {
    const listening = ports();
    if (inv.name === 'netstat') {
      inv.stdout.write('Active Internet connections (only servers)\nProto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name\n');
      for (const { port, process } of listening) inv.stdout.write(`tcp        0      0 ${`0.0.0.0:${port}`.padEnd(23)} 0.0.0.0:*               LISTEN      1/${process}\n`);
      return 0;
    }
    inv.stdout.write('State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n');
    for (const { port, process } of listening) inv.stdout.write(`LISTEN 0      4096         ${`0.0.0.0:${port}`.padEnd(12)}      0.0.0.0:*     users:(("${process}",pid=1,fd=5))\n`);
    return 0;
  };
}

/** Which ports each app listens on (what `ss -tlnp` shows in its pod). */
export function listeningPorts(app: string, running: boolean): Array<{ port: number; process: string }> {
  if (!running) return [];
  switch (app) {
    case 'codesign-api':
      return [{ port: 8000, process: 'gunicorn' }, { port: 9090, process: 'gunicorn' }];
    case 'postgres':
      return [{ port: 5432, process: 'postgres' }];
    case 'redis':
      return [{ port: 6379, process: 'redis-server' }];
    default:
      return [];
  }
}

export function filterTools(ports: () => Array<{ port: number; process: string }>): Record<string, Tool> {
  const sockets = makeListeningSockets(ports);
  return { awk, sed, find, ss: sockets, netstat: sockets };
}
