import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { genesisHash, scanLogFile, type ScannedFrame } from './log-frames';
import { checkpointSignatureValid, readCheckpointFile, type SignedCheckpoint } from './checkpoints';
import { ensurePrivateDir, fsyncDirectory } from './durable-files';
import type { LogHead } from './evidence-vault';

export const recordsFile = (logDir: string): string => path.join(logDir, 'records.log');
export const checkpointsFile = (logDir: string): string => path.join(logDir, 'checkpoints.jsonl');
export const keyFile = (logDir: string): string => path.join(logDir, 'key.json');
export const attachmentsDir = (logDir: string): string => path.join(logDir, 'attachments');
export const quarantineDir = (logDir: string): string => path.join(logDir, 'quarantine');
/** The exclusive writer lock (PID + process start time) of the process that has the log open for writing. */
export const writerLockFile = (logDir: string): string => path.join(logDir, 'writer.lock');

export type InspectionStatus = 'ok' | 'repaired' | 'torn' | 'corrupt';

/** A torn tail that was cut off and kept in quarantine. */
export interface CutTail {
  /** Path relative to the log folder. */
  file: string;
  afterSeq: number;
  bytes: number;
  at: string;
}

/** The keyless verdict on one log directory: framing, chain and checkpoints. */
export interface LogInspection {
  logId: string;
  status: InspectionStatus;
  /** Valid records (after a repair, what is left). */
  records: number;
  /** Hex hash of the last valid frame. */
  headHash: string;
  corruptAtSeq?: number;
  /** A sentence the UI or CLI shows as is. */
  notice?: string;
  checkpoints: number;
  /** The highest record count a valid checkpoint covers. */
  lastCheckpointCount: number;
  quarantineFile?: string;
  /** End of the valid frames: where the next append goes (after any repair). */
  size: number;
  /** Every tail ever cut from this log (quarantine/). */
  cutTails: CutTail[];
}

export interface InspectOptions {
  /**
   * Move a torn tail (of records.log or checkpoints.jsonl) to quarantine and cut it off (default
   * false: report only). Only the holder of the log's writer lock may ask for it.
   */
  repair?: boolean;
  /** The installation key checkpoints must be signed by; without it, each checkpoint's own key. */
  publicKey?: KeyObject;
  /** Checkpoints held elsewhere (e.g. taken from an export) to check the log against. */
  extraCheckpoints?: SignedCheckpoint[];
  /** The last head the vault saw: fewer records, or another hash at that count, is a rollback. */
  head?: LogHead;
  /** Every valid frame, in order, while the file streams past (its buffers are valid during the call only). */
  onFrame?: (frame: ScannedFrame) => void;
  /** Read only this many bytes (a reader in the writer's process stops at what the writer acknowledged). */
  limit?: number;
}

interface Issue {
  seq: number;
  message: string;
}

/**
 * Checks one log directory without any key, streaming records.log (memory stays bounded by one
 * frame whatever the log's size); repairs a torn tail only when asked.
 */
export async function inspectLogDir(logDir: string, options: InspectOptions = {}): Promise<LogInspection> {
  const logId = path.basename(path.resolve(logDir));
  const local = await readCheckpointFile(checkpointsFile(logDir));
  const checkpoints = [...local.checkpoints, ...(options.extraCheckpoints ?? [])];
  const wanted = new Set<number>(checkpoints.map((c) => c.count));
  if (options.head) wanted.add(options.head.count);
  const handle = await open(recordsFile(logDir), 'r');
  let scan;
  try {
    scan = await scanLogFile(handle, logId, {
      hashesAt: wanted,
      ...(options.onFrame ? { onFrame: options.onFrame } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
  } finally {
    await handle.close();
  }
  const count = scan.count;
  const hashAt = (n: number): string | undefined => (n === 0 ? genesisHash(logId) : scan.hashesAt.get(n))?.toString('hex');

  const issues: Issue[] = [];
  if (scan.problem?.kind === 'corrupt') {
    issues.push({ seq: scan.problem.seq, message: `corrupt at seq ${scan.problem.seq}: ${scan.problem.reason}` });
  }
  if (local.damagedLine !== undefined) {
    issues.push({ seq: count + 1, message: `checkpoints.jsonl line ${local.damagedLine} is damaged (not a whole checkpoint): a signed checkpoint was altered or removed` });
  }
  let lastCheckpointCount = 0;
  for (const cp of checkpoints) {
    const label = `checkpoint of ${cp.at} (${cp.reason}, ${cp.count} records)`;
    if (cp.logId !== logId) {
      issues.push({ seq: 1, message: `${label} belongs to log ${cp.logId}` });
    } else if (!checkpointSignatureValid(cp, options.publicKey)) {
      issues.push({ seq: Math.max(1, cp.count), message: `${label}: signature does not verify${options.publicKey ? ' against the installation key' : ''}` });
    } else if (cp.count > count) {
      issues.push({
        seq: count + 1,
        message: `tail cut below a checkpoint: ${label} but only ${count} valid records remain; records from seq ${count + 1} are missing`,
      });
    } else if (hashAt(cp.count) !== cp.headHash) {
      issues.push({ seq: Math.max(1, cp.count), message: `checkpoint mismatch at seq ${cp.count}: ${label} names a different head hash` });
    } else {
      lastCheckpointCount = Math.max(lastCheckpointCount, cp.count);
    }
  }
  const head = options.head;
  if (head) {
    if (head.count > count) {
      issues.push({
        seq: count + 1,
        message: `rolled back or cut: the vault last saw ${head.count} records (head ${head.headHash.slice(0, 16)}…, ${head.at}) but the log holds ${count} valid records; records from seq ${count + 1} are missing`,
      });
    } else if (hashAt(head.count) !== head.headHash) {
      issues.push({ seq: Math.max(1, head.count), message: `rolled back and rewritten: record ${head.count} is not the one the vault saw at ${head.at}` });
    }
  }

  const base = {
    logId,
    records: count,
    headHash: scan.headHash.toString('hex'),
    checkpoints: checkpoints.length,
    lastCheckpointCount,
    cutTails: await listCutTails(logDir),
  };
  if (issues.length > 0) {
    issues.sort((a, b) => a.seq - b.seq);
    return { ...base, status: 'corrupt', corruptAtSeq: issues[0]!.seq, notice: issues.map((i) => i.message).join('; '), size: scan.validEnd };
  }
  const torn: string[] = [];
  if (scan.problem?.kind === 'torn') torn.push(`torn tail: ${scan.problem.reason}`);
  if (local.tornFragment) torn.push(`torn checkpoint append: ${local.tornFragment.bytes} bytes at the end of checkpoints.jsonl are not a whole checkpoint`);
  if (!options.repair) {
    if (torn.length > 0) return { ...base, status: 'torn', notice: `${torn.join('; ')} (not repaired)`, size: scan.validEnd };
    return { ...base, status: 'ok', size: scan.validEnd };
  }
  const repairs: string[] = [];
  let quarantineFile: string | undefined;
  if (local.tornFragment) {
    const file = await quarantineTail(logDir, checkpointsFile(logDir), local.tornFragment.offset, `checkpoint-fragment.txt`);
    repairs.push(`a torn checkpoint append (${local.tornFragment.bytes} bytes) was moved to ${path.relative(logDir, file)}`);
  } else if (local.missingFinalNewline) {
    const h = await open(checkpointsFile(logDir), 'a', 0o600);
    try {
      await h.appendFile('\n');
      await h.sync();
    } finally {
      await h.close();
    }
  }
  if (scan.problem?.kind === 'torn') {
    quarantineFile = await quarantineTail(logDir, recordsFile(logDir), scan.validEnd, `after-seq-${count}.bin`);
    repairs.push(`torn tail repaired: ${scan.end - scan.validEnd} bytes after record ${count} were moved to ${path.relative(logDir, quarantineFile)}`);
  }
  if (repairs.length === 0) return { ...base, status: 'ok', size: scan.validEnd };
  return {
    ...base,
    cutTails: await listCutTails(logDir),
    status: 'repaired',
    notice: repairs.join('; '),
    ...(quarantineFile ? { quarantineFile } : {}),
    size: scan.validEnd,
  };
}

/** The tails cut from a log so far, oldest first, for the Evidence panel and the CLI. */
export async function listCutTails(logDir: string): Promise<CutTail[]> {
  const dir = quarantineDir(logDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const tails: CutTail[] = [];
  for (const name of names.sort()) {
    const match = /-after-seq-(\d+)\.bin$/.exec(name);
    if (!match) continue;
    const info = await stat(path.join(dir, name)).catch(() => undefined);
    if (!info) continue;
    tails.push({ file: path.join('quarantine', name), afterSeq: Number(match[1]), bytes: info.size, at: info.mtime.toISOString() });
  }
  return tails;
}

/** Copies `file` from `from` on into quarantine (durably), then cuts it there. */
async function quarantineTail(logDir: string, file: string, from: number, suffix: string): Promise<string> {
  const dir = quarantineDir(logDir);
  await ensurePrivateDir(dir);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = path.join(dir, `${stamp}-${suffix}`);
  const source = await open(file, 'r+');
  try {
    const { size } = await source.stat();
    const out = await open(target, 'wx', 0o600);
    try {
      const chunk = Buffer.allocUnsafe(1024 * 1024);
      for (let pos = from; pos < size; ) {
        const { bytesRead } = await source.read(chunk, 0, Math.min(chunk.length, size - pos), pos);
        if (bytesRead === 0) break;
        await out.write(chunk, 0, bytesRead);
        pos += bytesRead;
      }
      await out.sync();
    } finally {
      await out.close();
    }
    await fsyncDirectory(dir);
    await source.truncate(from);
    await source.sync();
  } finally {
    await source.close();
  }
  return target;
}
