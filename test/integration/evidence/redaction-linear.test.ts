import { describe, expect, it } from 'vitest';
import { OWN_RULES, SecretRedactor } from '../../../src/main/evidence/secret-redaction';
import { WORST_CASE_INPUTS } from '../../../src/main/evidence/redaction-worst-cases';

/**
 * Redaction must take time linear in the input on every rule, whatever the input (issue 14).
 * Every rule runs on every crafted input at two sizes, 8x apart: linear work grows about 8x,
 * quadratic 64x. The check is a ratio of the two sizes' times, never a time: each size is timed
 * seven times, interleaved with the other, each time repeated for at least 5 ms, and the medians
 * are compared, so a pause or a busy neighbour on the machine does not decide the verdict.
 */
const SMALL = 64_000;
const LARGE = 8 * SMALL;
const MAX_RATIO = 24;

async function perRun(task: () => unknown): Promise<number> {
  let runs = 0;
  const start = performance.now();
  do {
    await task();
    runs++;
  } while (performance.now() - start < 5);
  return (performance.now() - start) / runs;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median time ratio of `task` on the large input to the small one. */
async function growth(task: (text: string) => unknown, make: (n: number) => string): Promise<number> {
  const small = make(SMALL);
  const large = make(LARGE);
  // Untimed first: V8 compiles a regex to native code only after its first runs.
  await task(large);
  await task(small);
  const s: number[] = [];
  const l: number[] = [];
  for (let i = 0; i < 7; i++) {
    s.push(await perRun(() => task(small)));
    l.push(await perRun(() => task(large)));
  }
  return median(l) / median(s);
}

const runRule = (rule: (typeof OWN_RULES)[number]) => (text: string) => {
  rule.pattern.lastIndex = 0;
  return text.replace(rule.pattern, 'x');
};

describe('redaction runs in linear time', () => {
  it('each of our rules grows linearly on every crafted input', async () => {
    const slow: string[] = [];
    for (const [name, make] of Object.entries(WORST_CASE_INPUTS)) {
      // Every rule on this input in one timed task; a rule is only timed alone when the sum is suspect.
      const ratio = await growth((text) => OWN_RULES.forEach((rule) => runRule(rule)(text)), make);
      if (ratio <= MAX_RATIO) continue;
      for (const rule of OWN_RULES) {
        const alone = await growth(runRule(rule), make);
        if (alone > MAX_RATIO) slow.push(`${rule.name} on ${name}: ${alone.toFixed(1)}x for 8x the input`);
      }
    }
    expect(slow).toEqual([]);
  });

  it('the whole redactor (our rules and secretlint) grows linearly on every crafted input', async () => {
    const redactor = new SecretRedactor();
    await redactor.redactText('warm up');
    const slow: string[] = [];
    for (const [name, make] of Object.entries(WORST_CASE_INPUTS)) {
      const ratio = await growth((text) => redactor.redactText(text), make);
      if (ratio > MAX_RATIO) slow.push(`${name}: ${ratio.toFixed(1)}x for 8x the input`);
    }
    expect(slow).toEqual([]);
  });
});
