/**
 * A stable colour per pod/container (stern's idea): the same name gets the same colour in every
 * view and after a restart, so a merged log can be read by colour.
 */
const PALETTE = ['#58a6ff', '#3fb950', '#d29922', '#f778ba', '#a371f7', '#39c5cf', '#ff7b72', '#e3b341', '#7ee787', '#79c0ff', '#ffa657', '#d2a8ff'];

export function sourceColour(pod: string, container: string): string {
  let hash = 0x811c9dc5;
  const text = `${pod}/${container}`;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}
