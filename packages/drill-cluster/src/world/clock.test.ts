import { describe, expect, it } from 'vitest';
import { ManualDrillClock, ScaledDrillClock } from './clock';

describe('ScaledDrillClock', () => {
  it('starts at real time and runs speed times faster', () => {
    let real = 1_000_000;
    const clock = new ScaledDrillClock(60, () => real);
    expect(clock.now()).toBe(1_000_000);
    real += 1_000;
    expect(clock.now()).toBe(1_060_000);
    clock.stop();
  });

  it('fires after() on simulated time and cancels everything on stop()', async () => {
    const clock = new ScaledDrillClock(1_000);
    const fired: string[] = [];
    await new Promise<void>((resolve) => clock.after(2_000, () => {
      fired.push('after');
      resolve();
    }));
    let ticks = 0;
    clock.every(1_000, () => ticks++);
    clock.after(5_000, () => fired.push('late'));
    clock.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fired).toEqual(['after']);
    expect(ticks).toBe(0);
  });

  it('rejects a speed that is not positive', () => {
    expect(() => new ScaledDrillClock(0)).toThrow(RangeError);
  });
});

describe('ManualDrillClock', () => {
  it('fires timers in due order as time is advanced, and not before', async () => {
    const clock = new ManualDrillClock(0);
    const fired: string[] = [];
    clock.after(3_000, () => fired.push('b@3s'));
    clock.after(1_000, () => fired.push('a@1s'));
    const cancel = clock.after(2_000, () => fired.push('never'));
    clock.every(2_500, () => fired.push(`tick@${clock.now()}`));
    cancel();
    await clock.advance(999);
    expect(fired).toEqual([]);
    await clock.advance(5_001);
    expect(fired).toEqual(['a@1s', 'tick@2500', 'b@3s', 'tick@5000']);
    expect(clock.now()).toBe(6_000);
  });
});
