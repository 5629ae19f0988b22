import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The renderer bundle: relative paths so Electron can load it from file:// and the web host from /. */
export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../../out/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'chrome130',
    // A desktop app loading from disk: one bundle is fine.
    chunkSizeWarningLimit: 2048,
  },
});
