/**
 * The Electron shell: one locked-down window, the contract bridged over IPC, nothing else.
 * All behaviour lives in the services (`createCockpit`), which the web host carries too.
 */
import { app, BrowserWindow, dialog, Notification, protocol, session, shell, utilityProcess } from 'electron';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createCockpit, type Cockpit } from '../app/cockpit';
import { acquireInstanceLock, type InstanceLock } from '../app/instance-lock';
import { decideLink } from '../app/link-policy';
import { FileLogger } from '../app/logger';
import type { DrillForker } from '../contexts/drill-context';
import { appRoot, BUNDLED_RUNBOOK } from '../app/paths';
import { contentTypeOf, RENDERER_CSP, resolveRendererFile } from '../host/renderer-files';
import { bridgeContract } from './ipc-bridge';
import { safeStorageProtector } from './safe-storage-protector';

const root = appRoot(import.meta.url);
const resourcesDir = app.isPackaged ? process.resourcesPath : root;
const rendererDir = path.join(root, 'out', 'renderer');
/** The renderer is served from our own privileged scheme, not file://. */
const APP_ORIGIN = 'app://cockpit';

app.enableSandbox();
if (process.env.COCKPIT_DATA_DIR) app.setPath('userData', path.resolve(process.env.COCKPIT_DATA_DIR));
protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let cockpit: Cockpit | undefined;
let win: BrowserWindow | undefined;
let instance: InstanceLock | undefined;

// One cockpit per data directory: a second launch focuses the first window and exits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.whenReady().then(openWindow, (error: unknown) => {
    console.error('Incident Cockpit failed to start:', error);
    app.exit(1);
  });
}

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
  // The single-instance lock covers Electron; this one also keeps a web host off the same data.
  try {
    instance = await acquireInstanceLock(app.getPath('userData'), 'Electron app');
  } catch (error) {
    dialog.showErrorBox('Incident Cockpit is already running', error instanceof Error ? error.message : String(error));
    app.exit(1);
    return;
  }
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

  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return new Response('bad request', { status: 400 });
    }
    const file = url.host === 'cockpit' ? await resolveRendererFile(rendererDir, pathname) : undefined;
    if (!file) return new Response('not found', { status: 404 });
    return new Response(await readFile(file), {
      headers: { 'content-type': contentTypeOf(file), 'content-security-policy': RENDERER_CSP, 'x-content-type-options': 'nosniff' },
    });
  });

  const window = new BrowserWindow({
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
  win = window;
  bridgeContract(cockpit.dispatcher, (event) => event.senderFrame === window.webContents.mainFrame && event.senderFrame.url.startsWith(`${APP_ORIGIN}/`), logger);

  // Everything refused but desktop notifications from our own page (new critical alerts).
  const ownNotifications = (contents: Electron.WebContents | null, permission: string): boolean =>
    permission === 'notifications' && contents === window.webContents && contents.getURL().startsWith(`${APP_ORIGIN}/`);
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback) => callback(ownNotifications(contents, permission)));
  session.defaultSession.setPermissionCheckHandler((contents, permission) => ownNotifications(contents, permission));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    void openLink(url, window, cockpit?.trustedLinks ?? new Set(), logger);
    return { action: 'deny' };
  });
  // New critical alerts: a native notification from main (it watches even with the Alerts panel closed).
  cockpit.notifyCriticalAlerts((n) => {
    if (!Notification.isSupported()) return;
    const shown = new Notification({ title: n.title, body: n.body, urgency: 'critical' });
    shown.on('click', () => (window.isDestroyed() ? undefined : (window.show(), window.focus())));
    shown.show();
  });
  window.once('ready-to-show', () => window.show());
  await window.loadURL(`${APP_ORIGIN}/index.html`);
}

/** The runbook's links open; a link from a note opens once the responder agrees; the rest never. */
async function openLink(url: string, window: BrowserWindow, trusted: ReadonlySet<string>, logger: FileLogger): Promise<void> {
  const decision = decideLink(url, trusted);
  if (decision.action === 'deny') {
    logger.warn('link.refused', { reason: decision.reason });
    return;
  }
  if (decision.action === 'ask') {
    const { response } = await dialog.showMessageBox(window, {
      type: 'question',
      buttons: ['Open in browser', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: `Open a link from a note on ${decision.host}?`,
      detail: decision.url,
    });
    if (response !== 0) return;
  }
  await shell.openExternal(decision.url);
}

app.on('window-all-closed', () => {
  void (cockpit?.dispose() ?? Promise.resolve())
    .then(() => instance?.release())
    .finally(() => app.quit());
});
