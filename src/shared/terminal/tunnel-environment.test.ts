import { describe, expect, it } from 'vitest';
import { describeVariables, exportLine, tunnelEnvironmentChange, tunnelVariables } from './tunnel-environment';

describe('tunnel variables for a terminal tab', () => {
  it('passes host and port variables and refuses the rest, by name', () => {
    const { variables, refused } = tunnelVariables({
      PGPORT: '54321',
      PGHOST: '127.0.0.1',
      REDIS_HOST: 'localhost',
      REDIS_PORT: '46379',
      PGPASSWORD: 'hunter2',
      REDIS_URL: 'redis://:secret@127.0.0.1:6379',
      MYSQL_PORT: '3306; rm -rf ~',
      lower_port: '1',
    });
    expect(variables).toEqual({ PGHOST: '127.0.0.1', PGPORT: '54321', REDIS_HOST: 'localhost', REDIS_PORT: '46379' });
    expect(Object.keys(variables)).toEqual(['PGHOST', 'PGPORT', 'REDIS_HOST', 'REDIS_PORT']);
    expect(refused).toEqual(['MYSQL_PORT', 'PGPASSWORD', 'REDIS_URL', 'lower_port']);
  });

  it('tells what a new shell would get that this one lacks, and what closed', () => {
    const started = { PGHOST: '127.0.0.1', PGPORT: '54321' };
    expect(tunnelEnvironmentChange(started, { ...started })).toBeUndefined();
    expect(tunnelEnvironmentChange({}, {})).toBeUndefined();
    expect(tunnelEnvironmentChange(started, { ...started, REDIS_HOST: '127.0.0.1', REDIS_PORT: '46379' })).toEqual({
      added: { REDIS_HOST: '127.0.0.1', REDIS_PORT: '46379' },
      gone: [],
    });
    // Reopened on another local port: the shell's PGPORT is stale.
    expect(tunnelEnvironmentChange(started, { PGHOST: '127.0.0.1', PGPORT: '54999' })).toEqual({ added: { PGPORT: '54999' }, gone: [] });
    expect(tunnelEnvironmentChange(started, {})).toEqual({ added: {}, gone: ['PGHOST', 'PGPORT'] });
  });

  it('writes one line to paste: export what opened, unset what closed', () => {
    expect(exportLine({ added: { REDIS_HOST: '127.0.0.1', REDIS_PORT: '46379' }, gone: [] })).toBe('export REDIS_HOST=127.0.0.1 REDIS_PORT=46379');
    expect(exportLine({ added: {}, gone: ['PGHOST', 'PGPORT'] })).toBe('unset PGHOST PGPORT');
    expect(exportLine({ added: { PGPORT: '54999' }, gone: ['REDIS_PORT'] })).toBe('export PGPORT=54999; unset REDIS_PORT');
    expect(exportLine({ added: {}, gone: [] })).toBe('');
  });

  it('describes variables for the status line', () => {
    expect(describeVariables({ PGHOST: '127.0.0.1', PGPORT: '54321' })).toBe('PGHOST=127.0.0.1 PGPORT=54321');
  });
});
