import { describe, expect, it } from 'vitest';
import type { DrillPodRef } from '../types';
import { commandName, formatDate, hasCommand, splitSqlStatements } from './simulated-commands';

const podOf = (app: string) => ({ app }) as DrillPodRef;

describe('simulated commands', () => {
  it('offers each image its own tools and every container the basics', () => {
    expect(hasCommand(podOf('postgres'), '/usr/bin/psql')).toBe(true);
    expect(hasCommand(podOf('postgres'), 'redis-cli')).toBe(false);
    expect(hasCommand(podOf('redis'), 'redis-cli')).toBe(true);
    expect(hasCommand(podOf('codesign-api'), 'python')).toBe(true);
    expect(hasCommand(podOf('codesign-api'), 'printenv')).toBe(true);
    expect(hasCommand(podOf('codesign-api'), 'vim')).toBe(false);
    expect(commandName('/bin/sh')).toBe('sh');
  });

  it('splits a psql script on semicolons outside quotes and comments', () => {
    expect(splitSqlStatements("-- Update statistics\nANALYZE;\n\nSELECT ';' AS semi; -- trailing\nSELECT 1")).toEqual([
      '-- Update statistics\nANALYZE;',
      "SELECT ';' AS semi;",
      '-- trailing\nSELECT 1',
    ]);
  });

  it('prints dates as date(1) does in UTC', () => {
    expect(formatDate(Date.parse('2026-11-28T00:05:05Z'))).toBe('Sat Nov 28 00:05:05 UTC 2026');
  });
});
