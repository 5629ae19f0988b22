import type { StateCreator } from 'zustand';
import type { CockpitError } from '../../shared/result';
import { RequestError } from '../cockpit';
import type { Bridge } from './bridge';
import type { CockpitState } from './cockpitStore';

/**
 * One domain's part of the store: a zustand `StateCreator` over the whole state (so actions can
 * read other slices), made with the bridge its actions call. IPC happens only in these actions.
 */
export type CockpitSlice<T> = (bridge: Bridge) => StateCreator<CockpitState, [], [], T>;

/** A thrown value as the contract's error: request failures keep their code. */
export const asError = (error: unknown): CockpitError =>
  error instanceof RequestError ? error.error : { code: 'Internal', message: error instanceof Error ? error.message : String(error) };

/**
 * Runs an action; a failure becomes the visible notice instead of an unhandled rejection, and the
 * action answers undefined.
 */
export async function attempt<T>(set: (patch: { notice: CockpitError }) => void, action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    set({ notice: asError(error) });
    return undefined;
  }
}
