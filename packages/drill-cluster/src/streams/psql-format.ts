/**
 * psql's default ("aligned") output, so `kubectl exec postgres-0 -- psql -c "..."` prints what
 * an operator expects: centred headers, right-aligned numbers, `(n rows)`, command tags, and
 * errors with `LINE n:` and a caret.
 */

/** Type OIDs psql right-aligns. */
const NUMERIC_TYPE_IDS = new Set([20, 21, 23, 26, 700, 701, 790, 1700, 28, 5069]);

export interface PsqlResultSet {
  /** The command tag's verb (`SELECT`, `UPDATE`, `VACUUM`, ...). */
  command: string;
  rowCount: number | null;
  /** Present when the statement returns rows (even zero rows). */
  fields?: Array<{ name: string; dataTypeID: number }>;
  /** Text values as the server sent them; null for SQL NULL. */
  rows?: Array<Array<string | null>>;
}

function displayWidth(text: string): number {
  let width = 0;
  for (const _ of text) width++;
  return width;
}

function padRight(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function padLeft(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

function centre(text: string, width: number): string {
  const extra = Math.max(0, width - displayWidth(text));
  const left = Math.floor(extra / 2);
  return ' '.repeat(left) + text + ' '.repeat(extra - left);
}

/** One result in aligned format, ending with the footer and a blank line. */
export function formatAligned(fields: Array<{ name: string; dataTypeID: number }>, rows: Array<Array<string | null>>): string {
  const cells = rows.map((row) => row.map((value) => (value === null ? '' : value).split('\n')));
  const widths = fields.map((f, i) =>
    Math.max(displayWidth(f.name), ...cells.map((row) => Math.max(...row[i]!.map((part) => displayWidth(part))))),
  );
  const rightAligned = fields.map((f) => NUMERIC_TYPE_IDS.has(f.dataTypeID));
  const last = fields.length - 1;
  const lines: string[] = [];
  lines.push(fields.map((f, i) => ` ${centre(f.name, widths[i]!)} `).join('|'));
  lines.push(widths.map((w) => '-'.repeat(w + 2)).join('+'));
  for (const row of cells) {
    const height = Math.max(1, ...row.map((parts) => parts.length));
    for (let h = 0; h < height; h++) {
      let line = '';
      for (let i = 0; i <= last; i++) {
        const parts = row[i]!;
        const value = parts[h] ?? '';
        const continued = h < parts.length - 1;
        const padded = rightAligned[i] ? padLeft(value, widths[i]!) : i === last && !continued ? value : padRight(value, widths[i]!);
        line += `${i === 0 ? ' ' : ' | '}${padded}`;
        if (continued) line += '+';
      }
      lines.push(line);
    }
  }
  lines.push(rows.length === 1 ? '(1 row)' : `(${rows.length} rows)`);
  return `${lines.join('\n')}\n\n`;
}

/** The command tag psql prints for a statement that returns no rows (`UPDATE 2`, `VACUUM`). */
export function commandTag(command: string, rowCount: number | null): string {
  const verb = command.toUpperCase();
  if (verb === 'INSERT') return `INSERT 0 ${rowCount ?? 0}`;
  if (['UPDATE', 'DELETE', 'SELECT', 'MOVE', 'FETCH', 'COPY', 'MERGE'].includes(verb)) return `${verb} ${rowCount ?? 0}`;
  return verb;
}

/** Every result of a `-c` string, as psql 15+ prints them. */
export function formatResults(results: PsqlResultSet[], tuplesOnly = false): string {
  let out = '';
  for (const result of results) {
    if (result.fields && result.fields.length > 0) {
      const table = formatAligned(result.fields, result.rows ?? []);
      if (tuplesOnly) {
        const body = table.split('\n').slice(2, -3);
        out += body.length ? `${body.join('\n')}\n\n` : '\n';
      } else {
        out += table;
      }
    } else {
      out += `${commandTag(result.command, result.rowCount)}\n`;
    }
  }
  return out;
}

export interface PsqlErrorInfo {
  message: string;
  severity?: string;
  /** 1-based character position in the query, as the server reports it. */
  position?: string | number;
  detail?: string;
  hint?: string;
}

/** `ERROR:  message`, then `LINE n: ...` with a caret under the position, as psql shows it. */
export function formatError(sql: string, error: PsqlErrorInfo): string {
  let out = `${error.severity ?? 'ERROR'}:  ${error.message}\n`;
  const position = error.position === undefined ? NaN : Number(error.position);
  if (Number.isFinite(position) && position > 0) {
    const before = [...sql].slice(0, position - 1).join('');
    const lineIndex = before.split('\n').length - 1;
    const lineText = sql.split('\n')[lineIndex] ?? '';
    const column = displayWidth(before.split('\n').pop() ?? '');
    const prefix = `LINE ${lineIndex + 1}: `;
    out += `${prefix}${lineText}\n${' '.repeat(prefix.length + column)}^\n`;
  }
  if (error.detail) out += `DETAIL:  ${error.detail}\n`;
  if (error.hint) out += `HINT:  ${error.hint}\n`;
  return out;
}
