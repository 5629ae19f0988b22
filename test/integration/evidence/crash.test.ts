import { describe, expect, it } from 'vitest';
import { crashLoopLines, runCrashLoop } from './crash-loop';

/**
 * A bounded run of the SIGKILL loop inside the integration suite; `npm run test:crash` runs the
 * full one (200 kills). CRASH_KILLS overrides the count here too.
 */
const KILLS = Number(process.env.CRASH_KILLS ?? 40);

describe('evidence store under SIGKILL', () => {
  it(`loses no acknowledged record and at most the one in flight across ${KILLS} kills`, async () => {
    const result = await runCrashLoop(KILLS);
    console.info(crashLoopLines(result).join('\n'));
    expect(result.failures).toEqual([]);
    expect(result.acknowledgedLost).toBe(0);
    expect(result.inFlightLostMax).toBeLessThanOrEqual(1);
    // The kills must actually have landed inside records for this test to mean anything.
    expect(result.tornTailsRepaired).toBeGreaterThan(0);
    expect(result.records).toBeGreaterThan(KILLS / 2);
  });
});
