import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { NONCE_BYTES, TAG_BYTES } from './log-frames';

/** AES-256-GCM with a fresh random 96-bit nonce; returns the nonce and ciphertext ‖ tag. */
export function sealBytes(key: Buffer, associatedData: Buffer, plaintext: Buffer): { nonce: Buffer; sealed: Buffer } {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(associatedData);
  const body = cipher.update(plaintext);
  const rest = cipher.final();
  const sealed = Buffer.concat([body, rest, cipher.getAuthTag()]);
  return { nonce, sealed };
}

/** Opens what `sealBytes` produced; throws when the key, data or associated data do not match. */
export function openBytes(key: Buffer, associatedData: Buffer, nonce: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < TAG_BYTES) throw new Error('sealed data shorter than its tag');
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(associatedData);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const body = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  const rest = decipher.final();
  return rest.length === 0 ? body : Buffer.concat([body, rest]);
}

/** Wraps a small secret (a key) as nonce ‖ ciphertext ‖ tag. */
export function wrapSecret(key: Buffer, label: string, secret: Buffer): Buffer {
  const { nonce, sealed } = sealBytes(key, Buffer.from(label), secret);
  return Buffer.concat([nonce, sealed]);
}

/** Unwraps what `wrapSecret` produced under the same label; throws on any mismatch. */
export function unwrapSecret(key: Buffer, label: string, wrapped: Buffer): Buffer {
  return openBytes(key, Buffer.from(label), wrapped.subarray(0, NONCE_BYTES), wrapped.subarray(NONCE_BYTES));
}
