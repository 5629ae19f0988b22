/**
 * Alert source settings per context, persisted in the data dir as one private JSON file (0600 in
 * a 0700 folder): they name where a cluster's Prometheus is, which is nobody else's business. A
 * file that is unreadable or fails the schema is reported in the log and treated as empty for
 * the contexts it cannot describe, never thrown at a poll.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AlertSettingsSchema, type AlertSettings } from '../../shared/contract/alerts';
import type { Logger } from '../app/logger';
import { writeFileDurably } from '../evidence/durable-files';

const FileSchema = z.strictObject({ version: z.literal(1), contexts: z.record(z.string(), z.unknown()) });

export class AlertSettingsStore {
  readonly file: string;
  private cache: Map<string, AlertSettings> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly logger: Logger,
  ) {
    this.file = path.join(dataDir, 'alerts', 'settings.json');
  }

  private async load(): Promise<Map<string, AlertSettings>> {
    if (this.cache) return this.cache;
    const map = new Map<string, AlertSettings>();
    let text: string | undefined;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn('alerts.settings-unreadable', { file: this.file, message: (error as Error).message });
    }
    if (text !== undefined) {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        this.logger.warn('alerts.settings-invalid', { file: this.file, message: 'not JSON' });
      }
      const parsed = FileSchema.safeParse(doc);
      if (parsed.success) {
        for (const [context, value] of Object.entries(parsed.data.contexts)) {
          const settings = AlertSettingsSchema.safeParse(value);
          if (settings.success) map.set(context, settings.data);
          else this.logger.warn('alerts.settings-invalid', { file: this.file, context, message: settings.error.issues[0]?.message });
        }
      } else if (doc !== undefined) this.logger.warn('alerts.settings-invalid', { file: this.file, message: parsed.error.issues[0]?.message });
    }
    this.cache = map;
    return map;
  }

  async get(context: string): Promise<AlertSettings | undefined> {
    return (await this.load()).get(context);
  }

  /** Saves a context's settings; settings with neither endpoint remove the context's entry. */
  async set(context: string, settings: AlertSettings): Promise<void> {
    const map = await this.load();
    if (!settings.prometheus && !settings.alertmanager) map.delete(context);
    else map.set(context, settings);
    const text = `${JSON.stringify({ version: 1, contexts: Object.fromEntries(map) }, null, 2)}\n`;
    this.writing = this.writing.then(() => writeFileDurably(this.file, text));
    await this.writing;
  }
}
