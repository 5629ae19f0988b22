// Fetches Electron's binary when this machine can, without failing the install when it cannot
// (offline machines, ELECTRON_SKIP_BINARY_DOWNLOAD=1): `npm start` then serves the web host.
// Electron's own install script is disabled in allowScripts so that its failure is ours to handle.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let installer;
try {
  installer = require.resolve('electron/install.js');
} catch {
  process.exit(0);
}
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log('postinstall: ELECTRON_SKIP_BINARY_DOWNLOAD is set; npm start will serve the web host.');
  process.exit(0);
}
const { status } = spawnSync(process.execPath, [installer], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
console.log(
  status === 0
    ? 'postinstall: Electron binary installed.'
    : 'postinstall: Electron binary could not be downloaded; npm start will serve the cockpit through the web host.',
);
