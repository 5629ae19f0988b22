/**
 * A parent for the orphan test: forks the drill's process as the app does, prints
 * `drill-pid <pid>` once it runs, and waits to be killed.
 */
import { MemoryLogger } from '../../../src/main/app/logger';
import { DrillContext } from '../../../src/main/contexts/drill-context';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: drill-parent.ts DATA_DIR');
const drill = new DrillContext(dataDir, new MemoryLogger(), { child: { postgres: 'none', redis: 'none' } });
drill.start();
await drill.whenReady();
const { pid, state, error } = drill.status();
if (state !== 'running') throw new Error(`the drill did not start: ${error}`);
process.stdout.write(`drill-pid ${pid}\n`);
setInterval(() => undefined, 60_000);
