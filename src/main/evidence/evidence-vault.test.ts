import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EvidenceVault } from './evidence-vault';
import type { KeyProtector } from './key-protection';

const FAST = { N: 2 ** 12, r: 8, p: 1 };
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'evidence-vault-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await readdir(root, { recursive: true })) {
    const full = path.join(root, name);
    if ((await stat(full)).isFile()) out[name] = (await readFile(full)).toString('base64');
  }
  return out;
}

/** Stands in for Electron safeStorage: what the shell will implement. */
const fakeSafeStorage: KeyProtector = {
  kind: 'safeStorage',
  protect: async (key) => Buffer.from(`sealed:${key.toString('base64')}`),
  unprotect: async (blob) => Buffer.from(blob.toString().slice('sealed:'.length), 'base64'),
};

describe('EvidenceVault', () => {
  it('goes uninitialised → unlocked → locked → unlocked with a passphrase and says why', async () => {
    const vault = new EvidenceVault({ dir, scrypt: FAST, safeStorageUnavailableReason: 'Linux backend is basic_text' });
    expect(await vault.status()).toEqual({ state: 'uninitialised', method: 'passphrase', reason: 'Linux backend is basic_text' });
    expect((await vault.initialise('pass phrase')).state).toBe('unlocked');
    await vault.lock();
    expect((await vault.status()).state).toBe('locked');
    expect(() => vault.masterKey()).toThrow(expect.objectContaining({ code: 'Locked' }));
    const status = await vault.unlock('pass phrase');
    expect(status.state).toBe('unlocked');
    expect(status.installationKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a wrong passphrase cleanly and writes nothing', async () => {
    const vault = new EvidenceVault({ dir, scrypt: FAST });
    await vault.initialise('right');
    await vault.lock();
    const before = await snapshot(dir);
    await expect(new EvidenceVault({ dir }).unlock('wrong')).rejects.toMatchObject({ code: 'WrongPassphrase' });
    await expect(new EvidenceVault({ dir }).unlock()).rejects.toMatchObject({ code: 'Invalid' });
    expect(await snapshot(dir)).toEqual(before);
  });

  it('uses safeStorage when the host provides it, with no passphrase', async () => {
    const vault = new EvidenceVault({ dir, safeStorage: fakeSafeStorage });
    expect((await vault.status()).method).toBe('safeStorage');
    await vault.initialise();
    await vault.lock();
    expect((await vault.unlock()).state).toBe('unlocked');
    const file = JSON.parse(await readFile(path.join(dir, 'vault.json'), 'utf8')) as { method: string };
    expect(file.method).toBe('safeStorage');
  });

  it('explains a safeStorage vault opened where safeStorage is gone', async () => {
    await new EvidenceVault({ dir, safeStorage: fakeSafeStorage }).initialise();
    const vault = new EvidenceVault({ dir, safeStorageUnavailableReason: 'safeStorage is unavailable in the web host' });
    const status = await vault.status();
    expect(status).toMatchObject({ state: 'locked', method: 'safeStorage' });
    expect(status.reason).toContain('safeStorage is unavailable in the web host');
    await expect(vault.unlock('anything')).rejects.toMatchObject({ code: 'Unavailable' });
  });

  it('refuses to initialise twice', async () => {
    await new EvidenceVault({ dir, scrypt: FAST }).initialise('a');
    await expect(new EvidenceVault({ dir, scrypt: FAST }).initialise('b')).rejects.toMatchObject({ code: 'Conflict' });
  });
});

describe('EvidenceVault unlock rate limit', () => {
  it('makes each failed attempt in a row wait longer, says how long, and resets on success', async () => {
    let now = 1_000_000;
    await new EvidenceVault({ dir, scrypt: FAST }).initialise('right passphrase');
    const vault = new EvidenceVault({ dir, scrypt: FAST, now: () => now });
    await expect(vault.unlock('wrong')).rejects.toMatchObject({ code: 'WrongPassphrase', message: expect.stringContaining('next attempt is possible in 1 s') });
    // Too soon: refused before any scrypt runs, with the wait in the message.
    await expect(vault.unlock('right passphrase')).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringMatching(/try again in 1 s/) });
    now += 1000;
    await expect(vault.unlock('wrong')).rejects.toMatchObject({ message: expect.stringContaining('in 2 s') });
    now += 2000;
    await expect(vault.unlock('wrong')).rejects.toMatchObject({ message: expect.stringContaining('in 4 s') });
    now += 1000;
    await expect(vault.unlock('right passphrase')).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringMatching(/3 in a row\): try again in 3 s/) });
    now += 3000;
    expect((await vault.unlock('right passphrase')).state).toBe('unlocked');
    await vault.lock();
    await expect(vault.unlock('wrong')).rejects.toMatchObject({ message: expect.stringContaining('in 1 s') });
  });
});

describe('EvidenceVault lock vs work holding the key', () => {
  it('waits for in-flight work before zeroing the key, and refuses new work at once', async () => {
    const vault = new EvidenceVault({ dir, scrypt: FAST });
    await vault.initialise('pass phrase');
    const copy = Buffer.from(vault.masterKey());
    let release: () => void = () => undefined;
    let seen: Buffer | undefined;
    const inFlight = vault.withMasterKey(async (key) => {
      await new Promise<void>((resolve) => (release = resolve));
      seen = Buffer.from(key);
    });
    const locking = vault.lock();
    await new Promise((r) => setTimeout(r, 20));
    expect(() => vault.masterKey()).toThrow(expect.objectContaining({ code: 'Locked' }));
    await expect(vault.withMasterKey(async () => undefined)).rejects.toMatchObject({ code: 'Locked' });
    release();
    await inFlight;
    await locking;
    expect(seen!.equals(copy)).toBe(true);
  });
});
