import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '../evidence/durable-files';
import type { WebHost } from './web-host';

/**
 * Where the web host was last reachable: the port (reused at the next start when free, so an
 * open tab finds the host again) and the whole URL with its token, in a private file a user or
 * a stale tab's message can point to (`<data>/web-host.url`).
 */
export class WebHostAddress {
  constructor(private readonly dataDir: string) {}

  get urlFile(): string {
    return path.join(this.dataDir, 'web-host.url');
  }

  private get portFile(): string {
    return path.join(this.dataDir, 'web-host.json');
  }

  async previousPort(): Promise<number | undefined> {
    try {
      const { port } = JSON.parse(await readFile(this.portFile, 'utf8')) as { port?: unknown };
      return typeof port === 'number' && Number.isInteger(port) && port > 1023 && port < 65536 ? port : undefined;
    } catch {
      return undefined;
    }
  }

  async remember(host: Pick<WebHost, 'port' | 'url'>): Promise<void> {
    await writeFileDurably(this.portFile, `${JSON.stringify({ port: host.port })}\n`);
    await writeFileDurably(this.urlFile, `${host.url}\n`);
  }

  /** The URL holds the token: it goes when the host stops. The port stays, for the next start. */
  async forget(): Promise<void> {
    await rm(this.urlFile, { force: true });
  }
}
