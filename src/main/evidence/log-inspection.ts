import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { genesisHash, scanLog, type ScannedFrame } from './log-frames';
import { checkpointSignatureValid, readCheckpointFile, type SignedCheckpoint } from './checkpoints';
import { fsyncDirectory, writeFileDurably } from './durable-files';

export const recordsFile = (logDir: string): string => path.join(logDir, 'records.log');
export const checkpointsFile = (logDir: string): string => path.join(logDir, 'checkpoints.jsonl');
export const keyFile = (logDir: string): string => path.join(logDir, 'key.json');
export const attachmentsDir = (logDir: string): string => path.join(logDir, 'attachments');
export const quarantineDir = (logDir: string): string => path.join(logDir, 'quarantine');
/** Written by the store while it has the log open, so another process does not cut its tail. */
export const writerPidFile = (logDir: string): string => path.join(logDir, 'writer.pid');

/** The pid of another live process that has this log open for writing, if any. */
async function liveWriter(logDir: string): Promise<number | undefined> {
  const pid = Number((await readFile(writerPidFile(logDir), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

export type InspectionStatus = 'ok' | 'repaired' | 'torn' | 'corrupt';

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
  quarantineFile?: string;
  frames: ScannedFrame[];
  /** File size after any repair: where the next append goes. */
  size: number;
}

export interface InspectOptions {
  /** Move a torn tail to quarantine and cut it off (default false: report only). */
  repair?: boolean;
  /** The installation key checkpoints must be signed by; without it, each checkpoint's own key. */
  publicKey?: KeyObject;
  /** Checkpoints held elsewhere (e.g. taken from an export) to check the log against. */
  extraCheckpoints?: SignedCheckpoint[];
}

interface Issue {
  seq: number;
  message: string;
}

/** Checks one log directory without any key; repairs a torn tail only when asked. */
export async function inspectLogDir(logDir: string, options: InspectOptions = {}): Promise<LogInspection> {
  const logId = path.basename(path.resolve(logDir));
  const bytes = await readFile(recordsFile(logDir));
  const scan = scanLog(bytes, logId);
  const { frames } = scan;
  const hashAt = (count: number): string => (count === 0 ? genesisHash(logId) : frames[count - 1]!.hash).toString('hex');

  const issues: Issue[] = [];
  if (scan.problem?.kind === 'corrupt') {
    issues.push({ seq: scan.problem.seq, message: `corrupt at seq ${scan.problem.seq}: ${scan.problem.reason}` });
  }
  if (options.repair && (await liveWriter(logDir)) === undefined) await cutTornCheckpointLine(logDir);
  const local = await readCheckpointFile(checkpointsFile(logDir));
  if (local.damagedLine !== undefined) {
    issues.push({ seq: frames.length + 1, message: `checkpoints.jsonl line ${local.damagedLine} is damaged` });
  }
  const checkpoints = [...local.checkpoints, ...(options.extraCheckpoints ?? [])];
  for (const cp of checkpoints) {
    const label = `checkpoint of ${cp.at} (${cp.reason}, ${cp.count} records)`;
    if (cp.logId !== logId) {
      issues.push({ seq: 1, message: `${label} belongs to log ${cp.logId}` });
    } else if (!checkpointSignatureValid(cp, options.publicKey)) {
      issues.push({ seq: Math.max(1, cp.count), message: `${label}: signature does not verify${options.publicKey ? ' against the installation key' : ''}` });
    } else if (cp.count > frames.length) {
      issues.push({
        seq: frames.length + 1,
        message: `tail cut below a checkpoint: ${label} but only ${frames.length} valid records remain; records from seq ${frames.length + 1} are missing`,
      });
    } else if (hashAt(cp.count) !== cp.headHash) {
      issues.push({ seq: Math.max(1, cp.count), message: `checkpoint mismatch at seq ${cp.count}: ${label} names a different head hash` });
    }
  }

  const base = {
    logId,
    records: frames.length,
    headHash: hashAt(frames.length),
    checkpoints: checkpoints.length,
    frames,
  };
  if (issues.length > 0) {
    issues.sort((a, b) => a.seq - b.seq);
    return {
      ...base,
      status: 'corrupt',
      corruptAtSeq: issues[0]!.seq,
      notice: issues.map((i) => i.message).join('; '),
      size: bytes.length,
    };
  }
  if (scan.problem?.kind === 'torn') {
    const tornBytes = bytes.length - scan.validEnd;
    if (!options.repair) {
      return { ...base, status: 'torn', notice: `torn tail: ${scan.problem.reason} (not repaired)`, size: bytes.length };
    }
    const writer = await liveWriter(logDir);
    if (writer !== undefined) {
      return {
        ...base,
        status: 'torn',
        notice: `torn tail: ${scan.problem.reason}; not repaired because process ${writer} has the log open (it may be mid-append)`,
        size: bytes.length,
      };
    }
    const quarantineFile = await quarantineTail(logDir, bytes.subarray(scan.validEnd), frames.length);
    return {
      ...base,
      status: 'repaired',
      notice: `torn tail repaired: ${tornBytes} bytes after record ${frames.length} were moved to ${path.relative(logDir, quarantineFile)}`,
      quarantineFile,
      size: scan.validEnd,
    };
  }
  return { ...base, status: 'ok', size: bytes.length };
}

/** A checkpoint append cut by a crash leaves a last line without its newline: quarantine it. */
async function cutTornCheckpointLine(logDir: string): Promise<void> {
  const file = checkpointsFile(logDir);
  const text = await readFile(file).catch(() => undefined);
  if (!text || text.length === 0 || text[text.length - 1] === 0x0a) return;
  const keep = text.lastIndexOf(0x0a) + 1;
  await mkdir(quarantineDir(logDir), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  await writeFileDurably(path.join(quarantineDir(logDir), `${stamp}-checkpoint-fragment.txt`), text.subarray(keep));
  const handle = await open(file, 'r+');
  try {
    await handle.truncate(keep);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function quarantineTail(logDir: string, tail: Buffer, lastGoodSeq: number): Promise<string> {
  const dir = quarantineDir(logDir);
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${stamp}-after-seq-${lastGoodSeq}.bin`);
  await writeFileDurably(file, tail);
  const handle = await open(recordsFile(logDir), 'r+');
  try {
    const { size } = await handle.stat();
    await handle.truncate(size - tail.length);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsyncDirectory(logDir);
  return file;
}
