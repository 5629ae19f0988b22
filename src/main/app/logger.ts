import { appendFileSync, chmodSync, existsSync } from 'node:fs';
import { ensurePrivateDirSync } from '../evidence/durable-files';
import path from 'node:path';

export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

type Level = 'info' | 'warn' | 'error';

/**
 * JSON lines to `<dir>/cockpit.log` (0600, in a 0700 directory, whatever the umask) and, for
 * warnings and errors, to stderr: human-readable lines when stderr is a terminal, the same JSON
 * otherwise. Callers pass ids and messages, never credentials; fields named like secrets are
 * masked as a second guard.
 */
export class FileLogger implements Logger {
  private readonly file: string;
  private readonly echo: (line: string, entry: LogEntry) => void;

  constructor(dir: string, echo?: (line: string) => void, options: { tty?: boolean } = {}) {
    ensurePrivateDirSync(dir);
    this.file = path.join(dir, 'cockpit.log');
    if (existsSync(this.file)) chmodSync(this.file, 0o600);
    const tty = options.tty ?? (echo === undefined && process.stderr.isTTY === true);
    const write = echo ?? ((line: string) => void process.stderr.write(line + '\n'));
    this.echo = (line, entry) => write(tty ? humanLine(entry) : line);
  }

  info(event: string, fields: Record<string, unknown> = {}): void {
    this.write('info', event, fields);
  }
  warn(event: string, fields: Record<string, unknown> = {}): void {
    this.write('warn', event, fields);
  }
  error(event: string, fields: Record<string, unknown> = {}): void {
    this.write('error', event, fields);
  }

  private write(level: Level, event: string, fields: Record<string, unknown>): void {
    const entry: LogEntry = { at: new Date().toISOString(), level, event, fields: maskSecretFields(fields) };
    const line = JSON.stringify({ at: entry.at, level, event, ...entry.fields });
    appendFileSync(this.file, line + '\n', { mode: 0o600 });
    if (level !== 'info') this.echo(line, entry);
  }
}

export interface LogEntry {
  at: string;
  level: Level;
  event: string;
  fields: Record<string, unknown>;
}

/** `20:05:11 WARN  evidence.unlock-failed  code=WrongPassphrase file="/a b"`: what a terminal shows. */
export function humanLine(entry: LogEntry): string {
  const time = entry.at.slice(11, 19);
  const fields = Object.entries(entry.fields)
    .map(([k, v]) => {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      return `${k}=${typeof v === 'string' && /^[^\s"=]+$/.test(v) ? text : JSON.stringify(text)}`;
    })
    .join(' ');
  return `${time} ${entry.level.toUpperCase().padEnd(5)} ${entry.event}${fields ? `  ${fields}` : ''}`;
}

const SECRET_FIELD = /pass(word|phrase)?|token|secret|key|credential|authorization/i;

export function maskSecretFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, SECRET_FIELD.test(k) ? '[masked]' : v]));
}

/** For tests: collects entries in memory. */
export class MemoryLogger implements Logger {
  readonly entries: Array<{ level: Level; event: string; fields: Record<string, unknown> }> = [];
  info(event: string, fields: Record<string, unknown> = {}): void {
    this.entries.push({ level: 'info', event, fields });
  }
  warn(event: string, fields: Record<string, unknown> = {}): void {
    this.entries.push({ level: 'warn', event, fields });
  }
  error(event: string, fields: Record<string, unknown> = {}): void {
    this.entries.push({ level: 'error', event, fields });
  }
}
