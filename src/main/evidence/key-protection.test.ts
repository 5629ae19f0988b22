import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { PassphraseKeyProtector } from './key-protection';

const FAST = { N: 2 ** 12, r: 8, p: 1 };

describe('PassphraseKeyProtector', () => {
  it('round-trips the master key and stores its scrypt parameters beside it', async () => {
    const key = randomBytes(32);
    const blob = await new PassphraseKeyProtector('tr0ub4dor&3', FAST).protect(key);
    expect(JSON.parse(blob.toString())).toMatchObject({ kdf: 'scrypt', N: FAST.N, r: 8, p: 1 });
    expect(blob.includes(key)).toBe(false);
    expect((await new PassphraseKeyProtector('tr0ub4dor&3', FAST).unprotect(blob)).equals(key)).toBe(true);
  });

  it('tells a wrong passphrase apart from a damaged blob', async () => {
    const blob = await new PassphraseKeyProtector('right', FAST).protect(randomBytes(32));
    await expect(new PassphraseKeyProtector('wrong', FAST).unprotect(blob)).rejects.toMatchObject({ code: 'WrongPassphrase' });
    const parsed = JSON.parse(blob.toString()) as { wrapped: string };
    const wrapped = Buffer.from(parsed.wrapped, 'base64');
    wrapped[20] ^= 1;
    const damaged = Buffer.from(JSON.stringify({ ...parsed, wrapped: wrapped.toString('base64') }));
    await expect(new PassphraseKeyProtector('right', FAST).unprotect(damaged)).rejects.toMatchObject({ code: 'Corrupt' });
  });

  it('refuses an empty passphrase', () => {
    expect(() => new PassphraseKeyProtector('')).toThrow(/must not be empty/);
  });
});
