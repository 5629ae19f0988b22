/**
 * A container's filesystem as the drill shell sees it: directories and files in memory, some of
 * them generated when read (the app's log, /proc/meminfo) and able to grow while followed
 * (`tail -f`). Writable like a container's top layer, and dropped with the container.
 */
import { posix } from 'node:path';

export type FsErrorCode = 'ENOENT' | 'ENOTDIR' | 'EISDIR' | 'EEXIST' | 'ENOTEMPTY' | 'EACCES' | 'EROFS';

const MESSAGES: Record<FsErrorCode, string> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
  EACCES: 'Permission denied',
  EROFS: 'Read-only file system',
};

/** A failed file operation; `message` is the strerror text tools print after the path. */
export class FsError extends Error {
  constructor(
    readonly code: FsErrorCode,
    readonly path: string,
  ) {
    super(MESSAGES[code]);
    this.name = 'FsError';
  }
}

/** Streams what is appended to a growing file until `signal` aborts. */
export type FileFollower = (emit: (text: string) => void, signal: AbortSignal) => Promise<void>;

export interface FileNode {
  kind: 'file';
  mode: number;
  mtimeMs: number;
  /** Stored bytes, or generated on each read. */
  content: Buffer | (() => string | Buffer);
  follow?: FileFollower;
  readOnly?: boolean;
}

export interface DirectoryNode {
  kind: 'dir';
  mode: number;
  mtimeMs: number;
  readOnly?: boolean;
}

export type FsNode = FileNode | DirectoryNode;

export interface GeneratedFileOptions {
  follow?: FileFollower;
  mode?: number;
  readOnly?: boolean;
}

export class VirtualFileSystem {
  private readonly nodes = new Map<string, FsNode>();

  constructor(private readonly now: () => number) {
    this.nodes.set('/', { kind: 'dir', mode: 0o755, mtimeMs: now() });
  }

  /** `path` made absolute against `cwd` and normalised (`..`, `.`, duplicate slashes). */
  static resolve(cwd: string, path: string): string {
    const absolute = posix.resolve(cwd || '/', path);
    return absolute.length > 1 && absolute.endsWith('/') ? absolute.slice(0, -1) : absolute;
  }

  stat(path: string): FsNode | undefined {
    return this.nodes.get(path);
  }

  isDirectory(path: string): boolean {
    return this.nodes.get(path)?.kind === 'dir';
  }

  /** Creates `path` and its parents as directories (mkdir -p). */
  mkdirp(path: string, mtimeMs = this.now(), readOnly = false): void {
    if (path === '/') return;
    const existing = this.nodes.get(path);
    if (existing?.kind === 'dir') return;
    if (existing) throw new FsError('ENOTDIR', path);
    this.mkdirp(posix.dirname(path), mtimeMs, readOnly);
    this.nodes.set(path, { kind: 'dir', mode: 0o755, mtimeMs, ...(readOnly ? { readOnly } : {}) });
  }

  /** mkdir without -p: the parent must exist and the path must not. */
  mkdir(path: string): void {
    if (this.nodes.has(path)) throw new FsError('EEXIST', path);
    this.parentFor(path);
    this.nodes.set(path, { kind: 'dir', mode: 0o755, mtimeMs: this.now() });
  }

  /** Adds a file whose content is computed when read (seeding the image; parents are created). */
  addGenerated(path: string, content: () => string | Buffer, options: GeneratedFileOptions = {}, mtimeMs = this.now()): void {
    this.mkdirp(posix.dirname(path), mtimeMs);
    this.nodes.set(path, {
      kind: 'file',
      mode: options.mode ?? 0o644,
      mtimeMs,
      content,
      ...(options.follow ? { follow: options.follow } : {}),
      ...(options.readOnly ? { readOnly: true } : {}),
    });
  }

  /** Seeds a file of the image (parents are created). */
  addFile(path: string, content: string | Buffer, mode = 0o644, mtimeMs = this.now(), readOnly = false): void {
    this.mkdirp(posix.dirname(path), mtimeMs);
    this.nodes.set(path, { kind: 'file', mode, mtimeMs, content: typeof content === 'string' ? Buffer.from(content) : content, ...(readOnly ? { readOnly } : {}) });
  }

  readFile(path: string): Buffer {
    const node = this.nodes.get(path);
    if (!node) {
      this.parentFor(path);
      throw new FsError('ENOENT', path);
    }
    if (node.kind === 'dir') throw new FsError('EISDIR', path);
    const content = typeof node.content === 'function' ? node.content() : node.content;
    return typeof content === 'string' ? Buffer.from(content) : content;
  }

  /** Writes (or appends to) a file as a process in the container would: the parent must exist. */
  writeFile(path: string, data: Buffer, options: { append?: boolean; mode?: number; mtimeMs?: number } = {}): void {
    const existing = this.nodes.get(path);
    if (existing?.kind === 'dir') throw new FsError('EISDIR', path);
    const parent = this.parentFor(path);
    if (existing?.readOnly || (!existing && parent.readOnly)) throw new FsError('EROFS', path);
    const before = existing && options.append ? this.readFile(path) : Buffer.alloc(0);
    this.nodes.set(path, {
      kind: 'file',
      mode: options.mode ?? existing?.mode ?? 0o644,
      mtimeMs: options.mtimeMs ?? this.now(),
      content: options.append ? Buffer.concat([before, data]) : data,
    });
  }

  /** Names in a directory, sorted as `ls` sorts them (C locale). */
  readdir(path: string): string[] {
    const node = this.nodes.get(path);
    if (!node) throw new FsError('ENOENT', path);
    if (node.kind !== 'dir') throw new FsError('ENOTDIR', path);
    const prefix = path === '/' ? '/' : `${path}/`;
    const names: string[] = [];
    for (const key of this.nodes.keys()) {
      if (key === path || !key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      if (!rest.includes('/')) names.push(rest);
    }
    return names.sort();
  }

  /** Removes a file, or a directory (recursive, or empty). */
  remove(path: string, recursive: boolean): void {
    const node = this.nodes.get(path);
    if (!node) throw new FsError('ENOENT', path);
    if (node.readOnly) throw new FsError('EROFS', path);
    if (node.kind === 'dir') {
      const children = this.readdir(path);
      if (children.length > 0 && !recursive) throw new FsError('ENOTEMPTY', path);
      for (const child of children) this.remove(posix.join(path, child), true);
    }
    this.nodes.delete(path);
  }

  /** Every path, for glob matching. */
  paths(): IterableIterator<string> {
    return this.nodes.keys();
  }

  /** Size in bytes (generated files are generated to know). */
  size(path: string): number {
    const node = this.nodes.get(path);
    return !node || node.kind === 'dir' ? 4096 : this.readFile(path).length;
  }

  private parentFor(path: string): DirectoryNode {
    const parentPath = posix.dirname(path);
    const parent = this.nodes.get(parentPath);
    if (!parent) throw new FsError('ENOENT', path);
    if (parent.kind !== 'dir') throw new FsError('ENOTDIR', path);
    return parent;
  }
}
