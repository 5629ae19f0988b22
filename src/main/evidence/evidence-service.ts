import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { EvidenceAttachment } from '../../shared/evidence';
import { CockpitFailure } from '../../shared/result';
import type { RecordContext, StoredRecord } from '../incidents/record-log';
import type { EvidenceStore, LogVerification } from './evidence-store';
import type { EvidenceVault, VaultStatus } from './evidence-vault';
import { writeExportBundle, type ExportEncryption } from './export-bundle';
import { ATTACHMENT_CHUNK } from './attachment-sealing';
import type { RedactionTally } from './secret-redaction';
import type { SignedCheckpoint } from './checkpoints';

/** Pasted text up to this size lives in the record body; larger text becomes an attachment. */
export const INLINE_TEXT_LIMIT = 64 * 1024;

export interface TimelineFilter {
  types?: string[];
  actor?: string;
  /** Case-insensitive substring of the record's type or body. */
  text?: string;
}

/** An attachment as the Evidence panel lists it. */
export type AttachmentInfo = EvidenceAttachment;

export interface AttachmentContent {
  sha256: string;
  size: number;
  content: Buffer;
  truncated: boolean;
}

export interface ExportResult {
  path: string;
  sha256: string;
  bytes: number;
  records: number;
  headHash: string;
  checkpoint: SignedCheckpoint;
  /** Seq of the `evidence.exported` custody record. */
  custodySeq: number;
}

export type FileSource = { path: string; name?: string } | { stream: AsyncIterable<Buffer>; name: string };

/** The `evidence.added` record body. */
export interface EvidenceAddedBody {
  kind: 'text' | 'file';
  title: string;
  text?: string;
  name?: string;
  sha256?: string;
  size: number;
  mediaType?: string;
  redacted: boolean;
  redactions: RedactionTally;
}

/** Whether a sample of bytes looks like UTF-8 text (no NUL, decodes, allowing a cut last char). */
export function looksLikeText(sample: Buffer): boolean {
  if (sample.includes(0)) return false;
  for (let trim = 0; trim <= 3 && trim <= sample.length; trim++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, sample.length - trim));
      return true;
    } catch {
      // try again without a possibly cut multi-byte character
    }
  }
  return false;
}

async function* prepend(first: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  for (const b of first) yield b;
  for (;;) {
    const { value, done } = await rest.next();
    if (done) return;
    yield value;
  }
}

/**
 * The Evidence service the app puts on the contract: vault state, adding text and files,
 * timeline, attachments, verify and export. Everything goes through the one EvidenceStore.
 */
export class EvidenceService {
  constructor(
    private readonly vault: EvidenceVault,
    private readonly store: EvidenceStore,
  ) {}

  status(): Promise<VaultStatus> {
    return this.vault.status();
  }

  initialise(passphrase?: string): Promise<VaultStatus> {
    return this.vault.initialise(passphrase);
  }

  unlock(passphrase?: string): Promise<VaultStatus> {
    return this.vault.unlock(passphrase);
  }

  /** Locks the vault once every task holding its key has finished; the store closes its logs (with a closing checkpoint). */
  async lock(): Promise<VaultStatus> {
    await this.vault.lock();
    return this.vault.status();
  }

  /** Adds pasted text (a log excerpt, a command's output), redacted before it is sealed. */
  async addText(incidentId: string, input: { title: string; text: string; context?: RecordContext }): Promise<StoredRecord<EvidenceAddedBody>> {
    if (typeof input.text !== 'string') throw new CockpitFailure('Invalid', 'Evidence text must be a string.');
    const size = Buffer.byteLength(input.text);
    if (size <= INLINE_TEXT_LIMIT) {
      const { value: text, hits } = await this.store.redactor.redactText(input.text);
      return this.store.append<EvidenceAddedBody>(incidentId, {
        type: 'evidence.added',
        body: { kind: 'text', title: input.title, text, size: Buffer.byteLength(text), mediaType: 'text/plain', redacted: true, redactions: hits },
        ...(input.context ? { context: input.context } : {}),
      });
    }
    const stored = await this.store.putAttachment(incidentId, (async function* () {
      yield Buffer.from(input.text);
    })(), { text: true });
    return this.store.append<EvidenceAddedBody>(incidentId, {
      type: 'evidence.added',
      body: {
        kind: 'text',
        title: input.title,
        sha256: stored.sha256,
        size: stored.size,
        mediaType: 'text/plain',
        redacted: true,
        redactions: stored.redactions,
      },
      attachments: [stored.sha256],
      ...(input.context ? { context: input.context } : {}),
    });
  }

  /** Adds a file or stream as an attachment, streamed in chunks; text content is redacted. */
  async addFile(
    incidentId: string,
    source: FileSource,
    options: { title?: string; context?: RecordContext } = {},
  ): Promise<StoredRecord<EvidenceAddedBody>> {
    let iterable: AsyncIterable<Buffer>;
    let name: string;
    if ('path' in source) {
      const handle = await open(source.path, 'r').catch(() => {
        throw new CockpitFailure('NotFound', `Cannot read ${source.path}.`);
      });
      await handle.close();
      iterable = createReadStream(source.path, { highWaterMark: ATTACHMENT_CHUNK });
      name = source.name ?? path.basename(source.path);
    } else {
      iterable = source.stream;
      name = source.name;
    }
    const iterator = iterable[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const head: Buffer[] = [];
    let sampled = 0;
    while (sampled < 8192) {
      const { value, done } = await iterator.next();
      if (done) break;
      head.push(value);
      sampled += value.length;
    }
    const text = looksLikeText(Buffer.concat(head).subarray(0, 8192));
    const stored = await this.store.putAttachment(incidentId, prepend(head, iterator), { text });
    return this.store.append<EvidenceAddedBody>(incidentId, {
      type: 'evidence.added',
      body: {
        kind: 'file',
        title: options.title ?? name,
        name,
        sha256: stored.sha256,
        size: stored.size,
        mediaType: text ? 'text/plain' : 'application/octet-stream',
        redacted: text,
        redactions: stored.redactions,
      },
      attachments: [stored.sha256],
      ...(options.context ? { context: options.context } : {}),
    });
  }

  /** The incident's records in order, filtered for the Evidence panel. */
  async timeline(incidentId: string, filter: TimelineFilter = {}): Promise<StoredRecord[]> {
    const records = await this.store.read(incidentId);
    const needle = filter.text?.toLowerCase();
    return records.filter(
      (r) =>
        (!filter.types || filter.types.length === 0 || filter.types.includes(r.type)) &&
        (!filter.actor || r.actor === filter.actor) &&
        (!needle || r.type.toLowerCase().includes(needle) || JSON.stringify(r.body ?? '').toLowerCase().includes(needle)),
    );
  }

  async attachments(incidentId: string): Promise<AttachmentInfo[]> {
    const records = await this.store.read(incidentId);
    const seen = new Map<string, AttachmentInfo>();
    for (const r of records) {
      for (const sha256 of r.attachments ?? []) {
        if (seen.has(sha256)) continue;
        const body = (r.body ?? {}) as Partial<EvidenceAddedBody>;
        seen.set(sha256, {
          sha256,
          name: body.name ?? body.title ?? sha256.slice(0, 12),
          size: typeof body.size === 'number' ? body.size : await this.store.attachmentSize(incidentId, sha256),
          mediaType: body.mediaType ?? 'application/octet-stream',
          redacted: body.redacted ?? false,
          seq: r.seq,
          at: r.at,
          actor: r.actor,
        });
      }
    }
    return [...seen.values()];
  }

  /** Up to `maxBytes` of an attachment's (redacted) content, for display. */
  async readAttachment(incidentId: string, sha256: string, options: { maxBytes?: number } = {}): Promise<AttachmentContent> {
    const limit = options.maxBytes ?? 1024 * 1024;
    const size = await this.store.attachmentSize(incidentId, sha256);
    const parts: Buffer[] = [];
    let held = 0;
    const stream = this.store.readAttachment(incidentId, sha256);
    for await (const chunk of stream) {
      parts.push(chunk.subarray(0, limit - held));
      held += Math.min(chunk.length, limit - held);
      if (held >= limit) {
        await stream.return(undefined);
        break;
      }
    }
    return { sha256, size, content: Buffer.concat(parts), truncated: size > held };
  }

  verify(incidentId: string): Promise<LogVerification> {
    return this.store.verify(incidentId);
  }

  /** Signs a checkpoint over the incident's log (call at every incident status change). */
  checkpoint(incidentId: string, reason: string): Promise<SignedCheckpoint> {
    return this.store.checkpoint(incidentId, reason);
  }

  /**
   * Exports the incident as one age-encrypted file (passphrase or X25519 recipient), signed with a
   * fresh checkpoint, then records the export as an `evidence.exported` custody record.
   */
  async export(incidentId: string, encryption: ExportEncryption, outPath: string): Promise<ExportResult> {
    const checkpoint = await this.store.checkpoint(incidentId, 'export');
    const { records, verification } = await this.store.readChained(incidentId);
    if (verification.status === 'corrupt') throw new CockpitFailure('Corrupt', `Log ${incidentId}: ${verification.notice}`);
    const exported = records.slice(0, checkpoint.count);
    const shas = [...new Set(exported.flatMap((r) => r.attachments ?? []))];
    const attachments = await Promise.all(
      shas.map(async (sha256) => ({
        sha256,
        size: await this.store.attachmentSize(incidentId, sha256),
        open: () => this.store.readAttachment(incidentId, sha256),
      })),
    );
    const signer = this.vault.signingKey();
    const actor = this.store.currentActor();
    const frames = await this.store.framesUpTo(incidentId, exported.at(-1)?.end);
    const written = await writeExportBundle(
      { logId: incidentId, records: exported, checkpoint, signer, actor, now: new Date(), attachments, frames },
      encryption,
      outPath,
    );
    const custody = await this.store.append(incidentId, {
      type: 'evidence.exported',
      body: {
        file: written.path,
        sha256: written.sha256,
        bytes: written.bytes,
        encryption: 'passphrase' in encryption ? 'age-passphrase' : 'age-x25519',
        ...('recipient' in encryption ? { recipient: encryption.recipient } : {}),
        records: checkpoint.count,
        headHash: checkpoint.headHash,
        checkpointAt: checkpoint.at,
      },
    });
    return { ...written, records: checkpoint.count, headHash: checkpoint.headHash, checkpoint, custodySeq: custody.seq };
  }
}
