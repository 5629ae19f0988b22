import { readdir, readFile, stat } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CockpitFailure } from '../../shared/result';
import { EvidenceVault, readInstallationPublicKey, readPinnedFingerprint, vaultFilePath } from './evidence-vault';
import { EvidenceStore } from './evidence-store';
import { inspectLogDir, recordsFile, writerLockFile } from './log-inspection';
import { publicKeyFingerprint } from './checkpoints';
import { tryAcquireLock } from './pid-lock';
import { checkExportBundle, type ExportKey } from './export-bundle';
import type { SignedCheckpoint } from './checkpoints';

/**
 * The command-line verifier (no Electron). Read-only unless `--repair`: it never takes, cuts or
 * deletes anything, and with a passphrase nothing is written before the passphrase is checked.
 *   verify <incident dir | export file>   exit 0 OK, 3 torn tail (found, or repaired with --repair),
 *                                          1 corrupt / checkpoint mismatch / tampered key / export
 *                                          fails / wrong key, 2 usage, 4 export signer not pinned
 *   list <store dir>
 *   open <incident dir | export file>     prints the records; needs the key
 * Keys: --passphrase-file F (`-`: standard input) or COCKPIT_EVIDENCE_PASSPHRASE (vault or age passphrase),
 * --identity F (age X25519 identity file, for exports). --checkpoint F checks an incident dir
 * against a checkpoint held elsewhere; --trust FP pins the signer's key fingerprint.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, repaired: 3, untrusted: 4 } as const;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** What `--passphrase-file -` reads (standard input). */
  stdin?: () => Promise<string>;
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  stdin: readStdin,
};

interface Parsed {
  command: string | undefined;
  target: string | undefined;
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['passphrase-file', 'identity', 'checkpoint', 'trust']);

function parse(argv: string[]): Parsed {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      if (VALUE_FLAGS.has(name)) flags.set(name, inline ?? argv[++i] ?? '');
      else flags.set(name, true);
    } else positional.push(arg);
  }
  return { command: positional[0], target: positional[1], flags };
}

const USAGE = [
  'usage: evidence verify <incident dir | export file> [--repair] [--checkpoint F] [--identity F | --passphrase-file F] [--trust FP]',
  '       evidence list <store dir>',
  '       evidence open <incident dir | export file> [--identity F | --passphrase-file F] [--json]',
].join('\n');

async function passphraseFrom(flags: Parsed['flags'], io: CliIo): Promise<string | undefined> {
  const file = flags.get('passphrase-file');
  if (file === '-') return ((await io.stdin?.()) ?? '').replace(/\r?\n$/, '');
  if (typeof file === 'string') return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  return io.env.COCKPIT_EVIDENCE_PASSPHRASE || undefined;
}

async function exportKeyFrom(flags: Parsed['flags'], io: CliIo): Promise<ExportKey | undefined> {
  const identityFile = flags.get('identity');
  if (typeof identityFile === 'string') {
    const identity = (await readFile(identityFile, 'utf8')).split(/\r?\n/).find((l) => l.startsWith('AGE-SECRET-KEY-'));
    if (!identity) throw new CockpitFailure('Invalid', `${identityFile} holds no AGE-SECRET-KEY line.`);
    return { identity };
  }
  const passphrase = await passphraseFrom(flags, io);
  return passphrase === undefined ? undefined : { passphrase };
}

/** An incident dir lives at <store>/logs/<id>; its store root holds vault.json and installation.json. */
const storeRootOf = (incidentDir: string): string => path.resolve(incidentDir, '..', '..');

async function isIncidentDir(target: string): Promise<boolean> {
  const info = await stat(target);
  if (!info.isDirectory()) return false;
  if (!(await stat(recordsFile(target)).catch(() => undefined))) {
    throw new CockpitFailure('Invalid', `${target} is a directory without records.log (is it a store dir? try "list").`);
  }
  return true;
}

/** A read-only store over the vault at `root`, opened with the passphrase (a wrong one throws, having written nothing). */
async function openKeyedStore(root: string, passphrase: string): Promise<EvidenceStore> {
  const vault = new EvidenceVault({ dir: root, readOnly: true, safeStorageUnavailableReason: 'the command-line verifier uses the passphrase' });
  await vault.unlock(passphrase);
  return new EvidenceStore({ vault, mode: 'reader' });
}

async function verifyIncidentDir(dir: string, p: Parsed, io: CliIo): Promise<number> {
  const root = storeRootOf(dir);
  const logId = path.basename(path.resolve(dir));
  const passphrase = await passphraseFrom(p.flags, io);
  // Authenticate first: a wrong passphrase must leave every file as it was.
  const keyed = passphrase !== undefined && (await stat(vaultFilePath(root)).catch(() => undefined)) ? await openKeyedStore(root, passphrase) : undefined;
  const publicKey = await readInstallationPublicKey(root);
  const trust = p.flags.get('trust');
  const pinned = typeof trust === 'string' ? trust.toLowerCase() : await readPinnedFingerprint(root);
  if (!publicKey) {
    io.out(`corrupt: ${logId}: installation.json at ${root} is missing or unreadable, so no checkpoint can be checked against the installation key (tampered?)`);
    return EXIT.failed;
  }
  const fingerprint = publicKeyFingerprint(publicKey);
  if (pinned && pinned !== fingerprint) {
    io.out(`corrupt: ${logId}: the installation signing key changed: installation.json holds ${fingerprint}, the ${typeof trust === 'string' ? '--trust fingerprint' : 'vault pins'} ${pinned} (tampered)`);
    return EXIT.failed;
  }
  if (!pinned) io.err(`note: this vault predates key pinning; checkpoints are checked against installation.json's key ${fingerprint} (compare it with the one the app shows, or pass --trust)`);
  const extraCheckpoints: SignedCheckpoint[] = [];
  const checkpointFile = p.flags.get('checkpoint');
  if (typeof checkpointFile === 'string') extraCheckpoints.push(JSON.parse(await readFile(checkpointFile, 'utf8')) as SignedCheckpoint);
  let repairNote: string | undefined;
  const first = await inspectLogDir(dir, { publicKey, extraCheckpoints });
  if (p.flags.has('repair') && first.status === 'torn') {
    const attempt = await tryAcquireLock(writerLockFile(dir), 'evidence verify --repair');
    if (!attempt.acquired) {
      repairNote = `${first.notice}; not repaired: process ${attempt.holder.pid} has the log open for writing (${attempt.holder.purpose})`;
    } else {
      try {
        const head = keyed ? await keyed.vault.lastHead(logId) : undefined;
        const repaired = await inspectLogDir(dir, { repair: true, publicKey, extraCheckpoints, ...(head ? { head } : {}) });
        if (repaired.status === 'repaired') repairNote = repaired.notice;
      } finally {
        await attempt.lock.release();
      }
    }
  }
  const inspection = await inspectLogDir(dir, { publicKey, extraCheckpoints });
  let { status } = inspection;
  let notice = inspection.notice;
  let corruptAtSeq = inspection.corruptAtSeq;
  let attachments: number | undefined;
  if (keyed && status !== 'corrupt') {
    const verdict = await keyed.verify(logId);
    attachments = verdict.attachments;
    if (verdict.status === 'corrupt') {
      status = 'corrupt';
      notice = verdict.notice;
      corruptAtSeq = verdict.corruptAtSeq;
    }
  }
  await keyed?.closeAll();
  const what = `${logId}: ${inspection.records} records, head ${inspection.headHash}, ${inspection.checkpoints} checkpoint(s) signed by ${fingerprint}${keyed ? `, every record opened, ${attachments ?? 0} attachment(s) checked` : ', sealed records and attachments not opened (no passphrase)'}`;
  if (repairNote && status !== 'corrupt') {
    io.out(`torn tail ${repairNote.includes('not repaired') ? 'found' : 'repaired'}: ${what}`);
    io.out(repairNote);
    return EXIT.repaired;
  }
  switch (status) {
    case 'ok':
    case 'repaired':
      io.out(`OK ${what}`);
      return EXIT.ok;
    case 'torn':
      io.out(`torn tail found: ${what}`);
      if (notice) io.out(`${notice}; run with --repair to cut it (only when no cockpit has the log open)`);
      return EXIT.repaired;
    case 'corrupt':
      io.out(`corrupt at seq ${corruptAtSeq}: ${logId}`);
      if (notice) io.out(notice);
      return EXIT.failed;
  }
}

async function verifyExport(file: string, p: Parsed, io: CliIo): Promise<number> {
  const key = await exportKeyFrom(p.flags, io);
  if (!key) {
    io.err('an export needs --identity <age key file>, --passphrase-file <file> or COCKPIT_EVIDENCE_PASSPHRASE');
    return EXIT.usage;
  }
  const trust = p.flags.get('trust');
  const check = await checkExportBundle(file, key, typeof trust === 'string' ? trust : undefined);
  const summary = `${check.logId}: ${check.records.length} records, head ${check.checkpoint?.headHash}, ${check.attachments.length} attachment(s)`;
  if (check.ok && typeof trust === 'string') {
    io.out(`OK export of ${summary}, signed by the trusted key ${check.publicKeyFingerprint}`);
    return EXIT.ok;
  }
  if (check.ok) {
    io.out(`UNTRUSTED signer: export of ${summary} is intact, but signed by key ${check.publicKeyFingerprint}, which nothing here pins`);
    io.out(`Compare that fingerprint with the installation key the exporting cockpit shows (Evidence panel), then re-run with --trust ${check.publicKeyFingerprint}`);
    return EXIT.untrusted;
  }
  io.out(`export FAILED verification: ${file}`);
  for (const problem of check.problems) io.out(`- ${problem}`);
  return EXIT.failed;
}

async function list(root: string, io: CliIo): Promise<number> {
  const logsDir = path.join(root, 'logs');
  const entries = await readdir(logsDir, { withFileTypes: true }).catch(() => {
    throw new CockpitFailure('NotFound', `${root} has no logs/ directory: not an evidence store.`);
  });
  const publicKey = await readInstallationPublicKey(root);
  let worst: number = EXIT.ok;
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = path.join(logsDir, entry.name);
    if (!(await stat(recordsFile(dir)).catch(() => undefined))) continue;
    const i = await inspectLogDir(dir, { ...(publicKey ? { publicKey } : {}) });
    const state = i.status === 'corrupt' ? `corrupt at seq ${i.corruptAtSeq}` : i.status === 'torn' ? 'torn tail' : 'ok';
    io.out(`${entry.name}\t${i.records} records\t${i.checkpoints} checkpoint(s)\t${state}`);
    if (i.status === 'corrupt') worst = EXIT.failed;
  }
  return worst;
}

async function openTarget(target: string, p: Parsed, io: CliIo): Promise<number> {
  const json = p.flags.has('json');
  const print = (r: { seq: number; at: string; actor: string; type: string; body: unknown; attachments?: string[] }): void =>
    io.out(json ? JSON.stringify(r) : `${r.seq}\t${r.at}\t${r.actor}\t${r.type}\t${JSON.stringify(r.body)}${r.attachments ? `\tattachments: ${r.attachments.join(',')}` : ''}`);
  if (await isIncidentDir(target)) {
    const passphrase = await passphraseFrom(p.flags, io);
    if (passphrase === undefined) {
      io.err('opening an incident needs the vault passphrase: --passphrase-file <file> or COCKPIT_EVIDENCE_PASSPHRASE');
      return EXIT.usage;
    }
    const store = await openKeyedStore(storeRootOf(target), passphrase);
    // Read-only: a log the app has open is read up to its last whole record, nothing is cut.
    const { records, verification } = await store.readChained(path.basename(path.resolve(target)));
    await store.closeAll();
    records.forEach(print);
    if (verification.status === 'corrupt') {
      io.err(`corrupt at seq ${verification.corruptAtSeq}: ${verification.notice}`);
      return EXIT.failed;
    }
    return EXIT.ok;
  }
  const key = await exportKeyFrom(p.flags, io);
  if (!key) {
    io.err('an export needs --identity <age key file>, --passphrase-file <file> or COCKPIT_EVIDENCE_PASSPHRASE');
    return EXIT.usage;
  }
  const check = await checkExportBundle(target, key);
  check.records.forEach(print);
  if (!check.ok) {
    io.err(`export FAILED verification: ${check.problems.join('; ')}`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

/** Runs the verifier; returns the exit code instead of exiting, so tests can call it in-process. */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const p = parse(argv);
  if (!p.command || !p.target || !['verify', 'list', 'open'].includes(p.command)) {
    io.err(USAGE);
    return EXIT.usage;
  }
  try {
    if (p.command === 'list') return await list(p.target, io);
    if (p.command === 'open') return await openTarget(p.target, p, io);
    return (await isIncidentDir(p.target)) ? await verifyIncidentDir(p.target, p, io) : await verifyExport(p.target, p, io);
  } catch (err) {
    if (err instanceof CockpitFailure) {
      io.err(`${err.code}: ${err.message}${err.where ? ` (${err.where})` : ''}`);
      return err.code === 'WrongPassphrase' || err.code === 'Corrupt' ? EXIT.failed : EXIT.usage;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') {
      io.err(`cannot read: ${(err as Error).message}`);
      return EXIT.usage;
    }
    io.err(`failed: ${(err as Error).message}`);
    return EXIT.failed;
  }
}

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
