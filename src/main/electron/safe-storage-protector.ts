import { safeStorage } from 'electron';
import type { KeyProtector } from '../evidence/key-protection';

/**
 * The evidence vault's master key, protected by the OS keychain through Electron's safeStorage.
 * Electron 39 has only the synchronous API; the key is base64 so it survives the string API.
 * Returns why safeStorage cannot be used (unavailable, or Linux's `basic_text` backend, which is
 * no protection at all) so the vault can ask for a passphrase and say why.
 */
export function safeStorageProtector(): { protector: KeyProtector } | { unavailable: string } {
  if (!safeStorage.isEncryptionAvailable()) return { unavailable: 'the OS keychain is not available to Electron safeStorage' };
  if (process.platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend();
    if (backend === 'basic_text' || backend === 'unknown') {
      return { unavailable: `safeStorage's Linux backend is ${backend}, which does not protect the key` };
    }
  }
  return {
    protector: {
      kind: 'safeStorage',
      protect: async (key) => safeStorage.encryptString(key.toString('base64')),
      unprotect: async (blob) => Buffer.from(safeStorage.decryptString(blob), 'base64'),
    },
  };
}
