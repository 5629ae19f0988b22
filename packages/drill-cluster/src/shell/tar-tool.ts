/**
 * tar over the container's files, enough for `kubectl cp`: kubectl copies out of a pod by
 * running `tar cf - <path>` through exec and untarring stdout, and into one by sending a tar to
 * `tar -xmf - [-C dir]` on stdin. Also `t` (list), `v`, `z` (gzip) and `-C`.
 */
import { posix } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { readAll } from './byte-streams';
import type { Tool, ToolInvocation } from './shell-interpreter';
import { FsError, VirtualFileSystem } from './virtual-fs';

interface TarOptions {
  mode: 'c' | 'x' | 't' | undefined;
  file: string | undefined;
  directory: string | undefined;
  verbose: boolean;
  gzip: boolean;
  operands: string[];
}

/** Reads tar's argument styles: `cf - x`, `-xmf -`, `--extract --file=-`, `-C dir`. */
function parseTarArguments(args: string[]): TarOptions | string {
  const options: TarOptions = { mode: undefined, file: undefined, directory: undefined, verbose: false, gzip: false, operands: [] };
  const letters = (text: string, rest: string[]): string | undefined => {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === 'c' || ch === 'x' || ch === 't') options.mode = ch;
      else if (ch === 'v') options.verbose = true;
      else if (ch === 'z') options.gzip = true;
      else if (ch === 'f' || ch === 'C') {
        const value = i + 1 < text.length ? text.slice(i + 1) : rest.shift();
        if (value === undefined) return `option requires an argument -- '${ch}'`;
        if (ch === 'f') options.file = value;
        else options.directory = value;
        return undefined;
      } else if (!'mpoOhPk'.includes(ch)) return `invalid option -- '${ch}'`;
    }
    return undefined;
  };
  const rest = [...args];
  let first = true;
  while (rest.length > 0) {
    const arg = rest.shift()!;
    if (arg.startsWith('--')) {
      const [name, value] = arg.slice(2).split('=', 2) as [string, string | undefined];
      if (name === 'create') options.mode = 'c';
      else if (name === 'extract' || name === 'get') options.mode = 'x';
      else if (name === 'list') options.mode = 't';
      else if (name === 'file') options.file = value ?? rest.shift();
      else if (name === 'directory') options.directory = value ?? rest.shift();
      else if (name === 'gzip') options.gzip = true;
      else if (name === 'verbose') options.verbose = true;
      // --no-same-owner, --no-same-permissions, --touch and the like change nothing here.
    } else if (arg.startsWith('-') && arg.length > 1) {
      const error = letters(arg.slice(1), rest);
      if (error) return error;
    } else if (first && /^[cxtvzfmpoC]+$/.test(arg)) {
      const error = letters(arg, rest);
      if (error) return error;
    } else options.operands.push(arg);
    first = false;
  }
  return options;
}

/** A member name kept inside the extraction directory (`../x` and `/x` lose their way out). */
function memberPath(base: string, name: string): string {
  const relative = posix.normalize(`/${name}`).slice(1);
  return VirtualFileSystem.resolve(base, relative || '.');
}

async function create(inv: ToolInvocation, options: TarOptions): Promise<number> {
  if (options.operands.length === 0) {
    inv.stderr.write("tar: Cowardly refusing to create an empty archive\nTry 'tar --help' or 'tar --usage' for more information.\n");
    return 2;
  }
  const fs = inv.host.fs;
  const base = VirtualFileSystem.resolve(inv.cwd, options.directory ?? '.');
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const finished = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  let status = 0;
  let warnedLeadingSlash = false;
  const add = async (path: string, name: string): Promise<void> => {
    const node = fs.stat(path);
    if (!node) {
      inv.stderr.write(`tar: ${name}: Cannot stat: No such file or directory\n`);
      status = 2;
      return;
    }
    if (options.verbose) inv.stderr.write(`${name}${node.kind === 'dir' ? '/' : ''}\n`);
    const mtime = new Date(node.mtimeMs);
    if (node.kind === 'dir') {
      pack.entry({ name: `${name}/`, type: 'directory', mode: node.mode, mtime, uname: 'root', gname: 'root' });
      for (const child of fs.readdir(path)) await add(posix.join(path, child), `${name}/${child}`);
      return;
    }
    const content = fs.readFile(path);
    await new Promise<void>((resolve, reject) => pack.entry({ name, size: content.length, mode: node.mode, mtime, uname: 'root', gname: 'root' }, content, (err) => (err ? reject(err) : resolve())));
  };
  for (const operand of options.operands) {
    let name = posix.normalize(operand).replace(/\/+$/, '') || '/';
    if (name.startsWith('/')) {
      if (!warnedLeadingSlash) inv.stderr.write("tar: Removing leading `/' from member names\n");
      warnedLeadingSlash = true;
      name = name.replace(/^\/+/, '');
    }
    await add(VirtualFileSystem.resolve(base, operand), name || '.');
  }
  pack.finalize();
  await finished;
  const archive = Buffer.concat(chunks);
  const output = options.gzip ? gzipSync(archive) : archive;
  if (options.file === undefined || options.file === '-') inv.stdout.write(output);
  else {
    try {
      fs.writeFile(VirtualFileSystem.resolve(inv.cwd, options.file), output);
    } catch (error) {
      if (!(error instanceof FsError)) throw error;
      inv.stderr.write(`tar: ${options.file}: Cannot open: ${error.message}\n`);
      return 2;
    }
  }
  if (status !== 0) inv.stderr.write('tar: Exiting with failure status due to previous errors\n');
  return status;
}

async function extractOrList(inv: ToolInvocation, options: TarOptions): Promise<number> {
  const fs = inv.host.fs;
  let archive: Buffer;
  if (options.file === undefined || options.file === '-') archive = await readAll(inv.stdin);
  else {
    try {
      archive = fs.readFile(VirtualFileSystem.resolve(inv.cwd, options.file));
    } catch (error) {
      if (!(error instanceof FsError)) throw error;
      inv.stderr.write(`tar: ${options.file}: Cannot open: ${error.message}\ntar: Error is not recoverable: exiting now\n`);
      return 2;
    }
  }
  if (archive.length === 0) {
    inv.stderr.write('tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n');
    return 2;
  }
  if (options.gzip || (archive[0] === 0x1f && archive[1] === 0x8b)) archive = gunzipSync(archive);
  const base = VirtualFileSystem.resolve(inv.cwd, options.directory ?? '.');
  if (options.mode === 'x' && !fs.isDirectory(base)) {
    inv.stderr.write(`tar: ${options.directory}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n`);
    return 2;
  }
  const extract = tarStream.extract();
  let status = 0;
  const done = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      const { name, type, mode, mtime } = entry.header;
      if (options.mode === 't') {
        inv.stdout.write(options.verbose ? `${modeLetters(type, mode)} root/root ${String(entry.header.size).padStart(8)} ${mtime.toISOString().slice(0, 16).replace('T', ' ')} ${name}\n` : `${name}\n`);
        continue;
      }
      if (options.verbose) inv.stdout.write(`${name}\n`);
      const target = memberPath(base, name);
      try {
        if (type === 'directory') fs.mkdirp(target);
        else if (type === 'file' || type === 'contiguous-file') {
          fs.mkdirp(posix.dirname(target));
          fs.writeFile(target, Buffer.concat(parts), { mode: mode & 0o7777 });
        }
      } catch (error) {
        if (!(error instanceof FsError)) throw error;
        inv.stderr.write(`tar: ${name}: Cannot open: ${error.message}\n`);
        status = 2;
      }
    }
  })();
  extract.end(archive);
  try {
    await done;
  } catch {
    inv.stderr.write('tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n');
    return 2;
  }
  return status;
}

function modeLetters(type: string, mode: number): string {
  let text = type === 'directory' ? 'd' : '-';
  for (let i = 0; i < 9; i++) text += mode & (1 << (8 - i)) ? 'rwxrwxrwx'[i] : '-';
  return text;
}

export const tar: Tool = async (inv) => {
  const options = parseTarArguments(inv.args);
  if (typeof options === 'string') {
    inv.stderr.write(`tar: ${options}\nTry 'tar --help' or 'tar --usage' for more information.\n`);
    return 2;
  }
  if (!options.mode) {
    inv.stderr.write("tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\nTry 'tar --help' or 'tar --usage' for more information.\n");
    return 2;
  }
  return options.mode === 'c' ? create(inv, options) : extractOrList(inv, options);
};
