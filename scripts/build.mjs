// Builds the three bundles: main (Node, ESM; with the drill cluster's CLI and its forked process,
// out/main/drill.js and out/main/drill-child.js), preload (CommonJS, for Electron's sandbox) and the
// renderer (Vite), plus the web host's bridge script. esbuild for the Node side because it is
// fast and needs no config beyond this file; Vite for the renderer because of React and CSS.
import { build as esbuild } from 'esbuild';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { build as vite } from 'vite';

const mainEntries = {
  electron: 'src/main/electron/main.ts',
  web: 'src/main/host/web-main.ts',
  drill: 'packages/drill-cluster/src/cli.ts',
  'drill-child': 'packages/drill-cluster/src/child.ts',
  'evidence-cli': 'src/main/evidence/cli.ts',
  'redaction-worker': 'src/main/evidence/redaction-worker.ts',
  'filter-worker': 'src/main/logs/filter-worker.ts',
  'runbook-cli': 'src/main/procedures/cli.ts',
};
const present = Object.fromEntries(Object.entries(mainEntries).filter(([, file]) => existsSync(file)));

/**
 * Like `packages: 'external'` (npm packages load from node_modules at run time), except the
 * workspace's own packages (`@incident-cockpit/*`), which ship TypeScript and are bundled in.
 */
const externalExceptWorkspace = {
  name: 'external-except-workspace',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@incident-cockpit/') || path.isAbsolute(args.path)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

await Promise.all([
  esbuild({
    entryPoints: present,
    outdir: 'out/main',
    bundle: true,
    // Shared code in chunks, so a dynamic import (the web host's services) loads after start.
    splitting: true,
    chunkNames: '[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [externalExceptWorkspace],
    sourcemap: true,
    logLevel: 'warning',
  }),
  esbuild({
    entryPoints: { index: 'src/preload/index.ts' },
    outdir: 'out/preload',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron'],
    logLevel: 'warning',
  }),
  esbuild({
    entryPoints: { 'web-bridge': 'src/renderer/host/web-bridge.ts' },
    outdir: 'out/web-bridge',
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome130',
    logLevel: 'warning',
  }),
  vite({ configFile: 'vite.config.ts', logLevel: 'warn' }),
]);
console.log('built out/main, out/preload, out/web-bridge, out/renderer');
