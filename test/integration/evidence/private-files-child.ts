/**
 * Runs under `umask 000`: creates everything the app creates under a data directory (log, instance
 * lock, vault, an incident log with an attachment, a torn tail cut to quarantine, a checkpoint, an
 * export), then holds the writer lock and prints `done` so the parent can look at the modes.
 * argv: <data dir>
 */
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { FileLogger } from '../../../src/main/app/logger';
import { acquireInstanceLock } from '../../../src/main/app/instance-lock';
import { EvidenceVault } from '../../../src/main/evidence/evidence-vault';
import { EvidenceStore } from '../../../src/main/evidence/evidence-store';
import { EvidenceService } from '../../../src/main/evidence/evidence-service';
import { evidenceHandlers } from '../../../src/main/evidence/handlers';

const dataDir = process.argv[2]!;
const instance = await acquireInstanceLock(dataDir);
const logger = new FileLogger(path.join(dataDir, 'logs'), () => undefined);
logger.info('private-files.start');
const vault = new EvidenceVault({ dir: path.join(dataDir, 'evidence'), scrypt: { N: 2 ** 12, r: 8, p: 1 } });
await vault.initialise('private files passphrase');
let store = new EvidenceStore({ vault });
const service = new EvidenceService(vault, store);
await service.addText('inc-private', { title: 'pasted', text: 'x'.repeat(70 * 1024) });
await store.closeAll({ checkpoint: false });
await appendFile(path.join(dataDir, 'evidence', 'logs', 'inc-private', 'records.log'), Buffer.from([0, 0, 1, 0, 9]));
store = new EvidenceStore({ vault });
const handlers = evidenceHandlers({ evidence: new EvidenceService(vault, store), dataDir, logger });
await handlers['evidence:export']({ incidentId: 'inc-private', passphrase: 'export passphrase' });
await store.checkpoint('inc-private', 'status: mitigated');
process.stdout.write('done\n');
setTimeout(() => instance.dispose(), 60_000);
