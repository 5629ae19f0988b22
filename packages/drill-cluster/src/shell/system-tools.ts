/**
 * The file and system tools of the drill's containers: ls, mkdir, rm, touch, test / [, ps, df,
 * free, env / printenv, date, hostname, sleep, uname, id, whoami, nproc, uptime, which. What they
 * report follows the pod: its processes, its memory from the scenario's profile, its files.
 */
import { posix } from 'node:path';
import type { DrillBackendAddress, LogProfile } from '../types';
import { isShellBuiltin, type Tool, type ToolInvocation } from './shell-interpreter';
import { operandPath, toolOptions } from './tool-options';
import { FsError, type FsNode } from './virtual-fs';

/** What the tools know of the container they run in. */
export interface ContainerFacts {
  namespace: string;
  podName: string;
  app: string;
  containerName: string;
  image: string;
  /** Simulated now (epoch ms). */
  now(): number;
  /** How fast simulated time runs (sleep waits simulated seconds). */
  speed: number;
  /** When the container started (epoch ms). */
  startedAt: number;
  profile(): LogProfile;
  /** The pod's IP, as /etc/hosts and `hostname -i` tell it. */
  podIp: string;
  /** Where a process of this pod listens on `port` inside the pod; undefined when nothing does. */
  connect(port: number): Promise<DrillBackendAddress | undefined>;
  /** Names of every executable the image has (for `which`). */
  commandNames(): string[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const two = (n: number) => String(n).padStart(2, '0');

/** date(1)'s `+FORMAT`, UTC (the containers run in UTC). */
export function strftime(ms: number, format: string): string {
  const d = new Date(ms);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return format.replace(/%([a-zA-Z%:]|:z)/g, (_m, c: string) => {
    switch (c) {
      case 'Y': return String(d.getUTCFullYear());
      case 'y': return two(d.getUTCFullYear() % 100);
      case 'm': return two(d.getUTCMonth() + 1);
      case 'd': return two(d.getUTCDate());
      case 'e': return String(d.getUTCDate()).padStart(2);
      case 'H': return two(d.getUTCHours());
      case 'I': return two(d.getUTCHours() % 12 || 12);
      case 'M': return two(d.getUTCMinutes());
      case 'S': return two(d.getUTCSeconds());
      case 'N': return String(d.getUTCMilliseconds() * 1_000_000).padStart(9, '0');
      case 's': return String(Math.floor(ms / 1000));
      case 'F': return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
      case 'T': return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
      case 'R': return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
      case 'Z': return 'UTC';
      case 'z': return '+0000';
      case ':z': return '+00:00';
      case 'a': return DAYS[d.getUTCDay()]!;
      case 'A': return ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][d.getUTCDay()]!;
      case 'b': case 'h': return MONTHS[d.getUTCMonth()]!;
      case 'j': return String(Math.floor((ms - start) / 86_400_000) + 1).padStart(3, '0');
      case 'u': return String(d.getUTCDay() || 7);
      case 'p': return d.getUTCHours() < 12 ? 'AM' : 'PM';
      case '%': return '%';
      default: return `%${c}`;
    }
  });
}

/** `ls -l`'s permission column. */
function modeString(node: FsNode): string {
  const bits = 'rwxrwxrwx';
  let text = node.kind === 'dir' ? 'd' : '-';
  for (let i = 0; i < 9; i++) text += node.mode & (1 << (8 - i)) ? bits[i] : '-';
  return text;
}

/** Sizes as `-h` prints them: 4.0K, 12M, 1.5G. */
export function humanSize(bytes: number): string {
  const units = ['K', 'M', 'G', 'T'];
  if (bytes < 1024) return String(bytes);
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return value < 10 ? `${(Math.ceil(value * 10) / 10).toFixed(1)}${units[unit]}` : `${Math.ceil(value)}${units[unit]}`;
}

function lsTime(ms: number, now: number): string {
  const d = new Date(ms);
  const recent = Math.abs(now - ms) < 182 * 86_400_000;
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${recent ? `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}` : ` ${d.getUTCFullYear()}`}`;
}

function fsFailure(inv: ToolInvocation, error: unknown, format: (message: string) => string): number {
  if (!(error instanceof FsError)) throw error;
  inv.stderr.write(format(error.message));
  return 1;
}

function makeLs(facts: ContainerFacts): Tool {
  return async (inv) => {
    const options = toolOptions(inv, { flags: 'laAhtrR1dFSi', long: { all: 'a', 'human-readable': 'h', directory: 'd', recursive: 'R' } });
    if (!options) return 2;
    const f = options.flags;
    const fs = inv.host.fs;
    const operands = options.operands.length > 0 ? options.operands : ['.'];
    let status = 0;
    const entryLine = (path: string, name: string): string => {
      const node = fs.stat(path)!;
      const display = f.has('F') && node.kind === 'dir' ? `${name}/` : name;
      if (!f.has('l')) return display;
      const size = fs.size(path);
      return `${modeString(node)} ${node.kind === 'dir' ? 2 : 1} root root ${(f.has('h') ? humanSize(size) : String(size)).padStart(f.has('h') ? 4 : 6)} ${lsTime(node.mtimeMs, facts.now())} ${display}`;
    };
    const order = (dir: string, names: string[]): string[] => {
      let sorted = [...names];
      if (f.has('t')) sorted.sort((a, b) => fs.stat(posix.join(dir, b))!.mtimeMs - fs.stat(posix.join(dir, a))!.mtimeMs);
      if (f.has('S')) sorted.sort((a, b) => fs.size(posix.join(dir, b)) - fs.size(posix.join(dir, a)));
      if (f.has('r')) sorted = sorted.reverse();
      return sorted;
    };
    const files: string[] = [];
    const dirs: Array<[string, string]> = [];
    for (const operand of operands) {
      const path = operandPath(inv, operand);
      const node = fs.stat(path);
      if (!node) {
        inv.stderr.write(`ls: cannot access '${operand}': No such file or directory\n`);
        status = 2;
      } else if (node.kind === 'dir' && !f.has('d')) dirs.push([operand, path]);
      else files.push(entryLine(path, operand));
    }
    const blocks: string[] = [];
    const oneLine = f.has('l') || f.has('1') || !inv.stdout.tty;
    if (files.length > 0) blocks.push(files.join(oneLine ? '\n' : '  '));
    const listDir = (label: string, path: string, heading: boolean) => {
      let names = fs.readdir(path);
      if (!f.has('a') && !f.has('A')) names = names.filter((n) => !n.startsWith('.'));
      names = order(path, names);
      const rows = names.map((n) => entryLine(posix.join(path, n), n));
      if (f.has('a')) rows.unshift(...(f.has('l') ? [entryLine(path, '.'), entryLine(posix.dirname(path), '..')] : ['.', '..']));
      let text = heading ? `${label}:\n` : '';
      if (f.has('l')) text += `total ${names.reduce((sum, n) => sum + Math.ceil(fs.size(posix.join(path, n)) / 4096) * 4, 0)}\n`;
      text += rows.join(oneLine ? '\n' : '  ');
      blocks.push(text.replace(/\n$/, ''));
      if (f.has('R')) {
        for (const n of names) {
          const child = posix.join(path, n);
          if (fs.isDirectory(child)) listDir(posix.join(label, n), child, true);
        }
      }
    };
    for (const [label, path] of dirs) listDir(label, path, dirs.length + files.length > 1 || f.has('R'));
    const text = blocks.filter((b) => b !== '').join('\n\n');
    if (text) inv.stdout.write(`${text}\n`);
    return status;
  };
}

const mkdir: Tool = async (inv) => {
  const options = toolOptions(inv, { flags: 'pv', valued: 'm', long: { parents: 'p' } });
  if (!options) return 1;
  let status = 0;
  for (const operand of options.operands) {
    const path = operandPath(inv, operand);
    try {
      if (options.flags.has('p')) inv.host.fs.mkdirp(path);
      else inv.host.fs.mkdir(path);
    } catch (error) {
      status = fsFailure(inv, error, (m) => `mkdir: cannot create directory '${operand}': ${m}\n`);
    }
  }
  return status;
};

const rm: Tool = async (inv) => {
  const options = toolOptions(inv, { flags: 'rRfvdi', long: { recursive: 'r', force: 'f' } });
  if (!options) return 1;
  const recursive = options.flags.has('r') || options.flags.has('R');
  let status = 0;
  for (const operand of options.operands) {
    const path = operandPath(inv, operand);
    const node = inv.host.fs.stat(path);
    if (!node) {
      if (!options.flags.has('f')) {
        inv.stderr.write(`rm: cannot remove '${operand}': No such file or directory\n`);
        status = 1;
      }
      continue;
    }
    if (node.kind === 'dir' && !recursive) {
      inv.stderr.write(`rm: cannot remove '${operand}': Is a directory\n`);
      status = 1;
      continue;
    }
    try {
      inv.host.fs.remove(path, recursive);
    } catch (error) {
      status = fsFailure(inv, error, (m) => `rm: cannot remove '${operand}': ${m}\n`);
    }
  }
  return status;
};

const touch: Tool = async (inv) => {
  let status = 0;
  for (const operand of inv.args.filter((a) => !a.startsWith('-'))) {
    const path = operandPath(inv, operand);
    try {
      inv.host.fs.writeFile(path, Buffer.alloc(0), { append: true });
    } catch (error) {
      status = fsFailure(inv, error, (m) => `touch: cannot touch '${operand}': ${m}\n`);
    }
  }
  return status;
};

/** test(1) and `[`: file tests, string and integer comparisons, `!`, `-a` / `-o`. */
function evaluateTest(inv: ToolInvocation, args: string[]): boolean | string {
  const fs = inv.host.fs;
  const orParts: string[][] = [[]];
  for (const arg of args) {
    if (arg === '-o') orParts.push([]);
    else orParts[orParts.length - 1]!.push(arg);
  }
  if (orParts.length > 1) {
    const results = orParts.map((p) => evaluateTest(inv, p));
    const error = results.find((r) => typeof r === 'string');
    return error ?? results.some(Boolean);
  }
  const andParts: string[][] = [[]];
  for (const arg of args) {
    if (arg === '-a' && andParts[andParts.length - 1]!.length > 0) andParts.push([]);
    else andParts[andParts.length - 1]!.push(arg);
  }
  if (andParts.length > 1) {
    const results = andParts.map((p) => evaluateTest(inv, p));
    const error = results.find((r) => typeof r === 'string');
    return error ?? results.every(Boolean);
  }
  if (args[0] === '!') {
    const inner = evaluateTest(inv, args.slice(1));
    return typeof inner === 'string' ? inner : !inner;
  }
  if (args.length === 0) return false;
  if (args.length === 1) return args[0] !== '';
  if (args.length === 2) {
    const [op, operand] = args as [string, string];
    const node = fs.stat(operandPath(inv, operand));
    switch (op) {
      case '-z': return operand === '';
      case '-n': return operand !== '';
      case '-e': case '-r': case '-w': return node !== undefined;
      case '-f': return node?.kind === 'file';
      case '-d': return node?.kind === 'dir';
      case '-s': return node?.kind === 'file' && fs.size(operandPath(inv, operand)) > 0;
      case '-x': return node !== undefined && (node.mode & 0o111) !== 0;
      case '-L': case '-h': return false;
      default: return `${op}: unexpected operator`;
    }
  }
  if (args.length === 3) {
    const [a, op, b] = args as [string, string, string];
    const ints = () => [Number(a), Number(b)] as const;
    switch (op) {
      case '=': case '==': return a === b;
      case '!=': return a !== b;
      case '-eq': return ints()[0] === ints()[1];
      case '-ne': return ints()[0] !== ints()[1];
      case '-gt': return ints()[0] > ints()[1];
      case '-ge': return ints()[0] >= ints()[1];
      case '-lt': return ints()[0] < ints()[1];
      case '-le': return ints()[0] <= ints()[1];
      default: return `${op}: unexpected operator`;
    }
  }
  return 'too many arguments';
}

const test: Tool = async (inv) => {
  let args = inv.args;
  if (inv.name === '[') {
    if (args[args.length - 1] !== ']') {
      inv.stderr.write("[: missing ']'\n");
      return 2;
    }
    args = args.slice(0, -1);
  }
  const result = evaluateTest(inv, args);
  if (typeof result === 'string') {
    inv.stderr.write(`${inv.name}: ${result}\n`);
    return 2;
  }
  return result ? 0 : 1;
};

interface SimulatedProcess {
  pid: number;
  ppid: number;
  user: string;
  rssKiB: number;
  vszKiB: number;
  cpu: number;
  startedAt: number;
  command: string;
  tty?: string;
}

/** The processes of the pod's main container, sized by its profile. */
function processes(facts: ContainerFacts, inv: ToolInvocation): SimulatedProcess[] {
  const profile = facts.profile();
  const started = facts.startedAt;
  const rss = Math.round(profile.memoryMiB * 1024);
  const list: SimulatedProcess[] = [];
  const add = (ppid: number, user: string, share: number, cpu: number, command: string) =>
    list.push({ pid: list.length === 0 ? 1 : 6 + list.length * 3, ppid, user, rssKiB: Math.max(1024, Math.round(rss * share)), vszKiB: Math.round(rss * share * 1.6) + 20_000, cpu, startedAt: started, command });
  const cpuBusy = Math.min(99, Math.round(profile.latencyMs.p95 / 40 + 5));
  switch (facts.app) {
    case 'codesign-api': {
      const config = (() => {
        try {
          return inv.host.fs.readFile('/app/config/gunicorn.conf.py').toString('utf8');
        } catch {
          return '';
        }
      })();
      const workers = Math.min(16, Number(/workers\s*=\s*(\d+)/.exec(config)?.[1] ?? 4));
      add(0, 'app', 0.04, 0.1, '/usr/local/bin/python /usr/local/bin/gunicorn -c /app/config/gunicorn.conf.py backend.codesign_playground.wsgi:app');
      for (let i = 0; i < workers; i++) add(1, 'app', 0.96 / workers, cpuBusy / workers, '/usr/local/bin/python /usr/local/bin/gunicorn -c /app/config/gunicorn.conf.py backend.codesign_playground.wsgi:app');
      break;
    }
    case 'celery-worker':
      add(0, 'app', 0.2, 0.5, '/usr/local/bin/python /usr/local/bin/celery -A backend.codesign_playground.tasks worker --loglevel=info --concurrency=4');
      for (let i = 0; i < 4; i++) add(1, 'app', 0.2, 2.5, '/usr/local/bin/python /usr/local/bin/celery -A backend.codesign_playground.tasks worker --loglevel=info --concurrency=4');
      break;
    case 'postgres': {
      add(0, 'postgres', 0.3, 0.5, 'postgres');
      for (const name of ['checkpointer', 'background writer', 'walwriter', 'autovacuum launcher', 'logical replication launcher']) add(1, 'postgres', 0.02, 0.0, `postgres: ${name} `);
      const backends = Math.min(12, profile.dbPool.inUse);
      for (let i = 0; i < backends; i++) add(1, 'postgres', 0.04, 0.3, `postgres: codesign codesign_db 10.244.1.${12 + (i % 3)}(${40_000 + i * 17}) ${i % 3 === 0 ? 'SELECT' : 'idle'}`);
      break;
    }
    case 'redis':
      add(0, 'redis', 1, 0.4, 'redis-server *:6379');
      break;
    case 'backup':
      add(0, 'root', 0.1, 0.0, '/bin/sh -c pg_dump -h postgres -U codesign codesign_db | gzip > /backup/codesign_db.sql.gz');
      add(1, 'root', 0.9, 12.0, 'pg_dump -h postgres -U codesign codesign_db');
      break;
    default:
      add(0, 'root', 1, 0.1, facts.containerName);
  }
  const now = facts.now();
  list.push({ pid: 4000 + (Math.floor(now / 1000) % 3000), ppid: 0, user: 'root', rssKiB: 3900, vszKiB: 4400, cpu: 0, startedAt: now, command: '/bin/sh', tty: 'pts/0' });
  list.push({ pid: list[list.length - 1]!.pid + 7, ppid: list[list.length - 1]!.pid, user: 'root', rssKiB: 3200, vszKiB: 8000, cpu: 0, startedAt: now, command: ['ps', ...inv.args].join(' '), tty: 'pts/0' });
  return list;
}

function cpuTime(p: SimulatedProcess, now: number, withHours: boolean): string {
  const seconds = Math.floor(((now - p.startedAt) / 1000) * (p.cpu / 100));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return withHours ? `${two(h)}:${two(m)}:${two(seconds % 60)}` : `${h * 60 + m}:${two(seconds % 60)}`;
}

function makePs(facts: ContainerFacts): Tool {
  return async (inv) => {
    const now = facts.now();
    const list = processes(facts, inv);
    const limitKiB = facts.profile().memoryLimitMiB * 1024;
    const joined = inv.args.join(' ').replace(/-/g, '');
    const start = (p: SimulatedProcess) => (now - p.startedAt < 86_400_000 ? strftime(p.startedAt, '%H:%M') : strftime(p.startedAt, '%b%d'));
    if (/a|x|u/.test(joined) && !/e|f/.test(joined)) {
      inv.stdout.write('USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n');
      for (const p of list) {
        inv.stdout.write(
          `${p.user.padEnd(8)} ${String(p.pid).padStart(7)} ${p.cpu.toFixed(1).padStart(4)} ${((p.rssKiB / limitKiB) * 100).toFixed(1).padStart(4)} ${String(p.vszKiB).padStart(6)} ${String(p.rssKiB).padStart(5)} ${(p.tty ?? '?').padEnd(8)} ${p.pid === 1 ? 'Ss' : p.tty ? 'Ss' : 'S'}    ${start(p).padEnd(5)} ${cpuTime(p, now, false).padStart(6)} ${p.command}\n`,
        );
      }
      return 0;
    }
    if (/e|f/.test(joined)) {
      inv.stdout.write('UID          PID    PPID  C STIME TTY          TIME CMD\n');
      for (const p of list) {
        inv.stdout.write(`${p.user.padEnd(8)} ${String(p.pid).padStart(7)} ${String(p.ppid).padStart(7)}  ${Math.round(p.cpu) % 100} ${start(p).padEnd(5)} ${(p.tty ?? '?').padEnd(8)} ${cpuTime(p, now, true)} ${p.command}\n`);
      }
      return 0;
    }
    inv.stdout.write('    PID TTY          TIME CMD\n');
    for (const p of list.filter((q) => q.tty)) inv.stdout.write(`${String(p.pid).padStart(7)} ${(p.tty ?? '?').padEnd(8)} ${cpuTime(p, now, true)} ${p.command.split(' ')[0]!.split('/').pop()}\n`);
    return 0;
  };
}

interface Mount {
  filesystem: string;
  sizeKiB: number;
  usedKiB: number;
  mountedOn: string;
}

function mounts(facts: ContainerFacts): Mount[] {
  const GiB = 1024 * 1024;
  const profile = facts.profile();
  const list: Mount[] = [
    { filesystem: 'overlay', sizeKiB: 98 * GiB, usedKiB: Math.round(41.3 * GiB), mountedOn: '/' },
    { filesystem: 'tmpfs', sizeKiB: 65_536, usedKiB: 0, mountedOn: '/dev' },
    { filesystem: 'shm', sizeKiB: 65_536, usedKiB: 0, mountedOn: '/dev/shm' },
    { filesystem: '/dev/sda1', sizeKiB: 98 * GiB, usedKiB: Math.round(41.3 * GiB), mountedOn: '/etc/hosts' },
  ];
  if (facts.app === 'postgres') list.push({ filesystem: '/dev/sdb', sizeKiB: 20 * GiB, usedKiB: Math.round((7.6 + profile.dbPool.inUse / 400) * GiB), mountedOn: '/var/lib/postgresql/data' });
  if (facts.app === 'redis') list.push({ filesystem: '/dev/sdc', sizeKiB: 5 * GiB, usedKiB: Math.round(0.4 * GiB), mountedOn: '/data' });
  if (facts.app === 'backup') list.push({ filesystem: '/dev/sdd', sizeKiB: 50 * GiB, usedKiB: Math.round(18.2 * GiB), mountedOn: '/backup' });
  if (facts.app === 'codesign-api') list.push({ filesystem: '/dev/sda1', sizeKiB: 98 * GiB, usedKiB: Math.round(41.3 * GiB), mountedOn: '/app/config' });
  list.push({ filesystem: 'tmpfs', sizeKiB: Math.round(3.8 * GiB), usedKiB: 12, mountedOn: '/run/secrets/kubernetes.io/serviceaccount' });
  return list;
}

function makeDf(facts: ContainerFacts): Tool {
  return async (inv) => {
    const options = toolOptions(inv, { flags: 'hkTaPi', long: { 'human-readable': 'h' } });
    if (!options) return 1;
    const human = options.flags.has('h');
    let list = mounts(facts);
    if (options.operands.length > 0) {
      const wanted = options.operands.map((o) => operandPath(inv, o));
      list = wanted.map((path) => list.filter((m) => path === m.mountedOn || path.startsWith(m.mountedOn === '/' ? '/' : `${m.mountedOn}/`)).sort((a, b) => b.mountedOn.length - a.mountedOn.length)[0] ?? list[0]!);
    }
    const size = (kib: number) => (human ? humanSize(kib * 1024) : String(kib));
    const rows = [[ 'Filesystem', human ? 'Size' : '1K-blocks', 'Used', 'Avail', 'Use%', 'Mounted on' ]];
    for (const m of list) {
      const avail = m.sizeKiB - m.usedKiB;
      rows.push([m.filesystem, size(m.sizeKiB), size(m.usedKiB), size(avail), `${m.usedKiB === 0 ? 0 : Math.ceil((m.usedKiB / m.sizeKiB) * 100)}%`, m.mountedOn]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const row of rows) {
      inv.stdout.write(`${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : i === 5 ? cell : cell.padStart(widths[i]!))).join(' ')}\n`);
    }
    return 0;
  };
}

function makeFree(facts: ContainerFacts): Tool {
  return async (inv) => {
    const profile = facts.profile();
    const mebi = inv.args.includes('-m') || inv.args.includes('-h');
    const scale = (mib: number) => (inv.args.includes('-h') ? (mib >= 1024 ? `${(mib / 1024).toFixed(1)}Gi` : `${Math.round(mib)}Mi`) : mebi ? String(Math.round(mib)) : String(Math.round(mib * 1024)));
    const total = 15_842;
    const used = profile.memoryMiB + 2_100;
    const rows = [
      ['', 'total', 'used', 'free', 'shared', 'buff/cache', 'available'],
      ['Mem:', scale(total), scale(used), scale(total - used - 3_900), scale(180), scale(3_900), scale(total - used)],
      ['Swap:', '0', '0', '0'],
    ];
    for (const row of rows) inv.stdout.write(`${row.map((c, i) => (i === 0 ? c.padEnd(7) : c.padStart(11))).join(' ')}\n`);
    return 0;
  };
}

function printEnv(inv: ToolInvocation, env: Record<string, string>): void {
  inv.stdout.write(Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''));
}

const printenv: Tool = async (inv) => {
  const env = { ...inv.env };
  delete env.PWD;
  if (inv.args.length === 0) {
    printEnv(inv, env);
    return 0;
  }
  let status = 0;
  for (const name of inv.args) {
    if (env[name] !== undefined) inv.stdout.write(`${env[name]}\n`);
    else status = 1;
  }
  return status;
};

const env: Tool = async (inv) => {
  const environment = { ...inv.env };
  delete environment.PWD;
  let args = inv.args;
  if (args[0] === '-i') {
    for (const key of Object.keys(environment)) delete environment[key];
    args = args.slice(1);
  }
  while (args[0] && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[0])) {
    const eq = args[0].indexOf('=');
    environment[args[0].slice(0, eq)] = args[0].slice(eq + 1);
    args = args.slice(1);
  }
  if (args.length === 0) {
    printEnv(inv, environment);
    return 0;
  }
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const assignments = Object.entries(environment).filter(([k, v]) => inv.env[k] !== v).map(([k, v]) => `${k}='${v.replace(/'/g, "'\\''")}' `).join('');
  return inv.runShell(`${assignments}${quoted}`, inv);
};

function makeDate(facts: ContainerFacts): Tool {
  return async (inv) => {
    const format = inv.args.find((a) => a.startsWith('+'));
    const iso = inv.args.find((a) => a.startsWith('-I') || a.startsWith('--iso-8601'));
    const now = facts.now();
    if (format) inv.stdout.write(`${strftime(now, format.slice(1))}\n`);
    else if (iso) inv.stdout.write(`${strftime(now, /seconds|-Is/.test(iso) ? '%Y-%m-%dT%H:%M:%S+00:00' : '%Y-%m-%d')}\n`);
    else if (inv.args.includes('-R')) inv.stdout.write(`${strftime(now, '%a, %d %b %Y %H:%M:%S +0000')}\n`);
    else inv.stdout.write(`${strftime(now, '%a %b %d %H:%M:%S UTC %Y')}\n`);
    return 0;
  };
}

function makeSleep(facts: ContainerFacts): Tool {
  return async (inv) => {
    let seconds = 0;
    for (const arg of inv.args) {
      const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
      if (!match) {
        inv.stderr.write(`sleep: invalid time interval '${arg}'\nTry 'sleep --help' for more information.\n`);
        return 1;
      }
      seconds += Number(match[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86_400 } as Record<string, number>)[match[2]!]!;
    }
    if (inv.args.length === 0) {
      inv.stderr.write("sleep: missing operand\nTry 'sleep --help' for more information.\n");
      return 1;
    }
    const realMs = Math.min(2_147_000_000, (seconds * 1000) / Math.max(1e-6, facts.speed));
    const aborted = await new Promise<boolean>((resolve) => {
      if (inv.signal.aborted) return resolve(true);
      const timer = setTimeout(() => resolve(false), realMs);
      inv.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(true);
      }, { once: true });
    });
    return aborted ? 130 : 0;
  };
}

function makeHostname(facts: ContainerFacts): Tool {
  return async (inv) => {
    inv.stdout.write(`${inv.args.includes('-i') || inv.args.includes('-I') ? facts.podIp : facts.podName}\n`);
    return 0;
  };
}

function makeUptime(facts: ContainerFacts): Tool {
  return async (inv) => {
    const now = facts.now();
    const minutes = Math.floor((now - facts.startedAt) / 60_000);
    const days = Math.floor(minutes / 1440);
    const load = (facts.profile().latencyMs.p95 / 1000 + 0.3).toFixed(2);
    inv.stdout.write(` ${strftime(now, '%H:%M:%S')} up ${days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : ''}${two(Math.floor((minutes % 1440) / 60))}:${two(minutes % 60)},  0 users,  load average: ${load}, ${load}, ${load}\n`);
    return 0;
  };
}

function makeWhich(facts: ContainerFacts): Tool {
  return async (inv) => {
    let status = 0;
    const known = new Set(facts.commandNames());
    for (const name of inv.args.filter((a) => !a.startsWith('-'))) {
      if (known.has(name)) inv.stdout.write(`/usr/bin/${name}\n`);
      else if (!isShellBuiltin(name)) status = 1;
    }
    return status;
  };
}

function makeUname(): Tool {
  return async (inv) => {
    const all = inv.args.some((a) => a.includes('a'));
    inv.stdout.write(all ? 'Linux codesign 6.1.0-28-cloud-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64 GNU/Linux\n' : inv.args.includes('-r') ? '6.1.0-28-cloud-amd64\n' : inv.args.includes('-m') ? 'x86_64\n' : 'Linux\n');
    return 0;
  };
}

/** The tools that read the pod (processes, disks, time); the fixed ones need no facts. */
export function systemTools(facts: ContainerFacts): Record<string, Tool> {
  return {
    ls: makeLs(facts),
    mkdir,
    rm,
    touch,
    test,
    '[': test,
    ps: makePs(facts),
    df: makeDf(facts),
    free: makeFree(facts),
    env,
    printenv,
    date: makeDate(facts),
    sleep: makeSleep(facts),
    hostname: makeHostname(facts),
    uptime: makeUptime(facts),
    which: makeWhich(facts),
    uname: makeUname(),
    id: async (inv) => {
      inv.stdout.write('uid=0(root) gid=0(root) groups=0(root)\n');
      return 0;
    },
    whoami: async (inv) => {
      inv.stdout.write('root\n');
      return 0;
    },
    nproc: async (inv) => {
      inv.stdout.write('2\n');
      return 0;
    },
  };
}
