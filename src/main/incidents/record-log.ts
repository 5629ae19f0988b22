/**
 * The storage seam for incidents: each incident is an append-only log of records, and its state
 * is a fold of them. The foundation ships a plain JSONL implementation (`JsonlRecordLog`); the
 * encrypted evidence store implements the same interface and replaces it.
 */
export interface RecordContext {
  context?: string;
  namespace?: string;
}

/** What a caller asks to append. */
export interface RecordInput<B = unknown> {
  type: string;
  body: B;
  /** Defaults to the OS user. */
  actor?: string;
  context?: RecordContext;
  /** SHA-256 (hex) of each attachment this record references. */
  attachments?: string[];
}

/** What the log hands back: the input plus its position and custody fields. */
export interface StoredRecord<B = unknown> {
  seq: number;
  /** UTC, ISO 8601. */
  at: string;
  actor: string;
  type: string;
  body: B;
  context?: RecordContext;
  attachments?: string[];
}

export interface RecordLog {
  /** Ids of every log that exists (incident ids, plus `session` when it has records). */
  listLogs(): Promise<string[]>;
  /** Every record of one log, in order. Throws CockpitFailure('NotFound' | 'Corrupt') with specifics. */
  read(logId: string): Promise<StoredRecord[]>;
  /** Appends one record; resolves once it is durable. Creates the log on first append. */
  append<B>(logId: string, record: RecordInput<B>): Promise<StoredRecord<B>>;
}
