/**
 * The text tools a responder pipes through in a container, GNU-flavoured as in the Debian-based
 * images: cat, head, tail (with -f following a growing log), grep (BRE and -E), wc, sort, uniq,
 * cut, tee, echo, printf. They stream where the real ones stream, so `tail -f | grep` works.
 */
import { forEachLine, readAll, type ByteSink } from './byte-streams';
import type { Tool, ToolInvocation } from './shell-interpreter';
import { operandPath, readOperand, toolOptions } from './tool-options';
import { FsError } from './virtual-fs';

function lines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function writeLines(out: ByteSink, list: string[]): void {
  if (list.length > 0) out.write(`${list.join('\n')}\n`);
}

const cat: Tool = async (inv) => {
  const options = toolOptions(inv, { flags: 'nAvetsu', long: { number: 'n' } });
  if (!options) return 1;
  const operands = options.operands.length > 0 ? options.operands : ['-'];
  let status = 0;
  let lineNo = 0;
  for (const operand of operands) {
    if (operand === '-' && !options.flags.has('n')) {
      for (let chunk = await inv.stdin.read(); chunk !== null && !inv.stdout.closed; chunk = await inv.stdin.read()) inv.stdout.write(chunk);
      continue;
    }
    if (operand !== '-' && inv.host.fs.isDirectory(operandPath(inv, operand))) {
      inv.stderr.write(`cat: ${operand}: Is a directory\n`);
      status = 1;
      continue;
    }
    const data = await readOperand(inv, operand);
    if (!data) {
      status = 1;
      continue;
    }
    if (options.flags.has('n')) {
      inv.stdout.write(lines(data.toString('utf8')).map((l) => `${String(++lineNo).padStart(6)}\t${l}\n`).join(''));
    } else inv.stdout.write(data);
  }
  return status;
};

/** `-n 5`, `-5`, `-n +5` (tail: from line 5), `-n -5` (head: all but the last 5). */
function countArgument(args: string[]): string[] {
  return args.map((a) => (/^-\d+$/.test(a) ? `-n${a.slice(1)}` : a));
}

const head: Tool = async (inv) => {
  const options = toolOptions({ ...inv, args: countArgument(inv.args) }, { valued: 'nc', flags: 'qv', long: { 'lines=': 'n', 'bytes=': 'c', quiet: 'q' } });
  if (!options) return 1;
  const raw = String(options.flags.get('n') ?? '10');
  const count = Number(raw);
  if (!Number.isInteger(count)) {
    inv.stderr.write(`head: invalid number of lines: '${raw}'\n`);
    return 1;
  }
  const operands = options.operands.length > 0 ? options.operands : ['-'];
  let status = 0;
  for (const [i, operand] of operands.entries()) {
    if (operands.length > 1) inv.stdout.write(`${i > 0 ? '\n' : ''}==> ${operand === '-' ? 'standard input' : operand} <==\n`);
    if (operand === '-' && count >= 0 && !options.flags.has('c')) {
      let seen = 0;
      if (count === 0) continue;
      await forEachLine(inv.stdin, (line) => {
        inv.stdout.write(`${line}\n`);
        return ++seen < count;
      });
      continue;
    }
    const data = await readOperand(inv, operand, (reason) => `head: cannot open '${operand}' for reading: ${reason}\n`);
    if (!data) {
      status = 1;
      continue;
    }
    if (options.flags.has('c')) {
      inv.stdout.write(data.subarray(0, Number(options.flags.get('c'))));
      continue;
    }
    const all = lines(data.toString('utf8'));
    writeLines(inv.stdout, count >= 0 ? all.slice(0, count) : all.slice(0, Math.max(0, all.length + count)));
  }
  return status;
};

/** Waits until the signal aborts or the reader of stdout goes away. */
function untilStopped(inv: ToolInvocation, controller: AbortController): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      clearInterval(timer);
      controller.abort();
      resolve();
    };
    const timer = setInterval(() => {
      if (inv.stdout.closed) stop();
    }, 200);
    if (inv.signal.aborted) stop();
    inv.signal.addEventListener('abort', stop, { once: true });
    controller.signal.addEventListener('abort', () => {
      clearInterval(timer);
      resolve();
    });
  });
}

const tail: Tool = async (inv) => {
  const options = toolOptions({ ...inv, args: countArgument(inv.args) }, {
    valued: 'nc',
    flags: 'fFqv',
    long: { 'lines=': 'n', 'bytes=': 'c', follow: 'f', quiet: 'q', retry: 'F' },
  });
  if (!options) return 1;
  const raw = String(options.flags.get('n') ?? '10');
  const fromStart = raw.startsWith('+');
  const count = Number(fromStart ? raw.slice(1) : raw.replace(/^-/, ''));
  if (!Number.isInteger(count) || count < 0) {
    inv.stderr.write(`tail: invalid number of lines: '${raw}'\n`);
    return 1;
  }
  const follow = options.flags.has('f') || options.flags.has('F');
  const operands = options.operands.length > 0 ? options.operands : ['-'];
  const pick = (text: string): string[] => {
    const all = lines(text);
    return fromStart ? all.slice(Math.max(0, count - 1)) : count === 0 ? [] : all.slice(-count);
  };
  let status = 0;
  const followers: Array<(emit: (text: string) => void, signal: AbortSignal) => Promise<void>> = [];
  for (const [i, operand] of operands.entries()) {
    if (operands.length > 1 && !options.flags.has('q')) inv.stdout.write(`${i > 0 ? '\n' : ''}==> ${operand === '-' ? 'standard input' : operand} <==\n`);
    const data = await readOperand(inv, operand, (reason) => `tail: cannot open '${operand}' for reading: ${reason}\n`);
    if (!data) {
      status = 1;
      continue;
    }
    if (options.flags.has('c')) inv.stdout.write(data.subarray(Math.max(0, data.length - Number(options.flags.get('c')))));
    else writeLines(inv.stdout, pick(data.toString('utf8')));
    if (follow && operand !== '-') {
      const node = inv.host.fs.stat(operandPath(inv, operand));
      if (node?.kind === 'file' && node.follow) followers.push(node.follow);
      else followers.push(async (_emit, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })));
    }
  }
  if (followers.length === 0 || (status !== 0 && followers.length < operands.length && operands.length === 1)) return status;
  const controller = new AbortController();
  const stopped = untilStopped(inv, controller);
  await Promise.all([stopped, ...followers.map((f) => f((text) => inv.stdout.write(text), controller.signal))]);
  return inv.signal.aborted ? 130 : status;
};

/** A grep pattern (BRE unless -E, -F literal) as a JavaScript RegExp source. */
export function grepPatternSource(pattern: string, mode: 'basic' | 'extended' | 'fixed'): string {
  if (mode === 'fixed') return pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const classes: Record<string, string> = {
    '[:digit:]': '0-9', '[:alpha:]': 'A-Za-z', '[:alnum:]': 'A-Za-z0-9', '[:upper:]': 'A-Z', '[:lower:]': 'a-z',
    '[:space:]': '\\s', '[:blank:]': ' \\t', '[:punct:]': '!-\\/:-@\\[-`{-~', '[:xdigit:]': '0-9A-Fa-f',
  };
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') {
        if (pattern[j] === '[' && pattern[j + 1] === ':') {
          const end = pattern.indexOf(':]', j);
          j = end === -1 ? j + 1 : end + 2;
        } else j++;
      }
      let body = pattern.slice(i + 1, j).replace(/\\/g, '\\\\');
      for (const [name, range] of Object.entries(classes)) body = body.split(name).join(range);
      out += `[${body}]`;
      i = j;
      continue;
    }
    if (mode === 'basic') {
      if (ch === '\\' && i + 1 < pattern.length) {
        const next = pattern[++i]!;
        out += '|(){}+?'.includes(next) ? next : `\\${next}`;
        continue;
      }
      out += '|(){}+?'.includes(ch) ? `\\${ch}` : ch;
      continue;
    }
    out += ch;
  }
  return out;
}

const grep: Tool = async (inv) => {
  const options = toolOptions(inv, {
    valued: 'emABCf',
    flags: 'EFGivcnoqlLhHswxrRPz',
    long: {
      'extended-regexp': 'E', 'fixed-strings': 'F', 'ignore-case': 'i', 'invert-match': 'v', count: 'c', 'line-number': 'n',
      'only-matching': 'o', quiet: 'q', silent: 'q', 'files-with-matches': 'l', 'no-filename': 'h', 'with-filename': 'H',
      'word-regexp': 'w', 'line-regexp': 'x', 'regexp=': 'e', 'max-count=': 'm', recursive: 'r', color: 'z', 'color=': 'Z', 'colour=': 'Z',
    },
  });
  if (!options) return 2;
  const f = options.flags;
  const patterns = options.all.get('e') ?? [];
  const operands = [...options.operands];
  if (patterns.length === 0) {
    const first = operands.shift();
    if (first === undefined) {
      inv.stderr.write("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
      return 2;
    }
    patterns.push(...first.split('\n'));
  }
  const mode = f.has('F') ? 'fixed' : f.has('E') || f.has('P') ? 'extended' : 'basic';
  let regex: RegExp;
  try {
    let source = patterns.map((p) => grepPatternSource(p, mode)).join('|');
    if (f.has('w')) source = `(?<![A-Za-z0-9_])(?:${source})(?![A-Za-z0-9_])`;
    if (f.has('x')) source = `^(?:${source})$`;
    regex = new RegExp(source, f.has('i') ? 'gi' : 'g');
  } catch {
    inv.stderr.write('grep: Unmatched ( or \\(\n');
    return 2;
  }
  const invert = f.has('v');
  const maxCount = f.has('m') ? Number(f.get('m')) : Infinity;
  const files = operands.length > 0 ? operands : ['-'];
  const showName = f.has('H') || (files.length > 1 && !f.has('h'));
  let matchedAny = false;
  let status = 0;
  for (const file of files) {
    let count = 0;
    let lineNo = 0;
    const prefix = showName ? `${file === '-' ? '(standard input)' : file}:` : '';
    const onLine = (line: string): boolean => {
      lineNo++;
      regex.lastIndex = 0;
      const hit = regex.test(line) !== invert;
      if (!hit) return true;
      count++;
      matchedAny = true;
      if (f.has('q')) return false;
      if (!f.has('c') && !f.has('l')) {
        const num = f.has('n') ? `${lineNo}:` : '';
        if (f.has('o') && !invert) {
          regex.lastIndex = 0;
          for (const m of line.matchAll(regex)) if (m[0]) inv.stdout.write(`${prefix}${num}${m[0]}\n`);
        } else inv.stdout.write(`${prefix}${num}${line}\n`);
      }
      return count < maxCount && !inv.stdout.closed;
    };
    if (file === '-') {
      await forEachLine(inv.stdin, onLine);
    } else {
      const path = operandPath(inv, file);
      if (inv.host.fs.isDirectory(path)) {
        if (!f.has('s')) inv.stderr.write(`grep: ${file}: Is a directory\n`);
        status = 2;
        continue;
      }
      let data: Buffer;
      try {
        data = inv.host.fs.readFile(path);
      } catch (error) {
        if (!(error instanceof FsError)) throw error;
        if (!f.has('s')) inv.stderr.write(`grep: ${file}: ${error.message}\n`);
        status = 2;
        continue;
      }
      for (const line of lines(data.toString('utf8'))) if (!onLine(line)) break;
    }
    if (f.has('q') && matchedAny) return 0;
    if (f.has('c')) inv.stdout.write(`${prefix}${count}\n`);
    if (f.has('l') && count > 0) inv.stdout.write(`${file === '-' ? '(standard input)' : file}\n`);
  }
  if (status === 2 && !(f.has('s') && matchedAny)) return 2;
  return matchedAny ? 0 : 1;
};

const wc: Tool = async (inv) => {
  const options = toolOptions(inv, { flags: 'lwcmL', long: { lines: 'l', words: 'w', bytes: 'c', chars: 'm' } });
  if (!options) return 1;
  let wanted = (['l', 'w', 'm', 'c'] as const).filter((k) => options.flags.has(k));
  if (wanted.length === 0) wanted = ['l', 'w', 'c'];
  const operands = options.operands.length > 0 ? options.operands : ['-'];
  const rows: Array<{ counts: number[]; name: string }> = [];
  const totals = wanted.map(() => 0);
  let status = 0;
  for (const operand of operands) {
    const data = await readOperand(inv, operand);
    if (!data) {
      status = 1;
      continue;
    }
    const text = data.toString('utf8');
    const values: Record<string, number> = {
      l: (text.match(/\n/g) ?? []).length,
      w: text.split(/\s+/).filter(Boolean).length,
      m: [...text].length,
      c: data.length,
    };
    const counts = wanted.map((k) => values[k]!);
    counts.forEach((c, i) => (totals[i]! += c));
    rows.push({ counts, name: operand === '-' ? '' : operand });
  }
  if (rows.length > 1) rows.push({ counts: totals, name: 'total' });
  const single = wanted.length === 1 && rows.length === 1;
  const width = operands.includes('-') ? 7 : Math.max(1, ...rows.flatMap((r) => r.counts).map((n) => String(n).length));
  for (const row of rows) {
    const cells = row.counts.map((n) => (single ? String(n) : String(n).padStart(width)));
    inv.stdout.write(`${cells.join(' ')}${row.name ? ` ${row.name}` : ''}\n`);
  }
  return status;
};

async function inputLines(inv: ToolInvocation, operands: string[]): Promise<string[] | undefined> {
  const out: string[] = [];
  for (const operand of operands.length > 0 ? operands : ['-']) {
    const data = await readOperand(inv, operand);
    if (!data) return undefined;
    out.push(...lines(data.toString('utf8')));
  }
  return out;
}

const sort: Tool = async (inv) => {
  const options = toolOptions(inv, { valued: 'kt', flags: 'nrufhV', long: { 'numeric-sort': 'n', reverse: 'r', unique: 'u', 'key=': 'k', 'field-separator=': 't' } });
  if (!options) return 2;
  const list = await inputLines(inv, options.operands);
  if (!list) return 2;
  const key = options.flags.get('k');
  const separator = options.flags.get('t');
  const field = typeof key === 'string' ? Number(key.split(/[,.]/)[0]) - 1 : -1;
  const keyOf = (line: string) => {
    if (field < 0) return line;
    const parts = typeof separator === 'string' ? line.split(separator) : line.trim().split(/\s+/);
    return parts.slice(field).join(' ');
  };
  const numeric = options.flags.has('n') || options.flags.has('h') || (typeof key === 'string' && key.includes('n'));
  list.sort((a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    if (numeric) return (parseFloat(ka) || 0) - (parseFloat(kb) || 0) || (a < b ? -1 : a > b ? 1 : 0);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  if (options.flags.has('r') || (typeof key === 'string' && key.includes('r'))) list.reverse();
  writeLines(inv.stdout, options.flags.has('u') ? list.filter((l, i) => i === 0 || keyOf(l) !== keyOf(list[i - 1]!)) : list);
  return 0;
};

const uniq: Tool = async (inv) => {
  const options = toolOptions(inv, { flags: 'cdui', long: { count: 'c', repeated: 'd', unique: 'u', 'ignore-case': 'i' } });
  if (!options) return 1;
  const list = await inputLines(inv, options.operands.slice(0, 1));
  if (!list) return 1;
  const groups: Array<{ line: string; count: number }> = [];
  const same = (a: string, b: string) => (options.flags.has('i') ? a.toLowerCase() === b.toLowerCase() : a === b);
  for (const line of list) {
    const last = groups[groups.length - 1];
    if (last && same(last.line, line)) last.count++;
    else groups.push({ line, count: 1 });
  }
  const kept = groups.filter((g) => (options.flags.has('d') ? g.count > 1 : options.flags.has('u') ? g.count === 1 : true));
  writeLines(inv.stdout, kept.map((g) => (options.flags.has('c') ? `${String(g.count).padStart(7)} ${g.line}` : g.line)));
  return 0;
};

/** `1,3`, `2-4`, `3-` field lists as cut takes them. */
function fieldList(spec: string): (index: number) => boolean {
  const ranges = spec.split(',').map((part) => {
    const [from, to] = part.includes('-') ? part.split('-') : [part, part];
    return [from ? Number(from) : 1, to ? Number(to) : Infinity] as const;
  });
  return (index) => ranges.some(([from, to]) => index >= from && index <= to);
}

const cut: Tool = async (inv) => {
  const options = toolOptions(inv, { valued: 'dfc', flags: 's', long: { 'delimiter=': 'd', 'fields=': 'f', 'characters=': 'c' } });
  if (!options) return 1;
  const fields = options.flags.get('f');
  const chars = options.flags.get('c');
  if (typeof fields !== 'string' && typeof chars !== 'string') {
    inv.stderr.write("cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.\n");
    return 1;
  }
  const list = await inputLines(inv, options.operands);
  if (!list) return 1;
  const delimiter = typeof options.flags.get('d') === 'string' ? (options.flags.get('d') as string) : '\t';
  const keep = fieldList(typeof fields === 'string' ? fields : (chars as string));
  const out: string[] = [];
  for (const line of list) {
    if (typeof chars === 'string') out.push([...line].filter((_, i) => keep(i + 1)).join(''));
    else if (!line.includes(delimiter)) {
      if (!options.flags.has('s')) out.push(line);
    } else out.push(line.split(delimiter).filter((_, i) => keep(i + 1)).join(delimiter));
  }
  writeLines(inv.stdout, out);
  return 0;
};

const tee: Tool = async (inv) => {
  const options = toolOptions(inv, { flags: 'ai', long: { append: 'a' } });
  if (!options) return 1;
  const data = await readAll(inv.stdin);
  inv.stdout.write(data);
  let status = 0;
  for (const operand of options.operands) {
    try {
      if (operand !== '/dev/null') inv.host.fs.writeFile(operandPath(inv, operand), data, { append: options.flags.has('a') });
    } catch (error) {
      if (!(error instanceof FsError)) throw error;
      inv.stderr.write(`tee: ${operand}: ${error.message}\n`);
      status = 1;
    }
  }
  return status;
};

/** Backslash escapes as `echo -e` and `printf` read them. */
function unescape(text: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '\\' || i + 1 >= text.length) {
      out += ch;
      continue;
    }
    const next = text[++i]!;
    const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\x07', b: '\b', e: '\x1b', f: '\f', v: '\v', '0': '\0' };
    if (next === 'c') return { text: out, stop: true };
    out += map[next] ?? `\\${next}`;
  }
  return { text: out, stop: false };
}

const echo: Tool = async (inv) => {
  let args = inv.args;
  let newline = true;
  let escapes = false;
  while (args[0] && /^-[neE]+$/.test(args[0])) {
    if (args[0].includes('n')) newline = false;
    if (args[0].includes('e')) escapes = true;
    if (args[0].includes('E')) escapes = false;
    args = args.slice(1);
  }
  const joined = args.join(' ');
  const { text, stop } = escapes ? unescape(joined) : { text: joined, stop: false };
  inv.stdout.write(text + (newline && !stop ? '\n' : ''));
  return 0;
};

const printf: Tool = async (inv) => {
  const [format, ...values] = inv.args;
  if (format === undefined) {
    inv.stderr.write('printf: usage: printf format [arguments]\n');
    return 2;
  }
  let index = 0;
  let out = '';
  do {
    out += unescape(
      format.replace(/%(-?\d*)(\.\d+)?([sdfx%])/g, (_m, width: string, precision: string | undefined, conversion: string) => {
        if (conversion === '%') return '%';
        const raw = values[index++] ?? '';
        let text: string;
        if (conversion === 'd') text = String(Math.trunc(Number(raw) || 0));
        else if (conversion === 'f') text = (Number(raw) || 0).toFixed(precision ? Number(precision.slice(1)) : 6);
        else if (conversion === 'x') text = (Math.trunc(Number(raw) || 0)).toString(16);
        else text = precision ? raw.slice(0, Number(precision.slice(1))) : raw;
        const w = Number(width || 0);
        return w < 0 ? text.padEnd(-w) : text.padStart(w);
      }),
    ).text;
  } while (index > 0 && index < values.length);
  inv.stdout.write(out);
  return 0;
};

/** The text tools every image has. */
export const TEXT_TOOLS: Record<string, Tool> = { cat, head, tail, grep, egrep: (inv) => grep({ ...inv, args: ['-E', ...inv.args] }), wc, sort, uniq, cut, tee, echo, printf };
