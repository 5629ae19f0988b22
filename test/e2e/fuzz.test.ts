import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzWebHost } from '../fuzz/fuzz-host';
import { channelsWithoutSamples } from '../fuzz/payloads';
import { fuzzVerdict, printFuzzSummary } from '../fuzz/summary';
import { startWebHost, type RunningWebHost } from './support/web-host-process';

/** A short, bounded, seeded run of `npm run fuzz` inside `npm test`. */
describe('the web host under fuzzing', () => {
  let host: RunningWebHost;
  beforeAll(async () => {
    host = await startWebHost({ env: { COCKPIT_DRILL: 'off' } });
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('has a sample for every request and stream of the contract (grow the fuzzer with every channel)', () => {
    expect(channelsWithoutSamples()).toEqual([]);
  });

  it('stays up, answers every request with a typed Result, and still answers after 3,000 payloads', async () => {
    const seed = 20261201;
    const stats = await fuzzWebHost(host, { seed, payloads: 3000 });
    printFuzzSummary(stats, seed);
    expect(fuzzVerdict(stats)).toEqual([]);
    expect(stats.typedErrors).toBeGreaterThan(1000);
    expect(stats.protocolAttacks).toBeGreaterThan(0);
    expect(host.alive()).toBe(true);
  });
});
