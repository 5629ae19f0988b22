import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AppInfo } from '../../shared/contract';
import { CockpitFailure } from '../../shared/result';
import type { Runbook } from '../../shared/runbook/schema';
import type { RequestHandlers, StreamProviders } from '../host/dispatcher';
import { ContractDispatcher } from '../host/dispatcher';
import { EvidenceService } from '../evidence/evidence-service';
import { EvidenceStore } from '../evidence/evidence-store';
import { EvidenceVault } from '../evidence/evidence-vault';
import type { KeyProtector } from '../evidence/key-protection';
import { IncidentService } from '../incidents/incident-service';
import { ContextService, kubeconfigPaths } from '../contexts/context-service';
import { DrillContext } from '../contexts/drill-context';
import { loadRunbookFile } from '../runbook/loader';
import type { Logger } from './logger';

export interface CockpitOptions {
  host: AppInfo['host'];
  version: string;
  /** Where incidents, evidence and logs live. */
  dataDir: string;
  runbookPath: string;
  logger: Logger;
  actor?: string;
  /** The Electron shell's safeStorage protector, or why there is none (the vault then asks for a passphrase). */
  safeStorage?: { protector: KeyProtector } | { unavailable: string };
  /** scrypt cost for new passphrase vaults (tests lower it). */
  scryptN?: number;
  /** Run the embedded drill cluster (default true; `COCKPIT_DRILL=off` turns it off). */
  drill?: boolean;
  /** Kubeconfig files to read (default: KUBECONFIG, else ~/.kube/config). */
  kubeconfigPaths?: string[];
}

/** The services behind the contract, wired once and carried by either host. */
export interface Cockpit {
  dispatcher: ContractDispatcher;
  dispose(): Promise<void>;
}

/**
 * The composition root. A runbook that fails to load does not stop the app: the error (file,
 * line, path, what is wrong) is logged and answered to every request that needs the runbook.
 */
export async function createCockpit(options: CockpitOptions): Promise<Cockpit> {
  const actor = options.actor ?? os.userInfo().username;
  const { logger } = options;
  let runbook: Runbook | undefined;
  let runbookError: CockpitFailure | undefined;
  try {
    runbook = await loadRunbookFile(options.runbookPath);
    logger.info('runbook.loaded', { file: options.runbookPath, id: runbook.id });
  } catch (error) {
    runbookError =
      error instanceof CockpitFailure ? error : new CockpitFailure('Invalid', `cannot load runbook ${options.runbookPath}: ${String(error)}`);
    logger.error('runbook.invalid', { file: options.runbookPath, message: runbookError.message });
  }

  const safeStorage = options.safeStorage ?? { unavailable: 'safeStorage is only available in the Electron app, and this is the web host' };
  const vault = new EvidenceVault({
    dir: path.join(options.dataDir, 'evidence'),
    ...('protector' in safeStorage ? { safeStorage: safeStorage.protector } : { safeStorageUnavailableReason: safeStorage.unavailable }),
    ...(options.scryptN ? { scrypt: { N: options.scryptN, r: 8, p: 1 } } : {}),
  });
  const store = new EvidenceStore({ vault, actor: () => actor });
  const evidence = new EvidenceService(vault, store);
  const incidents = runbook
    ? new IncidentService({
        log: store,
        runbook,
        logger,
        onStatusRecorded: (id, status) => evidence.checkpoint(id, `status:${status}`),
      })
    : undefined;
  /** Work outside any incident goes to the session log, when the vault is open. */
  const session = async (type: string, body: Record<string, unknown>): Promise<void> => {
    if ((await vault.status()).state !== 'unlocked') return;
    await store.append('session', { type, body });
  };
  /** Evidence lands in the incident's own log, so the incident's timeline must hear of it. */
  const recorded = async <T>(incidentId: string, work: Promise<T>): Promise<T> => {
    const value = await work;
    await incidents?.refresh(incidentId);
    logger.info('evidence.recorded', { incidentId });
    return value;
  };
  const needIncidents = (): IncidentService => {
    if (!incidents) throw runbookError ?? new CockpitFailure('Unavailable', 'incidents are unavailable');
    return incidents;
  };

  const drill = options.drill === false ? undefined : new DrillContext(options.dataDir, logger);
  void drill?.start();
  const needDrill = (): DrillContext => {
    if (!drill) throw new CockpitFailure('Unavailable', 'the drill cluster is turned off (COCKPIT_DRILL=off)');
    return drill;
  };
  const contexts = new ContextService({
    paths: options.kubeconfigPaths ?? kubeconfigPaths(),
    logger,
    drillKubeconfig: async () => drill?.kubeconfig(),
  });

  const handlers: RequestHandlers = {
    'app:info': () => ({
      name: 'Incident Cockpit',
      version: options.version,
      host: options.host,
      actor,
      runbookId: runbook?.id ?? '',
      platform: process.platform,
    }),
    'runbook:get': () => {
      if (!runbook) throw runbookError ?? new CockpitFailure('Unavailable', 'no runbook loaded');
      return runbook;
    },
    'incidents:list': () => needIncidents().list(),
    'incidents:get': ({ id }) => needIncidents().get(id),
    'incidents:declare': (input) => needIncidents().declare(input),
    'incidents:setSeverity': ({ id, severity }) => needIncidents().setSeverity(id, severity),
    'incidents:setStatus': ({ id, status }) => needIncidents().setStatus(id, status),
    'incidents:checkItem': ({ id, itemId, done }) => needIncidents().checkItem(id, itemId, done),
    'incidents:saveNote': ({ id, noteId, text }) => needIncidents().saveNote(id, text, noteId),
    'contexts:list': () => contexts.list(),
    'contexts:select': async ({ name }) => {
      const list = await contexts.select(name);
      await session('session.context-selected', { name });
      return list;
    },
    'drill:status': () => (drill ? drill.status() : { running: false, scenarios: [], error: 'turned off (COCKPIT_DRILL=off)' }),
    'drill:setScenario': async ({ name, active }) => {
      const status = await needDrill().setScenario(name, active);
      await session('session.drill-scenario', { name, active });
      return status;
    },
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
    'evidence:addText': ({ incidentId, title, text }) => recorded(incidentId, evidence.addText(incidentId, { title, text })),
    'evidence:addFile': ({ incidentId, name, contentBase64 }) =>
      recorded(
        incidentId,
        evidence.addFile(incidentId, {
          name,
          stream: (async function* () {
            yield Buffer.from(contentBase64, 'base64');
          })(),
        }),
      ),
    'evidence:verify': ({ incidentId }) => evidence.verify(incidentId),
    'evidence:export': async ({ incidentId, passphrase }) => {
      const dir = path.join(options.dataDir, 'exports');
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${incidentId}-${new Date().toISOString().replace(/[:.]/g, '-')}.cockpit-evidence.age`);
      const result = await recorded(incidentId, evidence.export(incidentId, { passphrase }, file));
      logger.info('evidence.exported', { incidentId, file, sha256: result.sha256 });
      return { path: result.path, sha256: result.sha256, bytes: result.bytes, records: result.records, headHash: result.headHash, custodySeq: result.custodySeq };
    },
  };
  const providers: StreamProviders = {
    'incidents:changed': (_input, emit) => (incidents ? incidents.onDidChange(emit) : () => undefined),
  };

  return {
    dispatcher: new ContractDispatcher(handlers, providers, logger),
    dispose: async () => {
      await drill?.stop();
    },
  };
}
