import { createHmac, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { CockpitFailure } from '../../shared/result';
import { unwrapSecret, wrapSecret } from './sealing';

/**
 * Protects the vault's master key at rest. The Electron shell implements the `safeStorage`
 * kind (encryptStringAsync / decryptStringAsync over the key's base64); the store ships the
 * passphrase kind.
 */
export interface KeyProtector {
  readonly kind: 'safeStorage' | 'passphrase';
  protect(key: Buffer): Promise<Buffer>;
  unprotect(blob: Buffer): Promise<Buffer>;
}

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt floor for interactive logins is N=2^17, r=8, p=1. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

interface PassphraseBlob {
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  check: string;
  wrapped: string;
}

function deriveKeys(passphrase: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 64 * 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scryptCallback(passphrase.normalize('NFC'), salt, 64, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

const CHECK_LABEL = 'incident-cockpit vault passphrase check';
const WRAP_LABEL = 'incident-cockpit vault master key';

/**
 * Wraps the master key with a key derived from a passphrase by scrypt. The blob keeps the scrypt
 * parameters, salt and a check value (HMAC under a second derived key), so a wrong passphrase is
 * told apart from a damaged blob.
 */
export class PassphraseKeyProtector implements KeyProtector {
  readonly kind = 'passphrase' as const;

  constructor(
    private readonly passphrase: string,
    private readonly params: ScryptParams = DEFAULT_SCRYPT,
  ) {
    if (passphrase.length === 0) throw new CockpitFailure('Invalid', 'The passphrase must not be empty.');
  }

  async protect(key: Buffer): Promise<Buffer> {
    const salt = randomBytes(16);
    const derived = await deriveKeys(this.passphrase, salt, this.params);
    const blob: PassphraseBlob = {
      kdf: 'scrypt',
      ...this.params,
      salt: salt.toString('base64'),
      check: createHmac('sha256', derived.subarray(32)).update(CHECK_LABEL).digest('base64'),
      wrapped: wrapSecret(derived.subarray(0, 32), WRAP_LABEL, key).toString('base64'),
    };
    return Buffer.from(JSON.stringify(blob));
  }

  async unprotect(raw: Buffer): Promise<Buffer> {
    let blob: PassphraseBlob;
    try {
      blob = JSON.parse(raw.toString('utf8')) as PassphraseBlob;
    } catch {
      throw new CockpitFailure('Corrupt', 'The vault key blob is not valid JSON.');
    }
    if (blob.kdf !== 'scrypt' || !blob.salt || !blob.check || !blob.wrapped) {
      throw new CockpitFailure('Corrupt', 'The vault key blob lacks its scrypt parameters.');
    }
    const derived = await deriveKeys(this.passphrase, Buffer.from(blob.salt, 'base64'), blob);
    const expected = Buffer.from(blob.check, 'base64');
    const actual = createHmac('sha256', derived.subarray(32)).update(CHECK_LABEL).digest();
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw new CockpitFailure('WrongPassphrase', 'The passphrase does not open this evidence vault.');
    }
    try {
      return unwrapSecret(derived.subarray(0, 32), WRAP_LABEL, Buffer.from(blob.wrapped, 'base64'));
    } catch {
      throw new CockpitFailure('Corrupt', 'The passphrase is right but the wrapped master key is damaged.');
    }
  }
}
