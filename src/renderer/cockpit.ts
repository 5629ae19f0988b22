import type { CockpitApi, RequestInput, RequestName, RequestOutput } from '../shared/contract';
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

/** Calls the contract and unwraps the result; the one place the renderer talks to the host. */
export async function call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestOutput<K>> {
  const result = await window.cockpit.invoke(name, input);
  if (!result.ok) throw new RequestError(result.error);
  return result.value;
}
