import type { FuzzStats } from './fuzz-host';

/** Memory the host may keep after a run (caches, logger buffers) before it counts as a leak. */
export const HEAP_GROWTH_BOUND = 96 * 1024 * 1024;

export function printFuzzSummary(stats: FuzzStats, seed: number): void {
  console.log(`fuzz seed: ${seed}`);
  console.log(`fuzz payloads: ${stats.payloads}`);
  console.log(`fuzz typed errors: ${stats.typedErrors}`);
  console.log(`fuzz ok results: ${stats.okResults}`);
  console.log(`fuzz protocol attacks: ${stats.protocolAttacks}`);
  console.log(`fuzz untyped replies: ${stats.untyped}`);
  console.log(`fuzz missing replies: ${stats.missing}`);
  console.log(`fuzz heap growth: ${((stats.heapAfterBytes - stats.heapBeforeBytes) / (1024 * 1024)).toFixed(1)} MB`);
  console.log(`fuzz crashes: ${stats.crashes} (target 0)`);
}

/** What is wrong with a run, one line each; empty when it passed. */
export function fuzzVerdict(stats: FuzzStats): string[] {
  const problems: string[] = [];
  if (stats.crashes) problems.push(`the host crashed or stopped answering (${stats.crashes})`);
  if (stats.untyped) problems.push(`${stats.untyped} replies were not a typed Result`);
  if (stats.missing) problems.push(`${stats.missing} requests got no answer on an open socket, e.g. ${stats.missingSamples.join(' | ')}`);
  if (!stats.stillAnswers) problems.push('a normal request did not answer after the run');
  if (stats.heapAfterBytes - stats.heapBeforeBytes > HEAP_GROWTH_BOUND) problems.push('the host kept more memory than the bound after the run');
  return problems;
}
