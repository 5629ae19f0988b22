import { readFile, rm } from 'node:fs/promises';
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
  /** Never write (the command-line verifier): no migration of an older vault.json, no heads. */
  readOnly?: boolean;
  /** For tests of the unlock rate limit. */
  now?: () => number;
}

/** The last head the store saw for a log, kept sealed in the vault so a rollback of the log folder shows. */
export interface LogHead {
  count: number;
  headHash: string;
  at: string;
}

/** Delay before the next unlock attempt after `failures` wrong passphrases in a row. */
export function unlockDelayMs(failures: number): number {
  return failures <= 0 ? 0 : Math.min(60_000, 1000 * 2 ** (failures - 1));
}

interface VaultFile {
  format: 'incident-cockpit-evidence-vault';
  version: 1;
  method: VaultMethod;
  protectedKey: string;
  createdAt: string;
  /** The installation signing key's fingerprint: what keyless verification pins. */
  installationFingerprint?: string;
  /** The same fingerprint sealed by the master key: a swapped plain copy shows on unlock. */
  installationFingerprintSeal?: string;
}

interface InstallationFile {
  format: 'incident-cockpit-installation-key';
  version: 1;
  publicKey: string;
  fingerprint: string;
  sealedPrivateKey: string;
}

const SIGNING_KEY_LABEL = 'incident-cockpit installation signing key';
const FINGERPRINT_LABEL = 'incident-cockpit installation fingerprint';
const headLabel = (logId: string): string => `incident-cockpit log head\0${logId}`;
export const headsDir = (dir: string): string => path.join(dir, 'heads');
const headFile = (dir: string, logId: string): string => path.join(headsDir(dir), `${logId}.json`);

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

/** The installation key fingerprint vault.json pins (plain; the keyed check is on unlock). */
export async function readPinnedFingerprint(dir: string): Promise<string | undefined> {
  try {
    const file = JSON.parse(await readFile(vaultFilePath(dir), 'utf8')) as VaultFile;
    return typeof file.installationFingerprint === 'string' ? file.installationFingerprint : undefined;
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
  private readonly lockListeners = new Set<() => void | Promise<void>>();
  private readonly willLockListeners = new Set<() => void | Promise<void>>();
  /** Work holding the master key right now; lock waits for it before zeroing the key. */
  private leases = 0;
  private leasesDrained: Array<() => void> = [];
  private failedUnlocks = 0;
  private nextUnlockAt = 0;
  private readonly now: () => number;

  constructor(private readonly options: EvidenceVaultOptions) {
    this.now = options.now ?? Date.now;
  }

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
      installationFingerprint: fingerprint,
      installationFingerprintSeal: wrapSecret(master, FINGERPRINT_LABEL, Buffer.from(fingerprint)).toString('base64'),
    };
    await writeFileDurably(installationFilePath(this.dir), JSON.stringify(installation, null, 2));
    await writeFileDurably(vaultFilePath(this.dir), JSON.stringify(vault, null, 2));
    this.master = master;
    this.signing = { privateKey, publicKey, fingerprint };
    return this.status();
  }

  /**
   * Opens the master key. A wrong passphrase throws WrongPassphrase and writes nothing; failed
   * attempts in a row make the next one wait (1 s, 2 s, 4 s … up to a minute), and the error says
   * how long, since each attempt costs a 128 MiB scrypt.
   */
  async unlock(passphrase?: string): Promise<VaultStatus> {
    const wait = this.nextUnlockAt - this.now();
    if (wait > 0) {
      throw new CockpitFailure(
        'Unavailable',
        `Too many wrong passphrases (${this.failedUnlocks} in a row): try again in ${Math.ceil(wait / 1000)} s.`,
      );
    }
    const file = await readJson<VaultFile>(vaultFilePath(this.dir));
    if (!file) throw new CockpitFailure('NotFound', 'The evidence vault is not initialised yet.', vaultFilePath(this.dir));
    let master: Buffer;
    try {
      master = await this.protectorFor(file.method, passphrase).unprotect(Buffer.from(file.protectedKey, 'base64'));
    } catch (err) {
      if (err instanceof CockpitFailure && err.code === 'WrongPassphrase') {
        this.failedUnlocks++;
        const delay = unlockDelayMs(this.failedUnlocks);
        this.nextUnlockAt = this.now() + delay;
        throw new CockpitFailure('WrongPassphrase', `${err.message} The next attempt is possible in ${Math.ceil(delay / 1000)} s.`);
      }
      throw err;
    }
    this.failedUnlocks = 0;
    this.nextUnlockAt = 0;
    const installation = await readJson<InstallationFile>(installationFilePath(this.dir));
    if (!installation) throw new CockpitFailure('Corrupt', 'installation.json is missing.', installationFilePath(this.dir));
    let privateKey: KeyObject;
    try {
      const der = unwrapSecret(master, SIGNING_KEY_LABEL, Buffer.from(installation.sealedPrivateKey, 'base64'));
      privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } catch {
      throw new CockpitFailure('Corrupt', 'The installation signing key does not open with this master key (installation.json replaced?).', installationFilePath(this.dir));
    }
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey(installation.publicKey);
    } catch {
      throw new CockpitFailure('Corrupt', 'installation.json holds no readable public key.', installationFilePath(this.dir));
    }
    const fingerprint = publicKeyFingerprint(publicKey);
    if (fingerprint !== publicKeyFingerprint(createPublicKey(privateKey))) {
      throw new CockpitFailure('Corrupt', 'installation.json holds a public key that does not match its private key (tampered).', installationFilePath(this.dir));
    }
    if (file.installationFingerprintSeal) {
      let sealed: string;
      try {
        sealed = unwrapSecret(master, FINGERPRINT_LABEL, Buffer.from(file.installationFingerprintSeal, 'base64')).toString();
      } catch {
        throw new CockpitFailure('Corrupt', 'vault.json: the sealed installation fingerprint does not open (tampered).', vaultFilePath(this.dir));
      }
      if (sealed !== fingerprint || file.installationFingerprint !== fingerprint) {
        throw new CockpitFailure('Corrupt', `The installation signing key changed: the vault pins ${sealed}, installation.json holds ${fingerprint}.`, vaultFilePath(this.dir));
      }
    } else if (!this.options.readOnly) {
      // A vault from before pinning: pin the key it has now.
      const updated: VaultFile = {
        ...file,
        installationFingerprint: fingerprint,
        installationFingerprintSeal: wrapSecret(master, FINGERPRINT_LABEL, Buffer.from(fingerprint)).toString('base64'),
      };
      await writeFileDurably(vaultFilePath(this.dir), JSON.stringify(updated, null, 2));
    }
    this.master = master;
    this.signing = { privateKey, publicKey, fingerprint };
    return this.status();
  }

  /**
   * Forgets the keys: new work is refused at once (Locked), listeners (the store closing its logs)
   * run, and the master key is zeroed only after every task still holding it has finished, so a
   * lock during an open or append never wraps or unwraps under a zeroed key.
   */
  async lock(): Promise<void> {
    // While the keys are still here: the store signs closing checkpoints and closes its logs.
    if (this.master) await Promise.all([...this.willLockListeners].map(async (listener) => listener()));
    const master = this.master;
    this.master = undefined;
    this.signing = undefined;
    await Promise.all([...this.lockListeners].map(async (listener) => listener()));
    if (this.leases > 0) await new Promise<void>((resolve) => this.leasesDrained.push(resolve));
    // Unlocked again meanwhile: that unlock has its own buffer; this one is still ours to zero.
    master?.fill(0);
  }

  /** Runs before the keys go (and is awaited): last use of the keys, e.g. a closing checkpoint. */
  onWillLock(listener: () => void | Promise<void>): () => void {
    this.willLockListeners.add(listener);
    return () => this.willLockListeners.delete(listener);
  }

  onDidLock(listener: () => void | Promise<void>): () => void {
    this.lockListeners.add(listener);
    return () => this.lockListeners.delete(listener);
  }

  get isUnlocked(): boolean {
    return this.master !== undefined;
  }

  /** The master key; throws Locked when the vault is not open. Prefer `withMasterKey` across awaits. */
  masterKey(): Buffer {
    if (!this.master) throw new CockpitFailure('Locked', 'The evidence vault is locked.');
    return this.master;
  }

  /** Runs `task` with the master key; `lock` waits for it before zeroing the key. */
  async withMasterKey<T>(task: (key: Buffer) => Promise<T> | T): Promise<T> {
    const key = this.masterKey();
    this.leases++;
    try {
      return await task(key);
    } finally {
      this.leases--;
      if (this.leases === 0) for (const resolve of this.leasesDrained.splice(0)) resolve();
    }
  }

  signingKey(): { privateKey: KeyObject; publicKey: KeyObject; fingerprint: string } {
    if (!this.signing) throw new CockpitFailure('Locked', 'The evidence vault is locked.');
    return this.signing;
  }

  /** The last head recorded for a log (sealed: only the master key opens it, and a swapped file fails). */
  async lastHead(logId: string): Promise<LogHead | undefined> {
    const file = headFile(this.dir, logId);
    const content = await readJson<{ sealed: string }>(file).catch(() => {
      throw new CockpitFailure('Corrupt', `The vault's record of log ${logId}'s head is damaged.`, file);
    });
    if (!content) return undefined;
    return this.withMasterKey((key) => {
      try {
        return JSON.parse(unwrapSecret(key, headLabel(logId), Buffer.from(content.sealed, 'base64')).toString()) as LogHead;
      } catch {
        throw new CockpitFailure('Corrupt', `The vault's record of log ${logId}'s head does not open (tampered or from another vault).`, file);
      }
    });
  }

  /** Records the head a log reached (at checkpoints and on close). */
  async recordHead(logId: string, head: LogHead): Promise<void> {
    if (this.options.readOnly) return;
    const sealed = await this.withMasterKey((key) => wrapSecret(key, headLabel(logId), Buffer.from(JSON.stringify(head))).toString('base64'));
    await writeFileDurably(headFile(this.dir, logId), JSON.stringify({ format: 'incident-cockpit-log-head', sealed }));
  }

  /** Test helper for rollbacks: forgets a log's head. */
  async forgetHead(logId: string): Promise<void> {
    await rm(headFile(this.dir, logId), { force: true });
  }
}
