/** The custody fields every stored record carries (see `RecordLog` in src/main/incidents). */
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
