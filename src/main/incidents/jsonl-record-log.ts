import { open, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { CockpitFailure } from '../../shared/result';
import type { RecordInput, RecordLog, StoredRecord } from './record-log';

const LOG_ID = /^[a-z0-9][a-z0-9-]{0,80}$/;

/**
 * The foundation's plain on-disk `RecordLog`: one JSON line per record in `<dir>/<logId>.jsonl`,
 * each append fsynced. Unencrypted; the evidence store replaces it. A line that does not parse is
 * reported as `Corrupt` with the file and line, never skipped.
 */
export class JsonlRecordLog implements RecordLog {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dir: string,
    private readonly defaultActor: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async listLogs(): Promise<string[]> {
    await mkdir(this.dir, { recursive: true });
    return (await readdir(this.dir))
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => f.slice(0, -'.jsonl'.length))
      .sort();
  }

  async read(logId: string): Promise<StoredRecord[]> {
    const file = this.fileOf(logId);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CockpitFailure('NotFound', `no log "${logId}"`);
      throw error;
    }
    const records: StoredRecord[] = [];
    const lines = text.split('\n');
    lines.forEach((line, index) => {
      if (line === '' && index === lines.length - 1) return;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (error) {
        throw new CockpitFailure('Corrupt', `${file}:${index + 1} is not valid JSON (${(error as Error).message})`, `${file}:${index + 1}`);
      }
      if (!isStoredRecord(record) || record.seq !== records.length + 1) {
        throw new CockpitFailure('Corrupt', `${file}:${index + 1} is not record ${records.length + 1}`, `${file}:${index + 1}`);
      }
      records.push(record);
    });
    return records;
  }

  append<B>(logId: string, input: RecordInput<B>): Promise<StoredRecord<B>> {
    const previous = this.tails.get(logId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.appendNow(logId, input));
    this.tails.set(logId, next);
    return next;
  }

  private async appendNow<B>(logId: string, input: RecordInput<B>): Promise<StoredRecord<B>> {
    await mkdir(this.dir, { recursive: true });
    const existing = await this.read(logId).catch((error: unknown) => {
      if (error instanceof CockpitFailure && error.code === 'NotFound') return [];
      throw error;
    });
    const record: StoredRecord<B> = {
      seq: existing.length + 1,
      at: this.now().toISOString(),
      actor: input.actor ?? this.defaultActor,
      type: input.type,
      body: input.body,
      ...(input.context ? { context: input.context } : {}),
      ...(input.attachments ? { attachments: input.attachments } : {}),
    };
    const handle = await open(this.fileOf(logId), 'a');
    try {
      await handle.write(JSON.stringify(record) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return record;
  }

  private fileOf(logId: string): string {
    if (!LOG_ID.test(logId)) throw new CockpitFailure('Invalid', `"${logId}" is not a log id`);
    return path.join(this.dir, `${logId}.jsonl`);
  }
}

function isStoredRecord(value: unknown): value is StoredRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.seq === 'number' && typeof r.at === 'string' && typeof r.actor === 'string' && typeof r.type === 'string' && 'body' in r;
}
