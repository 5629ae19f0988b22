/**
 * The storage seam for incidents: each incident is an append-only log of records, and its state
 * is a fold of them. The encrypted evidence store (`EvidenceStore`) implements it.
 */
import type { Event } from '../../shared/lifetimes';
import type { RecordInput, StoredRecord } from '../../shared/records';

export type { RecordContext, RecordInput, StoredRecord } from '../../shared/records';

export interface RecordLog {
  /** Ids of every log that exists (incident ids, plus `session` when it has records). */
  listLogs(): Promise<string[]>;
  /** Every record of one log, in order. Throws CockpitFailure('NotFound' | 'Corrupt') with specifics. */
  read(logId: string): Promise<StoredRecord[]>;
  /** Appends one record; resolves once it is durable. Creates the log on first append. */
  append<B>(logId: string, record: RecordInput<B>): Promise<StoredRecord<B>>;
  /** Fires once a record is durable in a log, whoever appended it. */
  readonly onDidAppend: Event<{ logId: string; record: StoredRecord }>;
}
