import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

type Level = 'info' | 'warn' | 'error';

/**
 * JSON lines to `<dir>/cockpit.log` and, for warnings and errors, to stderr. Callers pass ids
 * and messages, never credentials; fields named like secrets are masked as a second guard.
 */
export class FileLogger implements Logger {
  private readonly file: string;

  constructor(dir: string, private readonly echo: (line: string) => void = (line) => process.stderr.write(line + '\n')) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'cockpit.log');
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
    const line = JSON.stringify({ at: new Date().toISOString(), level, event, ...maskSecretFields(fields) });
    appendFileSync(this.file, line + '\n');
    if (level !== 'info') this.echo(line);
  }
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
