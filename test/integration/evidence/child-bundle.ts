import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Bundles the crash-test child once, so each of hundreds of spawns starts plain node in tens of milliseconds. */
export async function buildAppendChild(workDir: string): Promise<string> {
  const outfile = path.join(workDir, 'append-child.mjs');
  await build({
    entryPoints: [path.join(here, 'append-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'silent',
  });
  return outfile;
}
