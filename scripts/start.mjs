// `npm start`: the Electron app where its binary is installed; otherwise one line saying so and
// the same UI through the local web host.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    return require('electron');
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
const [command, args] = binary
  ? [binary, ['.']]
  : (console.log('Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD?): serving the cockpit through the web host instead.'),
    [process.execPath, ['out/main/web.js', ...process.argv.slice(2)]]);
const child = spawn(command, args, { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
