import { mkdir, open, readdir, readFile, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { EvidenceVerification } from '../../shared/evidence';
import { Emitter } from '../../shared/lifetimes';
import { CockpitFailure } from '../../shared/result';
import type { RecordInput, RecordLog, StoredRecord } from '../incidents/record-log';
import type { EvidenceVault } from './evidence-vault';
import { LOG_MAGIC, sha256 } from './log-frames';
import { unwrapSecret, wrapSecret } from './sealing';
import { dataKeyLabel, openRecordFrame, sealRecordFrame } from './record-sealing';
import { appendDurably, fsyncDirectory, writeFileDurably } from './durable-files';
import { attachmentsDir, checkpointsFile, inspectLogDir, keyFile, recordsFile, writerPidFile, type LogInspection } from './log-inspection';
import { signCheckpoint, type SignedCheckpoint } from './checkpoints';
import { SecretRedactor, type RedactionTally } from './secret-redaction';
import { attachmentPlainSize, openAttachment, sealAttachment, type PlaintextHasher } from './attachment-sealing';
import { offThreadSha256 } from './off-thread-hashing';

/** The plaintext JSON sealed in each frame: the record plus the custody and chain fields. */
export interface SealedRecordPlaintext {
  v: 1;
  log: string;
  seq: number;
  at: string;
  actor: string;
  type: string;
  context?: StoredRecord['context'];
  body: unknown;
  attachments?: string[];
  /** Hex SHA-256 of the previous sealed frame (the same value the frame header carries). */
  prev: string;
}

/** What `verify` answers, shaped for the Evidence panel. */
export type LogVerification = EvidenceVerification;

/** A record as the store holds it in memory: the stored record and its frame hash. */
export interface ChainedRecord extends StoredRecord {
  /** Hex SHA-256 of this record's sealed frame. */
  hash: string;
  prev: string;
}

export interface EvidenceStoreOptions {
  vault: EvidenceVault;
  redactor?: SecretRedactor;
  /** Defaults to the OS user name. */
  actor?: () => string;
  clock?: () => Date;
  /** How attachment plaintext is hashed: by default on a worker thread beside encryption. */
  hasherFactory?: () => PlaintextHasher;
  /**
   * Crash tests only: write each frame in pieces of this many bytes, yielding between them, so a
   * SIGKILL can land inside a record the way a power cut can.
   */
  frameWritePieces?: number;
}

interface KeyFileContent {
  format: 'incident-cockpit-log-key';
  keyVersion: number;
  wrapped: string;
}

interface OpenLog {
  logId: string;
  /** Opened with O_DSYNC: each write returns once durable, no separate fdatasync needed. */
  syncedWrites: boolean;
  dir: string;
  dataKey: Buffer;
  keyVersion: number;
  handle: FileHandle;
  size: number;
  headHash: Buffer;
  records: ChainedRecord[];
  verification: LogVerification;
}

const LOG_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Refuses log ids that could leave the store directory. */
export function assertLogId(logId: string): void {
  if (!LOG_ID.test(logId) || logId.includes('..')) {
    throw new CockpitFailure('Invalid', `"${logId}" is not a valid log id (letters, digits, . _ - only).`);
  }
}


let osUserName: string | undefined;

/** The OS user, looked up once: `userInfo()` reads the passwd database on every call. */
function osUser(): string {
  if (osUserName === undefined) {
    try {
      osUserName = userInfo().username;
    } catch {
      osUserName = process.env.USER ?? process.env.USERNAME ?? 'unknown';
    }
  }
  return osUserName;
}

/**
 * The encrypted, hash-chained, crash-safe evidence store: one sealed append-only log per
 * incident (plus `session`), attachments beside it, checkpoints signed by the installation key.
 * It is the one way anything is stored, and implements the incidents service's RecordLog.
 */
export class EvidenceStore implements RecordLog {
  private readonly logs = new Map<string, OpenLog>();
  private readonly chains = new Map<string, Promise<unknown>>();
  /** Torn-tail repairs done by this process, so a later verify still reports them. */
  private readonly repairs = new Map<string, string>();
  readonly redactor: SecretRedactor;
  private readonly actor: () => string;
  private readonly clock: () => Date;
  private readonly hasherFactory: () => PlaintextHasher;
  private readonly appended = new Emitter<{ logId: string; record: StoredRecord }>();
  /** Fires once a record is durable, so the incidents service folds what evidence added. */
  readonly onDidAppend = this.appended.event;

  constructor(private readonly options: EvidenceStoreOptions) {
    this.redactor = options.redactor ?? new SecretRedactor();
    this.actor = options.actor ?? osUser;
    this.clock = options.clock ?? (() => new Date());
    this.hasherFactory = options.hasherFactory ?? offThreadSha256;
    options.vault.onDidLock(() => void this.closeAll());
  }

  get root(): string {
    return this.options.vault.dir;
  }

  /** Who new records are attributed to by default (the OS user). */
  currentActor(): string {
    return this.actor();
  }

  get vault(): EvidenceVault {
    return this.options.vault;
  }

  logDir(logId: string): string {
    assertLogId(logId);
    return path.join(this.root, 'logs', logId);
  }

  /** Runs `task` after every earlier task on the same log: appends never interleave. */
  private serialised<T>(logId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(logId) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(logId, settled);
    void settled.then(() => {
      if (this.chains.get(logId) === settled) this.chains.delete(logId);
    });
    return next;
  }

  async listLogs(): Promise<string[]> {
    const dir = path.join(this.root, 'logs');
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const ids: string[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || !LOG_ID.test(entry.name)) continue;
      if (await stat(recordsFile(path.join(dir, entry.name))).catch(() => undefined)) ids.push(entry.name);
    }
    return ids.sort();
  }

  async read(logId: string): Promise<StoredRecord[]> {
    const log = await this.serialised(logId, () => this.ensureOpen(logId, false));
    if (log.verification.status === 'corrupt') {
      throw new CockpitFailure('Corrupt', `Log ${logId}: ${log.verification.notice}`, `seq ${log.verification.corruptAtSeq}`);
    }
    return log.records.map(toStoredRecord);
  }

  /** Every valid record with its chain hashes, and the verdict; does not throw on corruption. */
  async readChained(logId: string): Promise<{ records: ChainedRecord[]; verification: LogVerification }> {
    const log = await this.serialised(logId, () => this.ensureOpen(logId, false));
    return { records: [...log.records], verification: { ...log.verification } };
  }

  /** Redacts the body, then seals and appends it; resolves once durable. The returned body is the redacted one. */
  async append<B>(logId: string, input: RecordInput<B>): Promise<StoredRecord<B>> {
    assertLogId(logId);
    if (typeof input.type !== 'string' || input.type.length === 0) throw new CockpitFailure('Invalid', 'A record needs a type.');
    this.options.vault.masterKey();
    const {
      values: [body, context],
    } = await this.redactor.redactValues([input.body, input.context] as const);
    return this.serialised(logId, async () => {
      const log = await this.ensureOpen(logId, true);
      return toStoredRecord(await this.writeRecord(log, { ...input, body, context })) as StoredRecord<B>;
    });
  }

  private async writeRecord(log: OpenLog, input: RecordInput): Promise<ChainedRecord> {
    if (log.verification.status === 'corrupt') {
      throw new CockpitFailure(
        'Corrupt',
        `Log ${log.logId} refuses appends until its corruption is resolved: ${log.verification.notice}`,
        `seq ${log.verification.corruptAtSeq}`,
      );
    }
    const seq = log.records.length + 1;
    const plaintext: SealedRecordPlaintext = {
      v: 1,
      log: log.logId,
      seq,
      at: this.clock().toISOString(),
      actor: input.actor ?? this.actor(),
      type: input.type,
      ...(input.context ? { context: input.context } : {}),
      body: input.body ?? null,
      ...(input.attachments && input.attachments.length > 0 ? { attachments: [...input.attachments] } : {}),
      prev: log.headHash.toString('hex'),
    };
    const frame = sealRecordFrame(
      log.logId,
      log.dataKey,
      { keyVersion: log.keyVersion, seq, prevHash: log.headHash },
      Buffer.from(JSON.stringify(plaintext)),
    );
    try {
      await writeFully(log.handle, frame, log.size, this.options.frameWritePieces);
      if (!log.syncedWrites) await log.handle.datasync();
    } catch (err) {
      await log.handle.truncate(log.size).catch(() => undefined);
      throw err;
    }
    const hash = sha256(frame);
    const record: ChainedRecord = { ...fromPlaintext(plaintext), hash: hash.toString('hex'), prev: plaintext.prev };
    log.size += frame.length;
    log.headHash = hash;
    log.records.push(record);
    log.verification = { ...log.verification, records: seq, headHash: record.hash };
    this.appended.fire({ logId: log.logId, record: toStoredRecord(record) });
    return record;
  }

  /** Signs a checkpoint over the log's current head (at status changes and every export). */
  checkpoint(logId: string, reason: string): Promise<SignedCheckpoint> {
    return this.serialised(logId, async () => {
      const log = await this.ensureOpen(logId, true);
      if (log.verification.status === 'corrupt') {
        throw new CockpitFailure('Corrupt', `Log ${logId} is corrupt; no checkpoint is signed over it: ${log.verification.notice}`);
      }
      const { privateKey, publicKey } = this.options.vault.signingKey();
      const signed = signCheckpoint(
        { logId, count: log.records.length, headHash: log.headHash.toString('hex'), at: this.clock().toISOString(), reason },
        privateKey,
        publicKey,
      );
      await appendDurably(checkpointsFile(log.dir), `${JSON.stringify(signed)}\n`);
      return signed;
    });
  }

  /** Re-reads the log from disk and checks framing, chain, checkpoints and every record's seal. */
  verify(logId: string): Promise<LogVerification> {
    return this.serialised(logId, async () => {
      await this.close(logId);
      const log = await this.ensureOpen(logId, false);
      const repaired = this.repairs.get(logId);
      if (log.verification.status === 'ok' && repaired) return { ...log.verification, status: 'repaired', notice: repaired };
      return { ...log.verification };
    });
  }

  /**
   * Seals a stream as an attachment of the log; text is redacted on the way (line-based batches).
   * Returns its SHA-256 (of the redacted plaintext) for the record that references it.
   */
  async putAttachment(
    logId: string,
    source: AsyncIterable<Buffer>,
    options: { text: boolean },
  ): Promise<{ sha256: string; size: number; redactions: RedactionTally }> {
    const log = await this.serialised(logId, () => this.ensureOpen(logId, true));
    const redactions: RedactionTally = {};
    const plain = options.text ? this.redactor.redactStream(source, redactions) : source;
    // A copy: closing the log (verify, lock) zeroes its key while this stream may still run.
    const key = Buffer.from(log.dataKey);
    try {
      const sealed = await sealAttachment({
        dir: attachmentsDir(log.dir),
        logId,
        key,
        keyVersion: log.keyVersion,
        source: plain,
        hasher: this.hasherFactory(),
      });
      return { sha256: sealed.sha256, size: sealed.size, redactions };
    } finally {
      key.fill(0);
    }
  }

  /** Streams an attachment's plaintext, authenticated chunk by chunk and hash-checked at the end. */
  async *readAttachment(logId: string, sha256: string): AsyncGenerator<Buffer> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new CockpitFailure('Invalid', 'An attachment is named by its hex SHA-256.');
    const log = await this.serialised(logId, () => this.ensureOpen(logId, false));
    const file = path.join(attachmentsDir(log.dir), `${sha256}.att`);
    if (!(await stat(file).catch(() => undefined))) throw new CockpitFailure('NotFound', `Attachment ${sha256} is not in log ${logId}.`);
    const key = Buffer.from(log.dataKey);
    try {
      yield* openAttachment({ file, logId, key, expectedSha256: sha256 });
    } finally {
      key.fill(0);
    }
  }

  /** The plaintext size of an attachment, from its chunk headers. */
  async attachmentSize(logId: string, sha256: string): Promise<number> {
    const log = await this.serialised(logId, () => this.ensureOpen(logId, false));
    return attachmentPlainSize(path.join(attachmentsDir(log.dir), `${sha256}.att`));
  }

  private async ensureOpen(logId: string, create: boolean): Promise<OpenLog> {
    assertLogId(logId);
    const cached = this.logs.get(logId);
    if (cached) return cached;
    const master = this.options.vault.masterKey();
    const dir = this.logDir(logId);
    const exists = await stat(recordsFile(dir)).catch(() => undefined);
    if (!exists) {
      if (!create) throw new CockpitFailure('NotFound', `There is no evidence log "${logId}".`);
      await this.createLog(logId, dir, master);
    }
    let keyContent: KeyFileContent;
    try {
      keyContent = JSON.parse(await readFile(keyFile(dir), 'utf8')) as KeyFileContent;
    } catch (err) {
      throw new CockpitFailure('Corrupt', `The key file of log ${logId} is missing or unreadable: ${(err as Error).message}`, keyFile(dir));
    }
    let dataKey: Buffer;
    try {
      dataKey = unwrapSecret(master, dataKeyLabel(logId, keyContent.keyVersion), Buffer.from(keyContent.wrapped, 'base64'));
    } catch {
      throw new CockpitFailure(
        'Corrupt',
        `The data key of log ${logId} does not open with this vault's master key (a log from another vault, or a damaged key file).`,
        keyFile(dir),
      );
    }
    await removeIncompleteAttachments(attachmentsDir(dir));
    const inspection = await inspectLogDir(dir, { repair: true, publicKey: this.options.vault.signingKey().publicKey });
    const { records, verification } = decryptAll(logId, dataKey, inspection);
    if (inspection.status === 'repaired' && inspection.notice) this.repairs.set(logId, inspection.notice);
    // O_DSYNC makes each write durable before it returns (write + fdatasync in one call, one
    // thread-pool hop); where the platform lacks it, appends fdatasync explicitly.
    const syncedWrites = typeof fsConstants.O_DSYNC === 'number' && process.platform !== 'win32';
    const handle = await open(recordsFile(dir), syncedWrites ? fsConstants.O_RDWR | fsConstants.O_DSYNC : 'r+');
    const last = records.at(-1);
    const log: OpenLog = {
      logId,
      syncedWrites,
      dir,
      dataKey,
      keyVersion: keyContent.keyVersion,
      handle,
      size: inspection.size,
      headHash: Buffer.from(verification.status === 'corrupt' ? inspection.headHash : (last?.hash ?? inspection.headHash), 'hex'),
      records,
      verification,
    };
    this.logs.set(logId, log);
    await writeFile(writerPidFile(dir), String(process.pid)).catch(() => undefined);
    return log;
  }

  private async createLog(logId: string, dir: string, master: Buffer): Promise<void> {
    const logsDir = path.dirname(dir);
    await mkdir(attachmentsDir(dir), { recursive: true });
    const keyVersion = 1;
    const content: KeyFileContent = {
      format: 'incident-cockpit-log-key',
      keyVersion,
      wrapped: wrapSecret(master, dataKeyLabel(logId, keyVersion), randomBytes(32)).toString('base64'),
    };
    await writeFileDurably(keyFile(dir), JSON.stringify(content, null, 2));
    await writeFileDurably(recordsFile(dir), LOG_MAGIC);
    await fsyncDirectory(logsDir);
    await fsyncDirectory(this.root);
  }

  private async close(logId: string): Promise<void> {
    const log = this.logs.get(logId);
    if (!log) return;
    this.logs.delete(logId);
    log.dataKey.fill(0);
    await log.handle.close();
    if ([...this.logs.values()].every((l) => l.dir !== log.dir)) await rm(writerPidFile(log.dir), { force: true });
  }

  /** Closes every log and forgets its data key (on lock and on quit). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.logs.keys()].map((id) => this.close(id)));
  }
}

/** Sealing temp files left by a crash mid-attachment; nothing references them. */
async function removeIncompleteAttachments(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith('.incoming-') && n.endsWith('.tmp')).map((n) => rm(path.join(dir, n), { force: true })));
}

async function writeFully(handle: FileHandle, data: Buffer, position: number, pieces?: number): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const length = pieces ? Math.min(pieces, data.length - written) : data.length - written;
    const { bytesWritten } = await handle.write(data, written, length, position + written);
    written += bytesWritten;
    if (pieces) await new Promise((resolve) => setImmediate(resolve));
  }
}

function fromPlaintext(p: SealedRecordPlaintext): StoredRecord {
  const record: StoredRecord = { seq: p.seq, at: p.at, actor: p.actor, type: p.type, body: p.body };
  if (p.context) record.context = p.context;
  if (p.attachments) record.attachments = p.attachments;
  return record;
}

function toStoredRecord(r: ChainedRecord): StoredRecord {
  const record: StoredRecord = { seq: r.seq, at: r.at, actor: r.actor, type: r.type, body: r.body };
  if (r.context) record.context = r.context;
  if (r.attachments) record.attachments = r.attachments;
  return record;
}

/** Opens every frame the inspection accepted; the first that fails its seal marks corruption. */
function decryptAll(logId: string, dataKey: Buffer, inspection: LogInspection): { records: ChainedRecord[]; verification: LogVerification } {
  const records: ChainedRecord[] = [];
  const verification: LogVerification = {
    status: inspection.status === 'torn' ? 'ok' : inspection.status,
    records: inspection.records,
    headHash: inspection.headHash,
    ...(inspection.corruptAtSeq !== undefined ? { corruptAtSeq: inspection.corruptAtSeq } : {}),
    ...(inspection.notice !== undefined ? { notice: inspection.notice } : {}),
  };
  for (const frame of inspection.frames) {
    let plaintext: SealedRecordPlaintext;
    try {
      const bytes = openRecordFrame(logId, dataKey, frame);
      plaintext = JSON.parse(bytes.toString('utf8')) as SealedRecordPlaintext;
      if (plaintext.seq !== frame.seq || plaintext.log !== logId || plaintext.prev !== frame.prevHash.toString('hex')) {
        throw new Error('plaintext custody fields disagree with the frame');
      }
    } catch (err) {
      const reason = `corrupt at seq ${frame.seq}: record does not open with the log's data key or its sealed fields disagree (${(err as Error).message})`;
      const earlier = verification.status === 'corrupt' && (verification.corruptAtSeq ?? Infinity) < frame.seq;
      return {
        records,
        verification: {
          ...verification,
          status: 'corrupt',
          corruptAtSeq: earlier ? verification.corruptAtSeq! : frame.seq,
          notice: earlier ? `${verification.notice}; ${reason}` : verification.notice ? `${reason}; ${verification.notice}` : reason,
        },
      };
    }
    const record: ChainedRecord = {
      seq: plaintext.seq,
      at: plaintext.at,
      actor: plaintext.actor,
      type: plaintext.type,
      body: plaintext.body,
      hash: frame.hash.toString('hex'),
      prev: plaintext.prev,
    };
    if (plaintext.context) record.context = plaintext.context;
    if (plaintext.attachments) record.attachments = plaintext.attachments;
    records.push(record);
  }
  return { records, verification };
}
