/** Vite's `?raw` imports (used by renderer tests for fixtures): the file's text. */
declare module '*?raw' {
  const text: string;
  export default text;
}
