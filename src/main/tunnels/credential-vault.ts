import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TunnelTarget } from '../../shared/contract/tunnels';
import { CockpitFailure } from '../../shared/result';
import type { KeyProtector } from '../evidence/key-protection';

/** Which database a credential opens: the context, namespace and target the tunnel goes to. */
export interface CredentialScope {
  context: string;
  namespace: string;
  target: TunnelTarget;
}

export interface Credential {
  username?: string;
  password: string;
}

export interface CredentialVaultDeps {
  /** Electron's safeStorage (the shell's protector), or why there is none: remembered credentials then stay memory only. */
  protector?: KeyProtector;
  unavailableReason?: string;
  /** Where remembered (protector-encrypted) credentials are kept: `<dataDir>/tunnels/credentials.json`. */
  file?: string;
}

interface RememberedFile {
  version: 1;
  /** scope key -> base64 of the protector's blob over the credential's JSON. */
  entries: Record<string, string>;
}

/**
 * Passwords a responder typed for a database behind a tunnel. Held in memory for the session
 * (main process only, never sent to the renderer); with "remember", also written encrypted by
 * safeStorage. In the web host there is no safeStorage, so remembering is refused with why.
 */
export class CredentialVault {
  private readonly memory = new Map<string, Credential>();

  constructor(private readonly deps: CredentialVaultDeps = {}) {}

  /** Whether `remember` can persist, and if not, why (the UI says "memory only"). */
  get persistence(): { available: true } | { available: false; reason: string } {
    return this.deps.protector && this.deps.file
      ? { available: true }
      : { available: false, reason: this.deps.unavailableReason ?? 'no safeStorage here: typed credentials are kept in memory only, for this session' };
  }

  async set(scope: CredentialScope, credential: Credential, options: { remember?: boolean } = {}): Promise<void> {
    const key = scopeKey(scope);
    this.memory.set(key, { ...credential });
    if (!options.remember) return;
    const { protector, file } = this.deps;
    if (!protector || !file) throw new CockpitFailure('Unavailable', this.persistence.available ? 'unreachable' : this.persistence.reason);
    const remembered = await this.readFile();
    const blob = await protector.protect(Buffer.from(JSON.stringify(credential), 'utf8'));
    remembered.entries[key] = blob.toString('base64');
    await this.writeFile(remembered);
  }

  /** The credential for the scope: typed this session, else remembered; undefined when none. */
  async get(scope: CredentialScope): Promise<Credential | undefined> {
    const key = scopeKey(scope);
    const held = this.memory.get(key);
    if (held) return { ...held };
    const { protector, file } = this.deps;
    if (!protector || !file) return undefined;
    const blob = (await this.readFile()).entries[key];
    if (!blob) return undefined;
    try {
      const credential = JSON.parse((await protector.unprotect(Buffer.from(blob, 'base64'))).toString('utf8')) as Credential;
      this.memory.set(key, credential);
      return { ...credential };
    } catch {
      throw new CockpitFailure('Corrupt', `the remembered credential for ${key} cannot be decrypted (safeStorage changed?); type it again`);
    }
  }

  /** Whether a credential is held for the scope (the UI shows "password set", never the password). */
  has(scope: CredentialScope): boolean {
    return this.memory.has(scopeKey(scope));
  }

  async forget(scope: CredentialScope): Promise<void> {
    const key = scopeKey(scope);
    this.memory.delete(key);
    if (!this.deps.file || !this.deps.protector) return;
    const remembered = await this.readFile();
    if (remembered.entries[key] === undefined) return;
    delete remembered.entries[key];
    await this.writeFile(remembered);
  }

  /** Drops what is held in memory (on quit); remembered ones stay encrypted on disk. */
  clear(): void {
    this.memory.clear();
  }

  private async readFile(): Promise<RememberedFile> {
    try {
      const parsed = JSON.parse(await readFile(this.deps.file!, 'utf8')) as RememberedFile;
      return parsed.version === 1 && parsed.entries && typeof parsed.entries === 'object' ? parsed : { version: 1, entries: {} };
    } catch {
      return { version: 1, entries: {} };
    }
  }

  private async writeFile(content: RememberedFile): Promise<void> {
    const file = this.deps.file!;
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(content), { mode: 0o600 });
    await rename(temp, file);
  }
}

export function scopeKey(scope: CredentialScope): string {
  return `${scope.context}/${scope.namespace}/${scope.target.kind}/${scope.target.name}`;
}
