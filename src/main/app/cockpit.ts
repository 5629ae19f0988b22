import os from 'node:os';
import path from 'node:path';
import type { AppInfo } from '../../shared/contract';
import { CockpitFailure } from '../../shared/result';
import type { Runbook } from '../../shared/runbook/schema';
import type { RequestHandlers, StreamProviders } from '../host/dispatcher';
import { ContractDispatcher } from '../host/dispatcher';
import { IncidentService } from '../incidents/incident-service';
import { JsonlRecordLog } from '../incidents/jsonl-record-log';
import type { RecordLog } from '../incidents/record-log';
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
  /** Defaults to the plain JSONL log under `<dataDir>/incidents`. */
  recordLog?: RecordLog;
  actor?: string;
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

  const recordLog = options.recordLog ?? new JsonlRecordLog(path.join(options.dataDir, 'incidents'), actor);
  const incidents = runbook ? new IncidentService({ log: recordLog, runbook, logger }) : undefined;
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
    'contexts:select': ({ name }) => contexts.select(name),
    'drill:status': () => (drill ? drill.status() : { running: false, scenarios: [], error: 'turned off (COCKPIT_DRILL=off)' }),
    'drill:setScenario': ({ name, active }) => needDrill().setScenario(name, active),
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
