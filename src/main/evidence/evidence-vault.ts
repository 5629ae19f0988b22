import { readFile } from 'node:fs/promises';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { CockpitFailure } from '../../shared/result';
import { PassphraseKeyProtector, type KeyProtector, type ScryptParams } from './key-protection';
import { unwrapSecret, wrapSecret } from './sealing';
import { writeFileDurably } from './durable-files';
import { publicKeyFingerprint } from './checkpoints';

import type { VaultMethod, VaultStatus } from '../../shared/evidence';

export type { VaultMethod, VaultState, VaultStatus } from '../../shared/evidence';

export interface EvidenceVaultOptions {
  /** Root of the evidence store (vault.json, installation.json, logs/). */
  dir: string;
  /** A usable safeStorage protector, or undefined when safeStorage is unavailable. */
  safeStorage?: KeyProtector;
  /** Why safeStorage is not used, e.g. "Linux backend is basic_text". */
  safeStorageUnavailableReason?: string;
  /** scrypt cost for new passphrase vaults; tests lower it. */
  scrypt?: ScryptParams;
}

interface VaultFile {
  format: 'incident-cockpit-evidence-vault';
  version: 1;
  method: VaultMethod;
  protectedKey: string;
  createdAt: string;
}

interface InstallationFile {
  format: 'incident-cockpit-installation-key';
  version: 1;
  publicKey: string;
  fingerprint: string;
  sealedPrivateKey: string;
}

const SIGNING_KEY_LABEL = 'incident-cockpit installation signing key';

export const vaultFilePath = (dir: string): string => path.join(dir, 'vault.json');
export const installationFilePath = (dir: string): string => path.join(dir, 'installation.json');

/** Reads the installation's public key (plain on disk) for keyless checkpoint verification. */
export async function readInstallationPublicKey(dir: string): Promise<KeyObject | undefined> {
  try {
    const file = JSON.parse(await readFile(installationFilePath(dir), 'utf8')) as InstallationFile;
    return createPublicKey(file.publicKey);
  } catch {
    return undefined;
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CockpitFailure('Corrupt', `${path.basename(file)} is not valid JSON.`, file);
  }
}

/**
 * Holds the master key of the evidence store and the installation's signing key. Tells the UI
 * whether the store is uninitialised, locked or unlocked, by which method, and why.
 */
export class EvidenceVault {
  private master: Buffer | undefined;
  private signing: { privateKey: KeyObject; publicKey: KeyObject; fingerprint: string } | undefined;
  private readonly lockListeners = new Set<() => void>();

  constructor(private readonly options: EvidenceVaultOptions) {}

  get dir(): string {
    return this.options.dir;
  }

  async status(): Promise<VaultStatus> {
    const file = await readJson<VaultFile>(vaultFilePath(this.dir));
    const method: VaultMethod = file?.method ?? (this.options.safeStorage ? 'safeStorage' : 'passphrase');
    const status: VaultStatus = { state: !file ? 'uninitialised' : this.master ? 'unlocked' : 'locked', method };
    if (method === 'passphrase' && !this.options.safeStorage) {
      status.reason = this.options.safeStorageUnavailableReason ?? 'safeStorage is not available in this host';
    }
    if (method === 'safeStorage' && !this.options.safeStorage) {
      status.reason = `the vault is protected by safeStorage, which is unavailable now (${this.options.safeStorageUnavailableReason ?? 'no reason given'})`;
    }
    if (this.signing) status.installationKey = this.signing.fingerprint;
    return status;
  }

  private protectorFor(method: VaultMethod, passphrase: string | undefined): KeyProtector {
    if (method === 'safeStorage') {
      if (!this.options.safeStorage) {
        throw new CockpitFailure('Unavailable', 'The vault is protected by safeStorage, which is unavailable in this host.');
      }
      return this.options.safeStorage;
    }
    if (passphrase === undefined || passphrase.length === 0) {
      throw new CockpitFailure('Invalid', 'A passphrase is needed to open the evidence vault.');
    }
    return new PassphraseKeyProtector(passphrase, this.options.scrypt);
  }

  /** Creates the master key and the installation signing key; fails if a vault exists. */
  async initialise(passphrase?: string): Promise<VaultStatus> {
    if (await readJson<VaultFile>(vaultFilePath(this.dir))) {
      throw new CockpitFailure('Conflict', 'The evidence vault is already initialised.', vaultFilePath(this.dir));
    }
    const method: VaultMethod = this.options.safeStorage && passphrase === undefined ? 'safeStorage' : 'passphrase';
    const protector = this.protectorFor(method, passphrase);
    const master = randomBytes(32);
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const fingerprint = publicKeyFingerprint(publicKey);
    const installation: InstallationFile = {
      format: 'incident-cockpit-installation-key',
      version: 1,
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      fingerprint,
      sealedPrivateKey: wrapSecret(master, SIGNING_KEY_LABEL, privateKey.export({ type: 'pkcs8', format: 'der' })).toString('base64'),
    };
    const vault: VaultFile = {
      format: 'incident-cockpit-evidence-vault',
      version: 1,
      method,
      protectedKey: (await protector.protect(master)).toString('base64'),
      createdAt: new Date().toISOString(),
    };
    await writeFileDurably(installationFilePath(this.dir), JSON.stringify(installation, null, 2));
    await writeFileDurably(vaultFilePath(this.dir), JSON.stringify(vault, null, 2));
    this.master = master;
    this.signing = { privateKey, publicKey, fingerprint };
    return this.status();
  }

  /** Opens the master key. A wrong passphrase throws WrongPassphrase and writes nothing. */
  async unlock(passphrase?: string): Promise<VaultStatus> {
    const file = await readJson<VaultFile>(vaultFilePath(this.dir));
    if (!file) throw new CockpitFailure('NotFound', 'The evidence vault is not initialised yet.', vaultFilePath(this.dir));
    const master = await this.protectorFor(file.method, passphrase).unprotect(Buffer.from(file.protectedKey, 'base64'));
    const installation = await readJson<InstallationFile>(installationFilePath(this.dir));
    if (!installation) throw new CockpitFailure('Corrupt', 'installation.json is missing.', installationFilePath(this.dir));
    let privateKey: KeyObject;
    try {
      const der = unwrapSecret(master, SIGNING_KEY_LABEL, Buffer.from(installation.sealedPrivateKey, 'base64'));
      privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } catch {
      throw new CockpitFailure('Corrupt', 'The installation signing key does not open with this master key.', installationFilePath(this.dir));
    }
    const publicKey = createPublicKey(installation.publicKey);
    const fingerprint = publicKeyFingerprint(publicKey);
    if (fingerprint !== publicKeyFingerprint(createPublicKey(privateKey))) {
      throw new CockpitFailure('Corrupt', 'installation.json holds a public key that does not match its private key.');
    }
    this.master = master;
    this.signing = { privateKey, publicKey, fingerprint };
    return this.status();
  }

  /** Forgets the keys in memory; the store closes its logs through `onDidLock`. */
  lock(): void {
    this.master?.fill(0);
    this.master = undefined;
    this.signing = undefined;
    for (const listener of this.lockListeners) listener();
  }

  onDidLock(listener: () => void): () => void {
    this.lockListeners.add(listener);
    return () => this.lockListeners.delete(listener);
  }

  get isUnlocked(): boolean {
    return this.master !== undefined;
  }

  /** The master key; throws Locked when the vault is not open. */
  masterKey(): Buffer {
    if (!this.master) throw new CockpitFailure('Locked', 'The evidence vault is locked.');
    return this.master;
  }

  signingKey(): { privateKey: KeyObject; publicKey: KeyObject; fingerprint: string } {
    if (!this.signing) throw new CockpitFailure('Locked', 'The evidence vault is locked.');
    return this.signing;
  }
}
