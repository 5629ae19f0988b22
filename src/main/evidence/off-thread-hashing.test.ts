import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { offThreadSha256 } from './off-thread-hashing';

describe('offThreadSha256', () => {
  it('matches an inline SHA-256 over many ring laps, with the caller waiting on the worker', async () => {
    const chunk = randomBytes(64 * 1024);
    const inline = createHash('sha256');
    const worker = offThreadSha256();
    let waited = 0;
    for (let i = 0; i < 400; i++) {
      inline.update(chunk);
      const pending = worker.update(chunk);
      if (pending) {
        waited++;
        await pending;
      }
    }
    expect(await worker.digest()).toBe(inline.digest('hex'));
    expect(waited).toBeGreaterThan(0);
  });

  it('hashes an empty input and chunks larger than a ring slot', async () => {
    const empty = offThreadSha256();
    expect(await empty.digest()).toBe(createHash('sha256').digest('hex'));
    const big = randomBytes(300 * 1024 + 5);
    const hasher = offThreadSha256();
    await hasher.update(big);
    expect(await hasher.digest()).toBe(createHash('sha256').update(big).digest('hex'));
  });

  it('keeps concurrent sessions apart', async () => {
    const [a, b] = [offThreadSha256(), offThreadSha256()];
    await a.update(Buffer.from('alpha'));
    await b.update(Buffer.from('beta'));
    expect(await b.digest()).toBe(createHash('sha256').update('beta').digest('hex'));
    expect(await a.digest()).toBe(createHash('sha256').update('alpha').digest('hex'));
  });
});
