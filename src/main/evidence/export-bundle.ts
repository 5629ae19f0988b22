import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import path from 'node:path';
import { Decrypter, Encrypter } from 'age-encryption';
import * as tar from 'tar-stream';
import { CockpitFailure } from '../../shared/result';
import type { StoredRecord } from '../incidents/record-log';
import { checkpointSignatureValid, publicKeyFingerprint, type SignedCheckpoint } from './checkpoints';
import { fsyncDirectory } from './durable-files';
import { genesisHash, scanLog, sha256 } from './log-frames';
import { sealedPlaintextOf } from './record-sealing';
import type { ChainedRecord } from './evidence-store';

/**
 * The export container: an age-encrypted POSIX tar (tar-stream) holding, under `evidence-<id>/`:
 *   records.jsonl                  the redacted plaintext records with their chain hashes and salts
 *   records.log                    the sealed frames themselves: each header carries the SHA-256 of
 *                                  its record's plaintext, so records.jsonl is checked against the
 *                                  chain (and the signed head) without any key
 *   attachments/<sha256>           each attachment's redacted plaintext
 *   report.md                      summary and timeline for people
 *   installation-public-key.pem    the signer
 *   checkpoint.json                the checkpoint signed for this export
 *   manifest.json                  SHA-256 and size of every file above, and the checkpoint
 *   manifest.sig                   Ed25519 signature (base64) over manifest.json
 */
export const EXPORT_FORMAT = 'incident-cockpit-evidence-export';

/** age passphrase (scrypt; `scryptWorkFactor` is log2 N, default 18, tests lower it) or X25519 recipient. */
export type ExportEncryption = { passphrase: string; scryptWorkFactor?: number } | { recipient: string };

/** Decryption material for an export: an age passphrase or X25519 identity (`AGE-SECRET-KEY-1...`). */
export type ExportKey = { passphrase: string } | { identity: string };

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  /** 2: with records.log and salted records (every record checkable from its plaintext). */
  version: 1 | 2;
  logId: string;
  createdAt: string;
  createdBy: string;
  publicKeyFingerprint: string;
  checkpoint: { count: number; headHash: string; at: string };
  files: Array<{ path: string; sha256: string; size: number }>;
}

/** One line of records.jsonl. */
export interface ExportedRecord extends StoredRecord {
  prev: string;
  hash: string;
  salt?: string;
}

export interface ExportSource {
  logId: string;
  records: ChainedRecord[];
  checkpoint: SignedCheckpoint;
  signer: { privateKey: KeyObject; publicKey: KeyObject };
  actor: string;
  now: Date;
  attachments: Array<{ sha256: string; size: number; open: () => AsyncIterable<Buffer> }>;
  /** records.log from its start to the end of the last exported frame. */
  frames: Buffer;
  /** Other facts for report.md that the records do not hold. */
  report?: ReportExtras;
}

export interface ReportExtras {
  title?: string;
}

export interface WrittenExport {
  path: string;
  sha256: string;
  bytes: number;
}

function webStreamFrom(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

async function* iterateWebStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** One record as a sentence for the report's timeline. */
function describeRecord(r: StoredRecord): string {
  const b = (r.body ?? {}) as Record<string, unknown>;
  const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');
  switch (r.type) {
    case 'incident.declared':
      return `Declared ${str(b.severity)}: ${str(b.title)}`;
    case 'incident.severity-changed':
      return `Severity ${str(b.from)} → ${str(b.to)}`;
    case 'incident.status-changed':
      return `Status ${str(b.from)} → ${str(b.to)}`;
    case 'checklist.item-checked':
      return `${b.done === false ? 'Unticked' : 'Ticked'} “${str(b.label)}”`;
    case 'note.revised':
      return `Note ${str(b.noteId)} written`;
    case 'evidence.added':
      return `Evidence added: ${str(b.title ?? b.name)}${b.sha256 ? ` (attachment ${str(b.sha256).slice(0, 12)}…)` : ''}`;
    case 'evidence.exported':
      return `Exported (${str(b.records)} records)`;
    default: {
      const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body) ?? '';
      return `${r.type}${text && text !== '{}' && text !== 'null' ? `: ${text.length > 140 ? `${text.slice(0, 137)}...` : text}` : ''}`;
    }
  }
}

/**
 * The export's report.md: a readable incident report (title, severity history, status times,
 * checklist with who and when, notes as written, timeline, attachments with hashes), then how
 * the export is verified.
 */
export function renderReport(
  source: Pick<ExportSource, 'logId' | 'records' | 'checkpoint' | 'now' | 'actor'> & { attachments?: Array<{ sha256: string; size: number }> },
  fingerprint: string,
): string {
  const { records } = source;
  const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const body = (r: StoredRecord): Record<string, unknown> => (r.body ?? {}) as Record<string, unknown>;
  const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : String(v));
  const declared = records.find((r) => r.type === 'incident.declared');
  const d = declared ? body(declared) : {};
  const severities = records.filter((r) => r.type === 'incident.severity-changed');
  const statuses = records.filter((r) => r.type === 'incident.status-changed');
  const severity = severities.length > 0 ? str(body(severities.at(-1)!).to) : str(d.severity);
  const status = statuses.length > 0 ? str(body(statuses.at(-1)!).to) : declared ? 'investigating' : 'unknown';
  const checklist = new Map<string, StoredRecord>();
  for (const r of records) if (r.type === 'checklist.item-checked') checklist.set(str(body(r).itemId), r);
  const notes = new Map<string, { latest: StoredRecord; revisions: number; first: StoredRecord }>();
  for (const r of records) {
    if (r.type !== 'note.revised') continue;
    const id = str(body(r).noteId);
    const seen = notes.get(id);
    notes.set(id, { latest: r, revisions: (seen?.revisions ?? 0) + 1, first: seen?.first ?? r });
  }
  const added = records.filter((r) => r.type === 'evidence.added' && typeof body(r).sha256 === 'string');
  const lines: string[] = [
    `# Incident report: ${str(d.title) || source.logId}`,
    '',
    `- **Incident**: ${source.logId}`,
    `- **Severity**: ${severity || 'not set'} · **Status**: ${status}`,
    declared ? `- **Declared**: ${declared.at} by ${declared.actor}` : '- **Declared**: no `incident.declared` record in this log',
    `- **Exported**: ${source.now.toISOString()} by ${source.actor} (${records.length} records)`,
    '',
  ];
  if (str(d.summary)) lines.push('## Summary', '', str(d.summary), '');
  lines.push('## Severity history', '', '| time (UTC) | by | severity |', '| --- | --- | --- |');
  if (declared) lines.push(`| ${declared.at} | ${cell(declared.actor)} | ${cell(str(d.severity))} (declared) |`);
  for (const r of severities) lines.push(`| ${r.at} | ${cell(r.actor)} | ${cell(str(body(r).from))} → ${cell(str(body(r).to))} |`);
  lines.push('', '## Status', '', '| status | since (UTC) | by |', '| --- | --- | --- |');
  if (declared) lines.push(`| investigating | ${declared.at} | ${cell(declared.actor)} |`);
  for (const r of statuses) lines.push(`| ${cell(str(body(r).to))} | ${r.at} | ${cell(r.actor)} |`);
  lines.push('', '## Checklist', '');
  if (checklist.size === 0) lines.push('No checklist item was ticked.');
  else {
    lines.push('| item | state | by | when (UTC) |', '| --- | --- | --- | --- |');
    for (const r of checklist.values()) lines.push(`| ${cell(str(body(r).label))} | ${body(r).done === false ? 'open (unticked)' : 'done'} | ${cell(r.actor)} | ${r.at} |`);
  }
  lines.push('', '## Notes', '');
  if (notes.size === 0) lines.push('No notes.');
  for (const [id, n] of notes) {
    lines.push(
      `### Note ${id}`,
      '',
      `*Written ${n.first.at} by ${n.first.actor}${n.revisions > 1 ? `; revision ${n.revisions} of ${n.latest.at} by ${n.latest.actor}` : ''}.*`,
      '',
      str(body(n.latest).text),
      '',
    );
  }
  lines.push('## Timeline', '', '| seq | time (UTC) | actor | what |', '| --- | --- | --- | --- |');
  for (const r of records) lines.push(`| ${r.seq} | ${r.at} | ${cell(r.actor)} | ${cell(describeRecord(r))} |`);
  lines.push('', '## Attachments', '');
  if (added.length === 0) lines.push('No attachments.');
  else {
    lines.push('| name | size (bytes) | SHA-256 | added (seq) |', '| --- | --- | --- | --- |');
    for (const r of added) {
      const b = body(r);
      lines.push(`| ${cell(str(b.name ?? b.title))} | ${str(b.size)} | \`${str(b.sha256)}\` | ${r.seq} by ${cell(r.actor)} |`);
    }
  }
  lines.push(
    '',
    '## Integrity',
    '',
    `- Head hash \`${source.checkpoint.headHash}\` (record ${source.checkpoint.count}), checkpoint signed ${source.checkpoint.at}`,
    `- Installation signing key \`${fingerprint}\``,
    '',
    'Verify this export from the Incident Cockpit repository (type the export passphrase on standard input):',
    '',
    '```sh',
    `npm run --silent evidence -- verify <this file> --trust ${fingerprint} --passphrase-file -`,
    '```',
    '',
    'It checks every file against manifest.json, the manifest and checkpoint signatures, each record in records.jsonl against the digest sealed in records.log, the hash chain up to the signed head, and every attachment against its hash.',
    '',
  );
  return lines.join('\n');
}

/**
 * Writes the export: tar entries streamed into age, into a temp file that is fsynced and renamed
 * into place. Attachments stream through; nothing large is held in memory.
 */
export async function writeExportBundle(source: ExportSource, encryption: ExportEncryption, outPath: string): Promise<WrittenExport> {
  const dirName = `evidence-${source.logId}`;
  const fingerprint = publicKeyFingerprint(source.signer.publicKey);
  const encrypter = new Encrypter();
  if ('passphrase' in encryption) {
    encrypter.setPassphrase(encryption.passphrase);
    if (encryption.scryptWorkFactor !== undefined) encrypter.setScryptWorkFactor(encryption.scryptWorkFactor);
  } else {
    try {
      encrypter.addRecipient(encryption.recipient);
    } catch (err) {
      throw new CockpitFailure('Invalid', `Not an age recipient: ${(err as Error).message}`);
    }
  }
  const pack = tar.pack();
  const files: ExportManifest['files'] = [];
  const mtime = source.now;

  const addBuffer = async (name: string, content: Buffer): Promise<void> => {
    files.push({ path: name, sha256: sha256Hex(content), size: content.length });
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: `${dirName}/${name}`, size: content.length, mtime, mode: 0o600 }, content, (err) => (err ? reject(err) : resolve())),
    );
  };

  const produce = async (): Promise<void> => {
    const recordsJsonl = source.records
      .map((r) => {
        const line: ExportedRecord = { seq: r.seq, at: r.at, actor: r.actor, type: r.type, body: r.body, prev: r.prev, hash: r.hash };
        if (r.context) line.context = r.context;
        if (r.attachments) line.attachments = r.attachments;
        if (r.salt !== undefined) line.salt = r.salt;
        return JSON.stringify(line);
      })
      .join('\n');
    await addBuffer('records.jsonl', Buffer.from(recordsJsonl.length > 0 ? `${recordsJsonl}\n` : ''));
    await addBuffer('records.log', source.frames);
    for (const attachment of source.attachments) {
      const name = `attachments/${attachment.sha256}`;
      const hash = createHash('sha256');
      let size = 0;
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry({ name: `${dirName}/${name}`, size: attachment.size, mtime, mode: 0o600 }, (err) => (err ? reject(err) : resolve()));
        void (async () => {
          try {
            for await (const chunk of attachment.open()) {
              hash.update(chunk);
              size += chunk.length;
              if (!sink.write(chunk)) await once(sink as unknown as NodeJS.EventEmitter, 'drain');
            }
            sink.end(undefined);
          } catch (err) {
            sink.destroy(err as Error);
            reject(err);
          }
        })();
      });
      files.push({ path: name, sha256: hash.digest('hex'), size });
    }
    await addBuffer('report.md', Buffer.from(renderReport(source, fingerprint)));
    await addBuffer('installation-public-key.pem', Buffer.from(source.signer.publicKey.export({ type: 'spki', format: 'pem' }).toString()));
    await addBuffer('checkpoint.json', Buffer.from(JSON.stringify(source.checkpoint, null, 2)));
    const manifest: ExportManifest = {
      format: EXPORT_FORMAT,
      version: 2,
      logId: source.logId,
      createdAt: source.now.toISOString(),
      createdBy: source.actor,
      publicKeyFingerprint: fingerprint,
      checkpoint: { count: source.checkpoint.count, headHash: source.checkpoint.headHash, at: source.checkpoint.at },
      files: [...files],
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2));
    const signature = sign(null, manifestBytes, source.signer.privateKey).toString('base64');
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: `${dirName}/manifest.json`, size: manifestBytes.length, mtime, mode: 0o600 }, manifestBytes, (e) => (e ? reject(e) : resolve())),
    );
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: `${dirName}/manifest.sig`, size: Buffer.byteLength(signature), mtime, mode: 0o600 }, signature, (e) => (e ? reject(e) : resolve())),
    );
    pack.finalize();
  };

  const target = path.resolve(outPath);
  const temp = `${target}.${process.pid}.partial`;
  const handle = await open(temp, 'w', 0o600);
  const outHash = createHash('sha256');
  let bytes = 0;
  try {
    const producing = produce().catch((err: unknown) => {
      pack.destroy(err as Error);
      throw err;
    });
    const encrypted = await encrypter.encrypt(webStreamFrom(pack as AsyncIterable<Uint8Array>));
    for await (const chunk of iterateWebStream(encrypted)) {
      outHash.update(chunk);
      bytes += chunk.length;
      await handle.write(chunk);
    }
    await producing;
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(temp, target);
  await fsyncDirectory(path.dirname(target));
  return { path: target, sha256: outHash.digest('hex'), bytes };
}

/** What reading an export found; `problems` empty means everything checked. */
export interface ExportCheck {
  ok: boolean;
  problems: string[];
  /** Facts that do not fail the check (e.g. records from before plaintext digests). */
  notes: string[];
  logId?: string;
  records: ExportedRecord[];
  manifest?: ExportManifest;
  checkpoint?: SignedCheckpoint;
  publicKeyFingerprint?: string;
  attachments: Array<{ sha256: string; size: number }>;
  report?: string;
}

const SMALL_FILE_LIMIT = 256 * 1024 * 1024;

/**
 * Decrypts an export with age and checks it: every file against the manifest, the manifest and
 * checkpoint signatures, the records' hash chain up to the checkpoint's head, and each
 * attachment's content against its name. `trusted` pins the signer (a public key or fingerprint).
 */
export async function checkExportBundle(file: string, key: ExportKey, trusted?: KeyObject | string): Promise<ExportCheck> {
  const decrypter = new Decrypter();
  if ('passphrase' in key) decrypter.addPassphrase(key.passphrase);
  else decrypter.addIdentity(key.identity.trim());
  const check: ExportCheck = { ok: false, problems: [], notes: [], records: [], attachments: [] };
  const small = new Map<string, Buffer>();
  const seen = new Map<string, { sha256: string; size: number }>();

  let plain: ReadableStream<Uint8Array>;
  try {
    plain = await decrypter.decrypt(Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>);
  } catch (err) {
    throw new CockpitFailure('WrongPassphrase', `The export does not open with this key: ${(err as Error).message}`, file);
  }
  const extract = tar.extract();
  const pump = (async () => {
    try {
      for await (const chunk of iterateWebStream(plain)) {
        if (!extract.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
          await once(extract as unknown as NodeJS.EventEmitter, 'drain');
        }
      }
      extract.end(undefined);
    } catch (err) {
      extract.destroy(err as Error);
    }
  })();
  try {
    for await (const entry of extract) {
      const name = entry.header.name;
      const hash = createHash('sha256');
      const keep = !name.includes('/attachments/') && entry.header.size < SMALL_FILE_LIMIT;
      const parts: Buffer[] = [];
      let size = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
        if (keep) parts.push(chunk);
      }
      const relative = name.split('/').slice(1).join('/');
      seen.set(relative, { sha256: hash.digest('hex'), size });
      if (keep) small.set(relative, Buffer.concat(parts));
    }
  } catch (err) {
    check.problems.push(`the export does not decrypt or unpack cleanly (altered or truncated): ${(err as Error).message}`);
    await pump;
    return check;
  }
  await pump;

  const manifestBytes = small.get('manifest.json');
  const signature = small.get('manifest.sig');
  const pem = small.get('installation-public-key.pem');
  if (!manifestBytes || !signature || !pem) {
    check.problems.push('manifest.json, manifest.sig or installation-public-key.pem is missing');
    return check;
  }
  let manifest: ExportManifest;
  let publicKey: KeyObject;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as ExportManifest;
    publicKey = createPublicKey(pem.toString('utf8'));
  } catch (err) {
    check.problems.push(`manifest or public key unreadable: ${(err as Error).message}`);
    return check;
  }
  check.manifest = manifest;
  check.logId = manifest.logId;
  const fingerprint = publicKeyFingerprint(publicKey);
  check.publicKeyFingerprint = fingerprint;
  if (manifest.format !== EXPORT_FORMAT) check.problems.push(`not an evidence export (format ${String(manifest.format)})`);
  if (!verify(null, manifestBytes, publicKey, Buffer.from(signature.toString('utf8'), 'base64'))) {
    check.problems.push('manifest signature does not verify');
  }
  if (manifest.publicKeyFingerprint !== fingerprint) check.problems.push('manifest names a different signing key');
  if (trusted !== undefined) {
    const want = typeof trusted === 'string' ? trusted.toLowerCase() : publicKeyFingerprint(trusted);
    if (want !== fingerprint) check.problems.push(`signed by key ${fingerprint}, not the trusted key ${want}`);
  }
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    const got = seen.get(f.path);
    if (!got) check.problems.push(`${f.path} is listed in the manifest but missing`);
    else if (got.sha256 !== f.sha256 || got.size !== f.size) check.problems.push(`${f.path} does not match its manifest hash`);
  }
  for (const name of seen.keys()) {
    if (name !== 'manifest.json' && name !== 'manifest.sig' && !listed.has(name)) check.problems.push(`${name} is not in the manifest`);
  }

  const checkpointBytes = small.get('checkpoint.json');
  if (checkpointBytes) {
    const checkpoint = JSON.parse(checkpointBytes.toString('utf8')) as SignedCheckpoint;
    check.checkpoint = checkpoint;
    if (!checkpointSignatureValid(checkpoint, publicKey)) check.problems.push('checkpoint signature does not verify');
    if (checkpoint.logId !== manifest.logId || checkpoint.count !== manifest.checkpoint.count || checkpoint.headHash !== manifest.checkpoint.headHash) {
      check.problems.push('checkpoint and manifest disagree');
    }
  } else check.problems.push('checkpoint.json is missing');

  const recordsText = small.get('records.jsonl')?.toString('utf8') ?? '';
  const lines = recordsText.split('\n').filter((l) => l.length > 0);
  let prev = genesisHash(manifest.logId).toString('hex');
  for (let i = 0; i < lines.length; i++) {
    let record: ExportedRecord;
    try {
      record = JSON.parse(lines[i]!) as ExportedRecord;
    } catch {
      check.problems.push(`records.jsonl line ${i + 1} is not JSON`);
      break;
    }
    if (record.seq !== i + 1) {
      check.problems.push(`corrupt at seq ${i + 1}: found seq ${record.seq}`);
      break;
    }
    if (record.prev !== prev) {
      check.problems.push(`corrupt at seq ${record.seq}: does not chain to the record before it`);
      break;
    }
    for (const sha of record.attachments ?? []) {
      const got = seen.get(`attachments/${sha}`);
      if (!got) check.problems.push(`seq ${record.seq} references attachment ${sha}, which is not in the export`);
      else if (got.sha256 !== sha) check.problems.push(`attachment ${sha} does not hash to its name`);
    }
    prev = record.hash;
    check.records.push(record);
  }
  const framesBytes = small.get('records.log');
  if (framesBytes) checkFramesAgainstRecords(manifest.logId, framesBytes, check);
  else if (manifest.version >= 2) check.problems.push('records.log is missing: the records cannot be checked against the signed chain');
  if (check.checkpoint) {
    if (check.records.length !== check.checkpoint.count) {
      check.problems.push(`checkpoint covers ${check.checkpoint.count} records, the export holds ${check.records.length}`);
    } else if (prev !== check.checkpoint.headHash) {
      check.problems.push(`checkpoint mismatch at seq ${check.checkpoint.count}: the records' head hash differs`);
    }
  }
  for (const [name, info] of seen) {
    if (name.startsWith('attachments/')) {
      const sha = name.slice('attachments/'.length);
      check.attachments.push({ sha256: sha, size: info.size });
      if (info.sha256 !== sha) check.problems.push(`attachment ${sha} does not hash to its name`);
    }
  }
  check.report = small.get('report.md')?.toString('utf8');
  check.problems = [...new Set(check.problems)];
  check.ok = check.problems.length === 0;
  return check;
}

/**
 * Checks records.jsonl against the sealed frames without any key: the frames chain to the signed
 * head, and each record's rebuilt plaintext hashes to the digest its frame carries. A record
 * changed in records.jsonl, or frames forged to match, fails here or at the signature.
 */
function checkFramesAgainstRecords(logId: string, bytes: Buffer, check: ExportCheck): void {
  const scan = scanLog(bytes, logId);
  if (scan.problem) {
    check.problems.push(`records.log: ${scan.problem.kind} at seq ${scan.problem.seq}: ${scan.problem.reason}`);
    return;
  }
  if (scan.frames.length !== check.records.length) {
    check.problems.push(`records.log holds ${scan.frames.length} records, records.jsonl ${check.records.length}`);
  }
  let undigested = 0;
  for (let i = 0; i < Math.min(scan.frames.length, check.records.length); i++) {
    const frame = scan.frames[i]!;
    const record = check.records[i]!;
    if (frame.hash.toString('hex') !== record.hash || frame.prevHash.toString('hex') !== record.prev) {
      check.problems.push(`corrupt at seq ${record.seq}: records.jsonl names another frame than records.log holds`);
      return;
    }
    if (!frame.plainDigest) {
      undigested++;
      continue;
    }
    const plain = Buffer.from(JSON.stringify(sealedPlaintextOf(logId, record)));
    if (!sha256(plain).equals(frame.plainDigest)) {
      check.problems.push(`corrupt at seq ${record.seq}: the record in records.jsonl is not the one sealed in the chain (content altered)`);
      return;
    }
  }
  if (undigested > 0) check.notes.push(`${undigested} record(s) predate plaintext digests: their content is covered by the export signature only`);
}
