/**
 * `npm run fuzz [-- --payloads N --seed S]`: fuzzes a freshly started web host (temp data dir,
 * drill off) over its real socket and prints the summary; exits 1 on any crash, untyped reply
 * or missing answer.
 */
import { parseArgs } from 'node:util';
import { startWebHost } from '../e2e/support/web-host-process';
import { fuzzWebHost } from './fuzz-host';
import { printFuzzSummary, fuzzVerdict } from './summary';

const { values } = parseArgs({ options: { payloads: { type: 'string', default: '50000' }, seed: { type: 'string' } } });
const seed = values.seed ? Number(values.seed) : Date.now() % 2 ** 31;
const host = await startWebHost({ env: { COCKPIT_DRILL: 'off' } });
try {
  const stats = await fuzzWebHost(host, { seed, payloads: Number(values.payloads) });
  printFuzzSummary(stats, seed);
  const problems = fuzzVerdict(stats);
  for (const problem of problems) console.error(`fuzz: ${problem}`);
  process.exitCode = problems.length ? 1 : 0;
} finally {
  await host.stop();
}
