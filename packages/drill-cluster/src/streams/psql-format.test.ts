import { describe, expect, it } from 'vitest';
import { commandTag, formatAligned, formatError, formatResults } from './psql-format';

const INT4 = 23;
const INT8 = 20;
const TEXT = 25;
const BOOL = 16;
const NUMERIC = 1700;
const FLOAT8 = 701;

// Expected strings were captured from the real psql 15 against PGlite.
describe('psql aligned output', () => {
  it('centres headers, right-aligns numbers and leaves the last text column unpadded', () => {
    const out = formatAligned(
      [
        { name: 'id', dataTypeID: INT4 },
        { name: 'name', dataTypeID: TEXT },
        { name: 'ok', dataTypeID: BOOL },
        { name: 'amount', dataTypeID: NUMERIC },
        { name: 'note', dataTypeID: TEXT },
      ],
      [
        ['1', 'alpha', 't', '12.5', null],
        ['22', 'é longer name', 'f', '3', 'x'],
      ],
    );
    expect(out).toBe(
      ' id |     name      | ok | amount | note \n' +
        '----+---------------+----+--------+------\n' +
        '  1 | alpha         | t  |   12.5 | \n' +
        ' 22 | é longer name | f  |      3 | x\n' +
        '(2 rows)\n\n',
    );
  });

  it('prints the runbook pg_stat_activity query as psql does', () => {
    const out = formatAligned(
      [
        { name: 'active_connections', dataTypeID: INT8 },
        { name: 'state', dataTypeID: TEXT },
      ],
      [['1', 'active']],
    );
    expect(out).toBe(' active_connections | state  \n--------------------+--------\n                  1 | active\n(1 row)\n\n');
  });

  it('prints zero rows and multi-line values with continuation marks', () => {
    expect(formatAligned([{ name: 'pg_terminate_backend', dataTypeID: BOOL }], [])).toBe(
      ' pg_terminate_backend \n----------------------\n(0 rows)\n\n',
    );
    const out = formatAligned(
      [
        { name: 'f', dataTypeID: FLOAT8 },
        { name: 'n', dataTypeID: INT4 },
        { name: 'm', dataTypeID: TEXT },
      ],
      [['1.5', null, 'multi\nline']],
    );
    expect(out).toBe('  f  | n |   m   \n-----+---+-------\n 1.5 |   | multi+\n     |   | line\n(1 row)\n\n');
  });

  it('prints every result of a multi-statement string, and command tags', () => {
    const out = formatResults([
      { command: 'SELECT', rowCount: 1, fields: [{ name: 'a', dataTypeID: INT4 }], rows: [['1']] },
      { command: 'SELECT', rowCount: 1, fields: [{ name: 'b', dataTypeID: TEXT }], rows: [['x']] },
      { command: 'UPDATE', rowCount: 2 },
      { command: 'VACUUM', rowCount: null },
    ]);
    expect(out).toBe(' a \n---\n 1\n(1 row)\n\n b \n---\n x\n(1 row)\n\nUPDATE 2\nVACUUM\n');
    expect(commandTag('INSERT', 3)).toBe('INSERT 0 3');
  });

  it('prints tuples only with -t', () => {
    const out = formatResults([{ command: 'SELECT', rowCount: 2, fields: [{ name: 'id', dataTypeID: INT4 }], rows: [['1'], ['22']] }], true);
    expect(out).toBe('  1\n 22\n\n');
  });

  it('shows the error with LINE and a caret under the position', () => {
    const sql = 'SELECT query, mean_time, calls, total_time \nFROM pg_stat_statements \nORDER BY mean_time DESC \nLIMIT 10;';
    const out = formatError(sql, { message: 'relation "pg_stat_statements" does not exist', position: String(sql.indexOf('pg_stat_statements') + 1) });
    expect(out).toBe('ERROR:  relation "pg_stat_statements" does not exist\nLINE 2: FROM pg_stat_statements \n             ^\n');
    expect(formatError('select 1/0', { message: 'division by zero' })).toBe('ERROR:  division by zero\n');
  });
});
