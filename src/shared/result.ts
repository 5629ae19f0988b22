/**
 * The one result shape every request in the contract answers with (after Signal Desktop):
 * the renderer branches on `ok` and acts on `error.code`, never on message text.
 */
export type ErrorCode =
  | 'Invalid'
  | 'NotFound'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Conflict'
  | 'Unreachable'
  | 'Unavailable'
  | 'Corrupt'
  | 'Locked'
  | 'WrongPassphrase'
  | 'Timeout'
  | 'Internal';

export interface CockpitError {
  code: ErrorCode;
  message: string;
  /** Where the problem is, when it has a place: a file, a path inside it, a field. */
  where?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: CockpitError };

/**
 * Thrown by services to answer a request with a specific error code. The dispatcher turns it
 * into `{ ok: false, error }`; anything else thrown becomes `Internal`.
 */
export class CockpitFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly where?: string,
  ) {
    super(message);
    this.name = 'CockpitFailure';
  }

  toError(): CockpitError {
    return this.where === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, where: this.where };
  }
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, where?: string): Result<never> => ({
  ok: false,
  error: where === undefined ? { code, message } : { code, message, where },
});
