import os from 'node:os';
import path from 'node:path';
import type { AppInfo } from '../../shared/contract';
import { appHandlers } from './handlers';
import { runbookLinks } from './link-policy';
import { contextHandlers, contextProviders } from '../contexts/handlers';
import { AlertSettingsStore } from '../alerts/alert-settings';
import { AlertsService, drillAlertSettings } from '../alerts/alerts-service';
import { CriticalAlertNotifications } from '../alerts/critical-alert-notifications';
import { BUNDLED_ALERT_RULES, withDrillMonitoring } from '../alerts/drill-monitoring';
import type { AlertNotification } from '../../shared/alerts/critical-alert-tracker';
import { DisposableStore, type IDisposable } from '../../shared/lifetimes';
import { alertHandlers, alertProviders } from '../alerts/handlers';
import { ClusterService } from '../cluster/cluster-service';
import { clusterProviders } from '../cluster/handlers';
import { evidenceHandlers } from '../evidence/handlers';
import { incidentHandlers } from '../incidents/handlers';
import { procedureHandlers } from '../procedures/handlers';
import { ProcedureService } from '../procedures/procedure-service';
import { logsHandlers, logsProviders } from '../logs/handlers';
import { LogService } from '../logs/log-service';
import { CockpitFailure } from '../../shared/result';
import type { Runbook } from '../../shared/runbook/schema';
import type { RequestHandlers, StreamProviders } from '../host/dispatcher';
import { ContractDispatcher } from '../host/dispatcher';
import { EvidenceService } from '../evidence/evidence-service';
import { EvidenceStore } from '../evidence/evidence-store';
import { stopRedactionWorker } from '../evidence/off-thread-redaction';
import { EvidenceVault } from '../evidence/evidence-vault';
import type { KeyProtector } from '../evidence/key-protection';
import { IncidentService } from '../incidents/incident-service';
import { ContextService, kubeconfigPaths } from '../contexts/context-service';
import { DrillContext, type DrillContextOptions } from '../contexts/drill-context';
import { loadRunbookFile } from '../runbook/loader';
import { terminalHandlers } from '../terminal/handlers';
import { TerminalService } from '../terminal/terminal-service';
import type { Logger } from './logger';
import { TunnelService } from '../tunnels/tunnel-service';
import { tunnelHandlers, tunnelProviders } from '../tunnels/handlers';
import { DatabaseActions } from '../databases/database-actions';
import { DatabaseService } from '../databases/database-service';
import { tunnelEndpoints } from '../databases/endpoints';
import { databaseHandlers } from '../databases/handlers';

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
  /** How the drill's process is forked (Electron passes a utilityProcess forker; default child_process.fork) and configured. */
  drillOptions?: DrillContextOptions;
  /** Kubeconfig files to read (default: KUBECONFIG, else ~/.kube/config). */
  kubeconfigPaths?: string[];
}

/** The services behind the contract, wired once and carried by either host. */
export interface Cockpit {
  dispatcher: ContractDispatcher;
  /** Links the desktop shell opens without asking: the runbook's own. */
  trustedLinks: ReadonlySet<string>;
  /** Native notifications of new critical alerts (the Electron shell; the web host's page raises its own). */
  notifyCriticalAlerts(show: (notification: AlertNotification) => void): IDisposable;
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
  const recordSession = async (type: string, body: Record<string, unknown>): Promise<void> => {
    if ((await vault.status()).state !== 'unlocked') return;
    await store.append('session', { type, body });
  };

  // COCKPIT_DRILL_SPEED (simulated seconds per real second) is read by DrillContext for its process.
  const drillOptions = withDrillMonitoring(options.drillOptions, process.env, path.resolve(path.dirname(options.runbookPath), '..', '..', BUNDLED_ALERT_RULES));
  const drill = options.drill === false ? undefined : new DrillContext(options.dataDir, logger, drillOptions);
  drill?.start();
  const contexts = new ContextService({
    paths: options.kubeconfigPaths ?? kubeconfigPaths(),
    logger,
    drillKubeconfig: async () => drill?.kubeconfig(),
  });
  const cluster = new ClusterService({ contexts, logger });
  const alerts = new AlertsService({
    contexts,
    settings: new AlertSettingsStore(options.dataDir, logger),
    runbook,
    ...(incidents ? { incidents } : {}),
    log: store,
    logger,
    preconfigured: drillAlertSettings(process.env),
  });
  const logs = new LogService({ contexts, evidence, cluster, logger });
  /** The shell's alert notifiers, stopped with the cockpit. */
  const notifiers = new DisposableStore();

  const procedures = runbook
    ? new ProcedureService({
        runbook,
        currentContext: async () => (await contexts.list()).current ?? 'drill',
        kubeConfig: (name) => contexts.kubeConfig(name),
        recorder: { append: (id, r) => store.append(id, r), putAttachment: (id, s, o) => store.putAttachment(id, s, o), read: (id) => store.read(id), writable: async () => (await vault.status()).state === 'unlocked' },
        actor,
        logger,
        // Created below with the tunnels; the engine calls it only when a pg.* / redis.* step runs.
        databases: { prepare: (context, action) => databaseActions.prepare(context, action) },
      })
    : undefined;
  const procedureSlice = procedureHandlers(procedures, runbookError);
  const tunnels = new TunnelService({ kubeConfig: (name) => contexts.kubeConfig(name), contextScope: (name) => (name === contexts.current ? contexts.scope : undefined), logger });
  // A tab exports the open tunnels' ports (PGHOST/PGPORT, REDIS_HOST/REDIS_PORT).
  const terminal = new TerminalService({ contexts, evidence, redactor: store.redactor, dataDir: options.dataDir, logger, tunnels });
  await terminal.start();
  const terminalSlice = terminalHandlers(terminal);
  const databases = new DatabaseService({ endpoints: tunnelEndpoints(tunnels), runbook, evidence, logger });
  const databaseActions = new DatabaseActions(databases);

  const incidentSlice = incidentHandlers(incidents, runbookError);
  const contextSlice = contextHandlers({ contexts, drill, recordSession });
  const handlers: RequestHandlers = {
    ...appHandlers({
      info: { name: 'Incident Cockpit', version: options.version, host: options.host, actor, platform: process.platform },
      runbook,
      runbookError,
      liveStreams: () => dispatcher.liveStreams,
    }),
    ...incidentSlice.handlers,
    ...contextSlice.handlers,
    ...evidenceHandlers({ evidence, dataDir: options.dataDir, logger }),
    ...procedureSlice.handlers,
    ...alertHandlers(alerts, actor),
    ...logsHandlers(logs),
    ...terminalSlice.handlers,
    ...tunnelHandlers(tunnels),
    ...databaseHandlers(databases),
  };
  const providers: StreamProviders = {
    ...incidentSlice.providers,
    ...contextSlice.providers,
    ...procedureSlice.providers,
    ...contextProviders(contexts),
    ...clusterProviders(cluster),
    ...alertProviders(alerts),
    ...logsProviders(logs),
    ...terminalSlice.providers,
    ...tunnelProviders(tunnels),
  };

  const dispatcher: ContractDispatcher = new ContractDispatcher(handlers, providers, logger);
  return {
    dispatcher,
    trustedLinks: runbookLinks(runbook),
    notifyCriticalAlerts: (show) => notifiers.add(new CriticalAlertNotifications({ alerts, contexts, show, logger })),
    dispose: async () => {
      notifiers.dispose();
      await terminal.dispose();
      tunnels.dispose();
      procedures?.dispose();
      incidents?.dispose();
      contexts.dispose();
      // Closing checkpoints over every open log, writer locks released.
      await store.dispose();
      logs.dispose();
      await stopRedactionWorker();
      await drill?.stop();
    },
  };
}
