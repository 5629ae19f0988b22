import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileLogger, humanLine } from './logger';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logger-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileLogger', () => {
  it('prints human-readable lines on a terminal and keeps JSON in cockpit.log (0600 in a 0700 dir)', async () => {
    const echoed: string[] = [];
    const logs = path.join(dir, 'logs');
    const logger = new FileLogger(logs, (line) => echoed.push(line), { tty: true });
    logger.warn('evidence.unlock-failed', { code: 'WrongPassphrase', file: '/a b/c', passphrase: 'hunter2' });
    logger.info('runbook.loaded', { id: 'x' });
    expect(echoed).toHaveLength(1);
    expect(echoed[0]).toMatch(/^\d\d:\d\d:\d\d WARN {2}evidence\.unlock-failed {2}code=WrongPassphrase file="\/a b\/c" passphrase=\[masked\]$/);
    const lines = (await readFile(path.join(logs, 'cockpit.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: 'warn', event: 'evidence.unlock-failed', code: 'WrongPassphrase', passphrase: '[masked]' });
    expect(lines[1]).toMatchObject({ level: 'info', event: 'runbook.loaded' });
    expect((await stat(path.join(logs, 'cockpit.log'))).mode & 0o777).toBe(0o600);
    expect((await stat(logs)).mode & 0o777).toBe(0o700);
  });

  it('echoes JSON when stderr is not a terminal', () => {
    const echoed: string[] = [];
    new FileLogger(path.join(dir, 'logs'), (line) => echoed.push(line), { tty: false }).error('host.failed', { port: 1 });
    expect(JSON.parse(echoed[0]!)).toMatchObject({ level: 'error', event: 'host.failed', port: 1 });
    expect(humanLine({ at: '2026-12-01T20:05:11.000Z', level: 'error', event: 'x', fields: {} })).toBe('20:05:11 ERROR x');
  });
});
