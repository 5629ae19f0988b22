import path from 'node:path';
import type { evidenceRequests } from '../../shared/contract/evidence';
import { CockpitFailure } from '../../shared/result';
import type { Logger } from '../app/logger';
import type { HandlersOf } from '../host/dispatcher';
import type { EvidenceService } from './evidence-service';
import { ensurePrivateDir } from './durable-files';

/** `evidence:`: the vault gate, the record log, attachments, verify and export. */
/** Quotes a word for a POSIX shell. */
export const shellQuote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * The command that verifies an export on this machine, copyable as is: from the project root,
 * pinned to the signer, the passphrase typed on standard input (never put in the command line).
 */
export function exportVerifyCommand(projectRoot: string, file: string, fingerprint: string): string {
  return `cd ${shellQuote(projectRoot)} && npm run --silent evidence -- verify ${shellQuote(file)} --trust ${fingerprint} --passphrase-file -`;
}

export function evidenceHandlers(deps: {
  evidence: EvidenceService;
  dataDir: string;
  logger: Logger;
  /** Where `npm run evidence` works (default: the working directory, the repository under npm start). */
  projectRoot?: string;
}): HandlersOf<keyof typeof evidenceRequests> {
  const { evidence, logger } = deps;
  return {
    'evidence:status': () => evidence.status(),
    'evidence:initialise': async ({ passphrase }) => {
      const status = await evidence.initialise(passphrase);
      logger.info('evidence.initialised', { method: status.method });
      return status;
    },
    'evidence:unlock': async ({ passphrase }) => {
      try {
        return await evidence.unlock(passphrase);
      } catch (error) {
        logger.warn('evidence.unlock-failed', { code: error instanceof CockpitFailure ? error.code : 'Internal' });
        throw error;
      }
    },
    'evidence:lock': () => evidence.lock(),
    'evidence:timeline': ({ incidentId, ...filter }) => evidence.timeline(incidentId, filter),
    'evidence:attachments': ({ incidentId }) => evidence.attachments(incidentId),
    'evidence:readAttachment': async ({ incidentId, sha256 }) => {
      const content = await evidence.readAttachment(incidentId, sha256, { maxBytes: 256 * 1024 });
      const attachment = (await evidence.attachments(incidentId)).find((a) => a.sha256 === sha256);
      const text = attachment?.mediaType.startsWith('text/') ? content.content.toString('utf8') : undefined;
      return { sha256, size: content.size, truncated: content.truncated, ...(text === undefined ? {} : { text }) };
    },
    'evidence:addText': async ({ incidentId, title, text }) => {
      const record = await evidence.addText(incidentId, { title, text });
      logger.info('evidence.recorded', { incidentId });
      return record;
    },
    'evidence:addFile': async ({ incidentId, name, contentBase64 }) => {
      const record = await evidence.addFile(incidentId, {
        name,
        stream: (async function* () {
          yield Buffer.from(contentBase64, 'base64');
        })(),
      });
      logger.info('evidence.recorded', { incidentId });
      return record;
    },
    'evidence:verify': ({ incidentId }) => evidence.verify(incidentId),
    'evidence:export': async ({ incidentId, passphrase }) => {
      const dir = path.join(deps.dataDir, 'exports');
      await ensurePrivateDir(dir);
      const file = path.join(dir, `${incidentId}-${new Date().toISOString().replace(/[:.]/g, '-')}.cockpit-evidence.age`);
      const result = await evidence.export(incidentId, { passphrase }, file);
      logger.info('evidence.exported', { incidentId, file, sha256: result.sha256 });
      const installationKey = result.checkpoint.keyFingerprint;
      return {
        path: result.path,
        sha256: result.sha256,
        bytes: result.bytes,
        records: result.records,
        headHash: result.headHash,
        custodySeq: result.custodySeq,
        installationKey,
        verifyCommand: exportVerifyCommand(deps.projectRoot ?? process.cwd(), result.path, installationKey),
      };
    },
  };
}
