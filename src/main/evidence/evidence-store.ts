import { open, readdir, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { EvidenceVerification } from '../../shared/evidence';
import { Emitter } from '../../shared/lifetimes';
import { CockpitFailure } from '../../shared/result';
import type { RecordInput, RecordLog, StoredRecord } from '../incidents/record-log';
import type { EvidenceVault } from './evidence-vault';
import { LOG_MAGIC, sha256, type ScannedFrame } from './log-frames';
import { unwrapSecret, wrapSecret } from './sealing';
import { dataKeyLabel, openRecordFrame, sealedPlaintextOf, sealRecordFrame, type SealedRecordPlaintext } from './record-sealing';
import { appendDurably, ensurePrivateDir, fsyncDirectory, writeFileDurably } from './durable-files';
import { attachmentsDir, checkpointsFile, inspectLogDir, keyFile, recordsFile, writerLockFile, type LogInspection } from './log-inspection';
import { signCheckpoint, type SignedCheckpoint } from './checkpoints';
import { SecretRedactor, type RedactionTally } from './secret-redaction';
import { attachmentPlainSize, openAttachment, sealAttachment, type PlaintextHasher } from './attachment-sealing';
import { offThreadSha256 } from './off-thread-hashing';
import { tryAcquireLock, type HeldLock } from './pid-lock';

export type { SealedRecordPlaintext } from './record-sealing';

/** What `verify` answers, shaped for the Evidence panel. */
export type LogVerification = EvidenceVerification;

/** A record as the store holds it in memory: the stored record and its frame hash. */
export interface ChainedRecord extends StoredRecord {
  /** Hex SHA-256 of this record's sealed frame. */
  hash: string;
  prev: string;
  /** The sealed plaintext's salt (v2 frames): an export needs it to rebuild the exact plaintext. */
  salt?: string;
  /** Byte offset in records.log just after this record's frame. */
  end?: number;
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
   * `writer` (the app): takes each log's exclusive writer lock, repairs torn tails, appends.
   * `reader` (the command-line verifier): opens read-only, never takes, cuts or deletes anything.
   */
  mode?: 'writer' | 'reader';
  /** Sign a checkpoint after this many records without one (default 64). */
  checkpointEvery?: number;
  /** …or this long after the first record without one (default 2 minutes). */
  checkpointAfterMs?: number;
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
  /** End of the verified frames: the next append goes exactly here, never after unverified bytes. */
  size: number;
  count: number;
  headHash: Buffer;
  lastCheckpointCount: number;
  checkpointTimer: ReturnType<typeof setTimeout> | undefined;
  verification: LogVerification;
  lock: HeldLock;
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

/** One pass over a log from disk: the verdict, and the records when asked for. */
interface LogPass {
  inspection: LogInspection;
  verification: LogVerification;
  records: ChainedRecord[];
  /** Attachments referenced by valid records, with the first seq naming each. */
  attachments: Map<string, number>;
}

/**
 * The encrypted, hash-chained, crash-safe evidence store: one sealed append-only log per
 * incident (plus `session`), attachments beside it, checkpoints signed by the installation key.
 * It is the one way anything is stored, and implements the incidents service's RecordLog.
 * Memory is bounded whatever a log's size: nothing but its head is held; reads stream from disk.
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
  private readonly writer: boolean;
  private readonly checkpointEvery: number;
  private readonly checkpointAfterMs: number;
  private readonly appended = new Emitter<{ logId: string; record: StoredRecord }>();
  /** Fires once a record is durable, so the incidents service folds what evidence added. */
  readonly onDidAppend = this.appended.event;

  constructor(private readonly options: EvidenceStoreOptions) {
    this.redactor = options.redactor ?? new SecretRedactor();
    this.actor = options.actor ?? osUser;
    this.clock = options.clock ?? (() => new Date());
    this.hasherFactory = options.hasherFactory ?? offThreadSha256;
    this.writer = (options.mode ?? 'writer') === 'writer';
    this.checkpointEvery = options.checkpointEvery ?? 64;
    this.checkpointAfterMs = options.checkpointAfterMs ?? 120_000;
    // Before the keys go: sign a closing checkpoint over each open log. After: close whatever a
    // racing task reopened meanwhile (its checkpoint cannot be signed any more).
    this.unsubscribe.push(
      options.vault.onWillLock(() => this.closeAll()),
      options.vault.onDidLock(() => this.closeAll()),
    );
  }

  private readonly unsubscribe: Array<() => void> = [];

  /** Closes every log (with its closing checkpoint) and stops listening to the vault. */
  async dispose(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    await this.closeAll();
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
    const { records, verification } = await this.readChained(logId);
    if (verification.status === 'corrupt') {
      throw new CockpitFailure('Corrupt', `Log ${logId}: ${verification.notice}`, `seq ${verification.corruptAtSeq}`);
    }
    return records.map(toStoredRecord);
  }

  /** Every valid record with its chain hashes, and the verdict; does not throw on corruption. */
  async readChained(logId: string): Promise<{ records: ChainedRecord[]; verification: LogVerification }> {
    assertLogId(logId);
    return this.serialised(logId, async () => {
      let fresh: LogPass | undefined;
      const open = await this.openForWriting(logId, { create: false, optional: true, collect: true, onPass: (p) => (fresh = p) });
      const pass = fresh ?? (await this.pass(logId, { collect: true, ...(open ? { log: open } : {}) }));
      return { records: pass.records, verification: open?.verification.status === 'corrupt' ? open.verification : pass.verification };
    });
  }

  /** Redacts the body, then seals and appends it; resolves once durable. The returned body is the redacted one. */
  async append<B>(logId: string, input: RecordInput<B>): Promise<StoredRecord<B>> {
    assertLogId(logId);
    if (typeof input.type !== 'string' || input.type.length === 0) throw new CockpitFailure('Invalid', 'A record needs a type.');
    this.assertWriter();
    this.options.vault.masterKey();
    const {
      values: [body, context],
    } = await this.redactor.redactValues([input.body, input.context] as const);
    return this.serialised(logId, async () => {
      const log = (await this.openForWriting(logId, { create: true }))!;
      const record = await this.writeRecord(log, { ...input, body, context });
      await this.maybeCheckpoint(log);
      return toStoredRecord(record) as StoredRecord<B>;
    });
  }

  private assertWriter(): void {
    if (!this.writer) throw new CockpitFailure('Forbidden', 'This evidence store was opened read-only.');
  }

  private async writeRecord(log: OpenLog, input: RecordInput): Promise<ChainedRecord> {
    if (log.verification.status === 'corrupt') {
      throw new CockpitFailure(
        'Corrupt',
        `Log ${log.logId} refuses appends until its corruption is resolved: ${log.verification.notice}`,
        `seq ${log.verification.corruptAtSeq}`,
      );
    }
    // The lock keeps other writers out; this catches anything that wrote regardless, so an append
    // never lands after bytes this writer has not verified.
    const { size } = await log.handle.stat();
    if (size !== log.size) {
      await this.closeLog(log, { checkpoint: false });
      throw new CockpitFailure(
        'Conflict',
        `records.log of ${log.logId} changed under its writer (${size} bytes on disk, ${log.size} verified); it is re-checked before the next append.`,
      );
    }
    const seq = log.count + 1;
    const plaintext: SealedRecordPlaintext = sealedPlaintextOf(log.logId, {
      seq,
      at: this.clock().toISOString(),
      actor: input.actor ?? this.actor(),
      type: input.type,
      ...(input.context ? { context: input.context } : {}),
      body: input.body ?? null,
      ...(input.attachments ? { attachments: input.attachments } : {}),
      prev: log.headHash.toString('hex'),
      salt: randomBytes(12).toString('hex'),
    });
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
    log.count = seq;
    log.headHash = hash;
    log.verification = { ...log.verification, records: seq, headHash: record.hash };
    this.appended.fire({ logId: log.logId, record: toStoredRecord(record) });
    return record;
  }

  /** A checkpoint every `checkpointEvery` records, or `checkpointAfterMs` after the first unsigned one. */
  private async maybeCheckpoint(log: OpenLog): Promise<void> {
    if (log.count - log.lastCheckpointCount >= this.checkpointEvery) {
      await this.signCheckpoint(log, `every ${this.checkpointEvery} records`);
      return;
    }
    if (!log.checkpointTimer) {
      log.checkpointTimer = setTimeout(() => {
        log.checkpointTimer = undefined;
        void this.serialised(log.logId, async () => {
          if (this.logs.get(log.logId) === log && log.count > log.lastCheckpointCount) await this.signCheckpoint(log, 'activity');
        }).catch(() => undefined);
      }, this.checkpointAfterMs);
      log.checkpointTimer.unref?.();
    }
  }

  private async signCheckpoint(log: OpenLog, reason: string): Promise<SignedCheckpoint> {
    if (log.verification.status === 'corrupt') {
      throw new CockpitFailure('Corrupt', `Log ${log.logId} is corrupt; no checkpoint is signed over it: ${log.verification.notice}`);
    }
    const { privateKey, publicKey } = this.options.vault.signingKey();
    const signed = signCheckpoint(
      { logId: log.logId, count: log.count, headHash: log.headHash.toString('hex'), at: this.clock().toISOString(), reason },
      privateKey,
      publicKey,
    );
    await appendDurably(checkpointsFile(log.dir), `${JSON.stringify(signed)}\n`);
    await this.options.vault.recordHead(log.logId, { count: signed.count, headHash: signed.headHash, at: signed.at });
    log.lastCheckpointCount = signed.count;
    if (log.checkpointTimer) clearTimeout(log.checkpointTimer);
    log.checkpointTimer = undefined;
    return signed;
  }

  /** Signs a checkpoint over the log's current head (at status changes and every export). */
  checkpoint(logId: string, reason: string): Promise<SignedCheckpoint> {
    this.assertWriter();
    return this.serialised(logId, async () => this.signCheckpoint((await this.openForWriting(logId, { create: true }))!, reason));
  }

  /**
   * Re-reads the log from disk (streamed) and checks framing, chain, checkpoints, the vault's last
   * head, every record's seal and every attachment's content against its hash.
   */
  verify(logId: string): Promise<LogVerification> {
    assertLogId(logId);
    return this.serialised(logId, async () => {
      // A log opened by this call was just read in full: that pass is the verification.
      let fresh: LogPass | undefined;
      const open = await this.openForWriting(logId, { create: false, optional: true, onPass: (p) => (fresh = p) });
      const pass = fresh ?? (await this.pass(logId, { collect: false, full: true, ...(open ? { log: open } : {}) }));
      let verification = pass.verification;
      if (verification.status !== 'corrupt') verification = await this.verifyAttachments(logId, pass, verification);
      const repaired = this.repairs.get(logId);
      if (verification.status === 'ok' && repaired) verification = { ...verification, status: 'repaired', notice: repaired };
      if (open && verification.status === 'corrupt') open.verification = verification;
      return verification;
    });
  }

  private async verifyAttachments(logId: string, pass: LogPass, verification: LogVerification): Promise<LogVerification> {
    const problems: Array<{ seq: number; message: string }> = [];
    if (pass.attachments.size === 0) return verification;
    const key = await this.dataKey(logId);
    try {
      for (const [sha256, seq] of pass.attachments) {
        const file = path.join(attachmentsDir(this.logDir(logId)), `${sha256}.att`);
        if (!(await stat(file).catch(() => undefined))) {
          problems.push({ seq, message: `attachment ${sha256} (seq ${seq}) is missing` });
          continue;
        }
        try {
          for await (const chunk of openAttachment({ file, logId, key, expectedSha256: sha256 })) void chunk;
        } catch (err) {
          problems.push({ seq, message: `attachment ${sha256} (seq ${seq}) is damaged: ${(err as Error).message}` });
        }
      }
    } finally {
      key.fill(0);
    }
    if (problems.length === 0) return { ...verification, attachments: pass.attachments.size };
    problems.sort((a, b) => a.seq - b.seq);
    return {
      ...verification,
      status: 'corrupt',
      corruptAtSeq: problems[0]!.seq,
      notice: problems.map((p) => p.message).join('; '),
      attachments: pass.attachments.size,
    };
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
    this.assertWriter();
    const log = (await this.serialised(logId, () => this.openForWriting(logId, { create: true })))!;
    const redactions: RedactionTally = {};
    const plain = options.text ? this.redactor.redactStream(source, redactions) : source;
    // A copy: closing the log (lock) zeroes its key while this stream may still run.
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
    const file = path.join(attachmentsDir(this.logDir(logId)), `${sha256}.att`);
    if (!(await stat(file).catch(() => undefined))) throw new CockpitFailure('NotFound', `Attachment ${sha256} is not in log ${logId}.`);
    const key = await this.dataKey(logId);
    try {
      yield* openAttachment({ file, logId, key, expectedSha256: sha256 });
    } finally {
      key.fill(0);
    }
  }

  /** The plaintext size of an attachment, from its chunk headers. */
  async attachmentSize(logId: string, sha256: string): Promise<number> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new CockpitFailure('Invalid', 'An attachment is named by its hex SHA-256.');
    return attachmentPlainSize(path.join(attachmentsDir(this.logDir(logId)), `${sha256}.att`));
  }

  /** records.log from its start through the record that ends at `end` (sealed bytes, for an export). */
  async framesUpTo(logId: string, end = LOG_MAGIC.length): Promise<Buffer> {
    const handle = await open(recordsFile(this.logDir(logId)), 'r');
    try {
      const bytes = Buffer.alloc(end);
      const { bytesRead } = await handle.read(bytes, 0, end, 0);
      if (bytesRead !== end) throw new CockpitFailure('Corrupt', `records.log of ${logId} is shorter than its records.`);
      return bytes;
    } finally {
      await handle.close();
    }
  }

  /** A copy of the log's data key (the caller zeroes it). */
  private async dataKey(logId: string): Promise<Buffer> {
    const open = this.logs.get(logId);
    if (open) return Buffer.from(open.dataKey);
    const dir = this.logDir(logId);
    const content = await readKeyFile(logId, dir);
    return this.options.vault.withMasterKey((master) => unwrapDataKey(logId, dir, master, content));
  }

  /**
   * The log open for writing: the writer lock taken (a live holder elsewhere is refused), a torn
   * tail repaired, everything before it verified. With `optional`, a log that does not exist, a
   * read-only store or a lock held elsewhere answers undefined (the caller reads without writing).
   */
  private async openForWriting(
    logId: string,
    options: { create: boolean; optional?: boolean; collect?: boolean; onPass?: (pass: LogPass) => void },
  ): Promise<OpenLog | undefined> {
    assertLogId(logId);
    const cached = this.logs.get(logId);
    if (cached) return cached;
    if (!this.writer) {
      if (options.optional) return undefined;
      this.assertWriter();
    }
    const dir = this.logDir(logId);
    const exists = await stat(recordsFile(dir)).catch(() => undefined);
    if (!exists && !options.create) {
      if (options.optional) return undefined;
      throw new CockpitFailure('NotFound', `There is no evidence log "${logId}".`);
    }
    return this.options.vault.withMasterKey(async (master) => {
      await ensurePrivateDir(path.dirname(dir));
      await ensurePrivateDir(dir);
      const attempt = await tryAcquireLock(writerLockFile(dir), `evidence log ${logId}`);
      if (!attempt.acquired) {
        if (options.optional) return undefined;
        const h = attempt.holder;
        throw new CockpitFailure(
          'Locked',
          `Evidence log ${logId} is open for writing by process ${h.pid} (${h.purpose}, since ${h.at}); only one writer at a time.`,
          attempt.file,
        );
      }
      const lock = attempt.lock;
      try {
        if (!exists) await this.createLog(logId, dir, master);
        const content = await readKeyFile(logId, dir);
        const dataKey = unwrapDataKey(logId, dir, master, content);
        // This process now owns the log: temp files of an upload no live writer owns are leftovers.
        await removeIncompleteAttachments(attachmentsDir(dir));
        const pass = await this.passWith(logId, dir, dataKey, { collect: options.collect === true, repair: true });
        if (pass.inspection.status === 'repaired' && pass.inspection.notice) this.repairs.set(logId, pass.inspection.notice);
        options.onPass?.(pass);
        // O_DSYNC makes each write durable before it returns (write + fdatasync in one call, one
        // thread-pool hop); where the platform lacks it, appends fdatasync explicitly.
        const syncedWrites = typeof fsConstants.O_DSYNC === 'number' && process.platform !== 'win32';
        const handle = await open(recordsFile(dir), syncedWrites ? fsConstants.O_RDWR | fsConstants.O_DSYNC : 'r+');
        const { verification, inspection } = pass;
        const log: OpenLog = {
          logId,
          syncedWrites,
          dir,
          dataKey,
          keyVersion: content.keyVersion,
          handle,
          size: inspection.size,
          count: verification.records,
          headHash: Buffer.from(verification.headHash, 'hex'),
          lastCheckpointCount: inspection.lastCheckpointCount,
          checkpointTimer: undefined,
          verification,
          lock,
        };
        this.logs.set(logId, log);
        return log;
      } catch (err) {
        await lock.release();
        throw err;
      }
    });
  }

  /** One streamed pass over the log from disk, keyed. With `log` (open here), up to its verified end unless `full`. */
  private async pass(logId: string, options: { collect: boolean; full?: boolean; log?: OpenLog }): Promise<LogPass> {
    const dir = this.logDir(logId);
    if (!(await stat(recordsFile(dir)).catch(() => undefined))) throw new CockpitFailure('NotFound', `There is no evidence log "${logId}".`);
    const key = await this.dataKey(logId);
    try {
      return await this.passWith(logId, dir, key, {
        collect: options.collect,
        repair: false,
        ...(options.log && !options.full ? { limit: options.log.size } : {}),
      });
    } finally {
      key.fill(0);
    }
  }

  private async passWith(logId: string, dir: string, dataKey: Buffer, options: { collect: boolean; repair: boolean; limit?: number }): Promise<LogPass> {
    const records: ChainedRecord[] = [];
    const attachments = new Map<string, number>();
    let failure: { seq: number; reason: string } | undefined;
    const onFrame = (frame: ScannedFrame): void => {
      if (failure) return;
      const opened = openFrame(logId, dataKey, frame, options.collect);
      if ('reason' in opened) {
        failure = { seq: frame.seq, reason: opened.reason };
        return;
      }
      for (const sha of opened.attachments ?? []) if (!attachments.has(sha)) attachments.set(sha, frame.seq);
      if (options.collect) records.push(opened);
    };
    const head = await this.options.vault.lastHead(logId);
    const inspection = await inspectLogDir(dir, {
      repair: options.repair,
      publicKey: this.options.vault.signingKey().publicKey,
      onFrame,
      ...(head ? { head } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
    let verification: LogVerification = {
      status: inspection.status,
      records: inspection.records,
      headHash: inspection.headHash,
      checkpoints: inspection.checkpoints,
      cutTails: inspection.cutTails,
      installationKey: this.options.vault.signingKey().fingerprint,
      ...(inspection.corruptAtSeq !== undefined ? { corruptAtSeq: inspection.corruptAtSeq } : {}),
      ...(inspection.notice !== undefined ? { notice: inspection.notice } : {}),
    };
    if (failure) {
      const reason = `corrupt at seq ${failure.seq}: record does not open with the log's data key or its sealed fields disagree (${failure.reason})`;
      const earlier = verification.status === 'corrupt' && (verification.corruptAtSeq ?? Infinity) < failure.seq;
      verification = {
        ...verification,
        status: 'corrupt',
        corruptAtSeq: earlier ? verification.corruptAtSeq! : failure.seq,
        notice: earlier ? `${verification.notice}; ${reason}` : verification.notice ? `${reason}; ${verification.notice}` : reason,
      };
    }
    return { inspection, verification, records, attachments };
  }

  private async createLog(logId: string, dir: string, master: Buffer): Promise<void> {
    const logsDir = path.dirname(dir);
    await ensurePrivateDir(attachmentsDir(dir));
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

  private async closeLog(log: OpenLog, options: { checkpoint: boolean }): Promise<void> {
    if (this.logs.get(log.logId) !== log) return;
    this.logs.delete(log.logId);
    if (log.checkpointTimer) clearTimeout(log.checkpointTimer);
    try {
      if (options.checkpoint && log.count > log.lastCheckpointCount && log.verification.status !== 'corrupt' && this.options.vault.isUnlocked) {
        await this.signCheckpoint(log, 'close').catch(() => undefined);
      }
    } finally {
      log.dataKey.fill(0);
      await log.handle.close().catch(() => undefined);
      await log.lock.release();
    }
  }

  /**
   * Closes every log after its queued work, with a closing checkpoint over records no checkpoint
   * covers yet, releases its writer lock and forgets its data key. `checkpoint: false` leaves the
   * log as a crash would (tests of torn tails and of what checkpoints catch).
   */
  async closeAll(options: { checkpoint?: boolean } = {}): Promise<void> {
    await Promise.all(
      [...this.logs.keys()].map((id) =>
        this.serialised(id, async () => {
          const log = this.logs.get(id);
          if (log) await this.closeLog(log, { checkpoint: options.checkpoint !== false });
        }),
      ),
    );
  }
}

async function readKeyFile(logId: string, dir: string): Promise<KeyFileContent> {
  try {
    return JSON.parse(await readFile(keyFile(dir), 'utf8')) as KeyFileContent;
  } catch (err) {
    throw new CockpitFailure('Corrupt', `The key file of log ${logId} is missing or unreadable: ${(err as Error).message}`, keyFile(dir));
  }
}

function unwrapDataKey(logId: string, dir: string, master: Buffer, content: KeyFileContent): Buffer {
  try {
    return unwrapSecret(master, dataKeyLabel(logId, content.keyVersion), Buffer.from(content.wrapped, 'base64'));
  } catch {
    throw new CockpitFailure(
      'Corrupt',
      `The data key of log ${logId} does not open with this vault's master key (a log from another vault, or a damaged key file).`,
      keyFile(dir),
    );
  }
}

/** Sealing temp files left by a crash mid-attachment; only the new holder of the writer lock removes them. */
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

/**
 * Opens one frame and checks its sealed custody fields against the frame. Without `build` (a
 * verify), only what the check needs is kept: no record object, no hex hash.
 */
function openFrame(logId: string, dataKey: Buffer, frame: ScannedFrame, build = true): ChainedRecord | { reason: string } {
  let plaintext: SealedRecordPlaintext;
  try {
    plaintext = JSON.parse(openRecordFrame(logId, dataKey, frame).toString('utf8')) as SealedRecordPlaintext;
  } catch (err) {
    return { reason: (err as Error).message };
  }
  if (plaintext.seq !== frame.seq || plaintext.log !== logId || plaintext.prev !== frame.prevHash.toString('hex')) {
    return { reason: 'plaintext custody fields disagree with the frame' };
  }
  if (!build) return plaintext as unknown as ChainedRecord;
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
  if (plaintext.salt !== undefined) record.salt = plaintext.salt;
  record.end = frame.offset + frame.length;
  return record;
}
