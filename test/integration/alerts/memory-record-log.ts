/** A RecordLog in memory for the alerts tests (the encrypted store is tested on its own). */
import type { RecordInput, RecordLog, StoredRecord } from '../../../src/main/incidents/record-log';
import { Emitter } from '../../../src/shared/lifetimes';
import { CockpitFailure } from '../../../src/shared/result';

export class MemoryRecordLog implements RecordLog {
  readonly logs = new Map<string, StoredRecord[]>();
  private readonly appended = new Emitter<{ logId: string; record: StoredRecord }>();
  readonly onDidAppend = this.appended.event;
  async listLogs(): Promise<string[]> {
    return [...this.logs.keys()].sort();
  }
  async read(id: string): Promise<StoredRecord[]> {
    const records = this.logs.get(id);
    if (!records) throw new CockpitFailure('NotFound', `no log "${id}"`);
    return records.map((r) => structuredClone(r));
  }
  async append<B>(id: string, input: RecordInput<B>): Promise<StoredRecord<B>> {
    const records = this.logs.get(id) ?? [];
    const record: StoredRecord<B> = { seq: records.length + 1, at: new Date().toISOString(), actor: input.actor ?? 'tester', type: input.type, body: input.body };
    this.logs.set(id, [...records, record]);
    this.appended.fire({ logId: id, record });
    return record;
  }
}
