import type { CockpitApi } from '../shared/contract';
import type { CockpitError } from '../shared/result';

declare global {
  interface Window {
    cockpit: CockpitApi;
  }
}

/** A failed request, carrying the contract's error so the UI can act on `code`. */
export class RequestError extends Error {
  constructor(readonly error: CockpitError) {
    super(error.message);
  }
}
