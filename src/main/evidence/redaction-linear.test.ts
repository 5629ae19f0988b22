import { describe, expect, it } from 'vitest';
import { OWN_RULES, SecretRedactor } from './secret-redaction';
import { WORST_CASE_INPUTS } from './redaction-worst-cases';

/**
 * Redaction must take time linear in the input on every rule, whatever the input (issue 14):
 * each rule runs on every crafted input at two sizes, 4x apart; linear work grows about 4x,
 * quadratic 16x. The check is the ratio of the two sizes' times (best of 3), never a time.
 */
const SMALL = 64_000;
const LARGE = 4 * SMALL;
const MAX_RATIO = 8;

function best(task: () => void): number {
  let min = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    task();
    min = Math.min(min, performance.now() - start);
  }
  // Below timer resolution both sizes read ~0: floor it so the ratio stays meaningful.
  return Math.max(min, 0.05);
}

describe('redaction runs in linear time', () => {
  for (const rule of OWN_RULES) {
    it(`rule ${rule.name}: every crafted input grows linearly`, () => {
      const slow: string[] = [];
      for (const [name, make] of Object.entries(WORST_CASE_INPUTS)) {
        const small = make(SMALL);
        const large = make(LARGE);
        const run = (text: string) => () => {
          rule.pattern.lastIndex = 0;
          text.replace(rule.pattern, 'x');
        };
        run(large)();
        run(small)();
        const ratio = best(run(large)) / best(run(small));
        if (ratio > MAX_RATIO) slow.push(`${name}: ${ratio.toFixed(1)}x for 4x the input`);
      }
      expect(slow).toEqual([]);
    });
  }

  it('the whole redactor (our rules and secretlint) grows linearly on every crafted input', async () => {
    const redactor = new SecretRedactor();
    await redactor.redactText('warm up');
    const timeOf = async (text: string): Promise<number> => {
      let min = Infinity;
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        await redactor.redactText(text);
        min = Math.min(min, performance.now() - start);
      }
      return Math.max(min, 0.5);
    };
    const slow: string[] = [];
    for (const [name, make] of Object.entries(WORST_CASE_INPUTS)) {
      // Once untimed at each size first: V8 compiles a regex to native code only after its first runs.
      await redactor.redactText(make(LARGE));
      await redactor.redactText(make(SMALL));
      const ratio = (await timeOf(make(LARGE))) / (await timeOf(make(SMALL)));
      if (ratio > MAX_RATIO) slow.push(`${name}: ${ratio.toFixed(1)}x`);
    }
    expect(slow).toEqual([]);
  });
});
