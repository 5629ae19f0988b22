// Layers are enforced here (after VS Code's code-layering rule): the renderer never reaches Node,
// Electron or main-process packages; src/shared stays pure TypeScript; src/main never imports
// the renderer; only src/main/electron and src/preload may import electron; the app imports only
// the drill cluster package's entry, and the package nothing of the app.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_ONLY = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'https', 'stream', 'events', 'url', 'util', 'zlib', 'tls'];
const MAIN_PACKAGES = ['electron', 'pg', 'ioredis', 'node-pty', '@kubernetes/client-node', 'ws', 'spdy-transport', '@electric-sql/*', '@secretlint/*', 'age-encryption', 'tar-stream', 'fast-json-patch'];

/**
 * The drill cluster is a workspace package run in its own process: the app reaches it through
 * its one entry (`@incident-cockpit/drill-cluster`: scenario names, the control API's client, the
 * child's module path), never its internals, and the package reaches nothing of the app.
 */
const DRILL_INTERNALS = {
  group: ['@incident-cockpit/drill-cluster/*', '**/packages/**'],
  message: 'The drill cluster runs in its own process: import only its entry, @incident-cockpit/drill-cluster (packages/drill-cluster/src/index.ts).',
};
const APP_CODE = {
  group: ['**/src/main/**', '**/src/shared/**', '**/src/renderer/**', '**/src/preload/**', 'electron', 'incident-cockpit', 'incident-cockpit/*'],
  message: 'packages/drill-cluster stands alone: it imports nothing of the app (the app imports its entry; shared names live in the package).',
};

const restrict = (groups, message, ...more) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message }, ...more] }],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.scratch-*/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(
      [...NODE_ONLY, ...MAIN_PACKAGES, '**/main/**', '**/preload/**'],
      'The renderer runs sandboxed: no Node, Electron or main-process code. Go through window.cockpit (src/shared/contract.ts).',
      DRILL_INTERNALS,
    ),
  },
  {
    files: ['src/shared/**/*.ts'],
    ignores: ['src/shared/**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: restrict(
      [...NODE_ONLY, ...MAIN_PACKAGES, 'react', 'react-dom', 'zustand', '**/main/**', '**/renderer/**', '**/preload/**'],
      'src/shared is pure TypeScript shared by every process: nothing runtime-specific.',
      DRILL_INTERNALS,
    ),
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**'],
    rules: restrict(['electron', '**/renderer/**', '**/preload/**'], 'Services are plain Node: only src/main/electron may import electron.', DRILL_INTERNALS),
  },
  {
    files: ['src/main/electron/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [DRILL_INTERNALS] }] },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: restrict([...NODE_ONLY, '**/main/**', '**/renderer/**'], 'The preload only bridges: electron and the shared contract types.', DRILL_INTERNALS),
  },
  {
    files: ['packages/drill-cluster/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [APP_CODE] }] },
  },
  {
    // The entry is re-exported by src/shared (and so reaches the renderer's bundle): no runtime imports.
    files: ['packages/drill-cluster/src/index.ts', 'packages/drill-cluster/src/protocol.ts', 'packages/drill-cluster/src/control-client.ts'],
    rules: restrict([...NODE_ONLY, ...MAIN_PACKAGES], 'The drill package\'s entry is pure TypeScript (src/shared re-exports it): no Node or runtime packages.', APP_CODE),
  },
);
