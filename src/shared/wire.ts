/**
 * The web host's messages over its one WebSocket (the Electron host uses IPC instead). Both
 * carry the same contract; this only frames it.
 */
import type { Result } from './result';

export type ClientMessage =
  | { t: 'invoke'; id: number; channel: string; input: unknown }
  | { t: 'subscribe'; id: number; channel: string; input: unknown }
  | { t: 'unsubscribe'; id: number };

export type ServerMessage =
  | { t: 'result'; id: number; result: Result<unknown> }
  | { t: 'subscribed'; id: number; result: Result<null> }
  | { t: 'events'; id: number; events: unknown[] };

export const RPC_PATH = '/rpc';
export const TOKEN_COOKIE = 'cockpit_token';
