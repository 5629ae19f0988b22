import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyProtector } from '../evidence/key-protection';
import { CredentialVault } from './credential-vault';

const scope = { context: 'drill', namespace: 'codesign-production', target: { kind: 'pod', name: 'postgres-0' } } as const;
/** Stands in for safeStorage: a reversible transform, so the test sees the file is not plaintext. */
const protector: KeyProtector = {
  kind: 'safeStorage',
  protect: async (b) => Buffer.from(b.map((x) => x ^ 0x5a)),
  unprotect: async (b) => Buffer.from(b.map((x) => x ^ 0x5a)),
};

describe('CredentialVault', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('holds typed credentials in memory only without safeStorage, and refuses to remember them, saying why', async () => {
    const vault = new CredentialVault({ unavailableReason: 'the web host has no safeStorage: memory only' });
    await vault.set(scope, { username: 'codesign', password: 'hunter2' });
    expect(await vault.get(scope)).toEqual({ username: 'codesign', password: 'hunter2' });
    expect(vault.has({ ...scope, namespace: 'other' })).toBe(false);
    expect(vault.persistence).toEqual({ available: false, reason: 'the web host has no safeStorage: memory only' });
    await expect(vault.set(scope, { password: 'x' }, { remember: true })).rejects.toMatchObject({ code: 'Unavailable', message: 'the web host has no safeStorage: memory only' });
    vault.clear();
    expect(await vault.get(scope)).toBeUndefined();
  });

  it('remembers through the protector, encrypted on disk, across vaults, until forgotten', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cred-vault-'));
    dirs.push(dir);
    const file = path.join(dir, 'tunnels', 'credentials.json');
    await new CredentialVault({ protector, file }).set(scope, { password: 'correct horse' }, { remember: true });
    expect(await readFile(file, 'utf8')).not.toContain('correct horse');
    const later = new CredentialVault({ protector, file });
    expect(await later.get(scope)).toEqual({ password: 'correct horse' });
    await later.forget(scope);
    expect(await new CredentialVault({ protector, file }).get(scope)).toBeUndefined();
  });
});
