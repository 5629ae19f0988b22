/**
 * The Electron shell: one locked-down window, the contract bridged over IPC, nothing else.
 * All behaviour lives in the services (`createCockpit`), which the web host carries too.
 */
import { app, BrowserWindow, session, shell, utilityProcess } from 'electron';
import path from 'node:path';
import { createCockpit, type Cockpit } from '../app/cockpit';
import { FileLogger } from '../app/logger';
import type { DrillForker } from '../contexts/drill-context';
import { appRoot, BUNDLED_RUNBOOK } from '../app/paths';
import { bridgeContract } from './ipc-bridge';
import { safeStorageProtector } from './safe-storage-protector';

const root = appRoot(import.meta.url);
const resourcesDir = app.isPackaged ? process.resourcesPath : root;
const rendererIndex = path.join(root, 'out', 'renderer', 'index.html');

app.enableSandbox();
if (process.env.COCKPIT_DATA_DIR) app.setPath('userData', path.resolve(process.env.COCKPIT_DATA_DIR));
let cockpit: Cockpit | undefined;

/** The drill cluster as an Electron utility process: Chromium ends it with the app, however the app ends. */
const utilityDrillForker: DrillForker = (module, options) => {
  const child = utilityProcess.fork(module.modulePath, [], {
    env: { ...process.env, ...options.env },
    execArgv: module.execArgv,
    stdio: ['ignore', 'ignore', 'pipe'],
    serviceName: options.serviceName,
  });
  return {
    get pid() {
      return child.pid;
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.once('exit', (code) => listener({ code, signal: null })),
    onStderr: (listener) => child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString('utf8'))),
    kill: () => void child.kill(),
  };
};

async function openWindow(): Promise<void> {
  const logger = new FileLogger(path.join(app.getPath('userData'), 'logs'));
  cockpit = await createCockpit({
    host: 'electron',
    version: app.getVersion(),
    dataDir: app.getPath('userData'),
    runbookPath: process.env.COCKPIT_RUNBOOK ?? path.join(resourcesDir, BUNDLED_RUNBOOK),
    logger,
    drill: process.env.COCKPIT_DRILL !== 'off',
    drillOptions: { forker: utilityDrillForker },
    safeStorage: safeStorageProtector(),
  });

  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    backgroundColor: '#0e1116',
    title: 'Incident Cockpit',
    show: false,
    webPreferences: {
      preload: path.join(root, 'out', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const rendererUrl = new URL(`file://${rendererIndex}`).href;
  bridgeContract(cockpit.dispatcher, (event) => event.senderFrame === win.webContents.mainFrame && event.senderFrame.url.startsWith(rendererUrl), logger);

  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());
  await win.loadFile(rendererIndex);
}

app.whenReady().then(openWindow, (error: unknown) => {
  console.error('Incident Cockpit failed to start:', error);
  app.exit(1);
});
app.on('window-all-closed', () => {
  void cockpit?.dispose().finally(() => app.quit());
});
