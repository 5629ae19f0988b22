/** Kubernetes resource quantities (`250m`, `1.5`, `512Mi`, `1G`) as numbers, for Top. */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The quantity's value in base units (cores, bytes); undefined when it does not parse. */
export function parseQuantity(text: string | number | undefined | null): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  if (!text) return undefined;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([A-Za-z]*)$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const suffix = match[2]!;
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  return factor === undefined ? undefined : value * factor;
}

/** `250m` for a quarter core, `2` for two, as kubectl top prints CPU. */
export function formatCpu(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 && milli >= 1000 ? String(milli / 1000) : `${milli}m`;
}

/** `512Mi`, as kubectl top prints memory. */
export function formatMemory(bytes: number): string {
  if (bytes >= 2 ** 30 * 10) return `${Math.round(bytes / 2 ** 30)}Gi`;
  return `${Math.round(bytes / 2 ** 20)}Mi`;
}
