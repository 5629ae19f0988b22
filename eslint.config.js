// Layers are enforced here (after VS Code's code-layering rule): the renderer never reaches Node,
// Electron or main-process packages; src/shared stays pure TypeScript; src/main never imports
// the renderer; only src/main/electron and src/preload may import electron.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_ONLY = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'https', 'stream', 'events', 'url', 'util', 'zlib', 'tls'];
const MAIN_PACKAGES = ['electron', 'pg', 'ioredis', 'node-pty', '@kubernetes/client-node', 'ws', 'spdy-transport', '@electric-sql/*', '@secretlint/*', 'age-encryption', 'tar-stream', 'fast-json-patch'];

const restrict = (groups, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }],
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
    ),
  },
  {
    files: ['src/shared/**/*.ts'],
    ignores: ['src/shared/**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: restrict(
      [...NODE_ONLY, ...MAIN_PACKAGES, 'react', 'react-dom', 'zustand', '**/main/**', '**/renderer/**', '**/preload/**'],
      'src/shared is pure TypeScript shared by every process: nothing runtime-specific.',
    ),
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**'],
    rules: restrict(['electron', '**/renderer/**', '**/preload/**'], 'Services are plain Node: only src/main/electron may import electron.'),
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: restrict([...NODE_ONLY, '**/main/**', '**/renderer/**'], 'The preload only bridges: electron and the shared contract types.'),
  },
);
