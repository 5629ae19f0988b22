/** Vite's `?raw` imports (used by renderer tests for fixtures): the file's text. */
declare module '*?raw' {
  const text: string;
  export default text;
}

/** Vite's `import.meta.glob`, as the renderer's boundary test uses it (eager, `?raw`). */
interface ImportMeta {
  glob<T>(patterns: string | string[], options: { query: '?raw'; import: 'default'; eager: true }): Record<string, T>;
}
