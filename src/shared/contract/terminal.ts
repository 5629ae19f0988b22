import { z } from 'zod';
import type { OpenedTerminal, SealedRecording, TerminalSessionInfo } from '../terminal/model';
import { TERMINAL_LIMITS } from '../terminal/model';
import { IncidentId, NoInput, request, stream } from './define';

const SessionId = z.string().regex(/^term-[a-z0-9]{6,32}$/, 'is not a terminal session id');
/** The opener's capability (see `OpenedTerminal.key`). */
const SessionKey = z.string().regex(/^[A-Za-z0-9_-]{20,64}$/, 'is not a terminal session key');
const Owned = { id: SessionId, key: SessionKey };
const Cols = z.int().min(TERMINAL_LIMITS.minCols).max(TERMINAL_LIMITS.maxCols);
const Rows = z.int().min(TERMINAL_LIMITS.minRows).max(TERMINAL_LIMITS.maxRows);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'is not a SHA-256');
/**
 * The terminal's pacing. VS Code pauses its pty at 100,000 unacknowledged characters so that
 * Ctrl-C during `yes` reaches the prompt at once. Ours pauses at 512 KiB: with 128 KiB in flight
 * the page sat idle ~30% of a `cat` waiting for the next batch (an acknowledgement's round trip
 * through main, the pty and the browser is several ms on two busy cores), and `cat` ran at
 * two thirds of the speed. A big window costs Ctrl-C nothing: on an interrupt the screen drops
 * the output it holds and has not handed to xterm (`TerminalScreen.interrupted`) and main drops
 * what it read and has not sent (`flushOutput`), as the tty flushes its own queue; only what is
 * on the wire and xterm's 32 KiB feed are still parsed. Batches leave after at most 2 ms (VS Code
 * buffers terminal data for 5 ms): an echo is not held for a 16 ms batch.
 */
export const TERMINAL_FLOW = {
  highWaterMark: 512 * 1024,
  lowWaterMark: 256 * 1024,
  maxBatchBytes: 128 * 1024,
  maxBatchWaitMs: 2,
  maxBufferedBytes: 4 * 1024 * 1024,
} as const;
const Namespace = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'is not a namespace name');

export const terminalRequests = {
  /** Starts a shell bound to `context` (its own temporary kubeconfig), namespace optional. */
  'terminal:open': request(
    z.strictObject({ context: z.string().min(1).max(253), namespace: Namespace.optional(), cols: Cols, rows: Rows }),
  ).returns<OpenedTerminal>(),
  /**
   * Keystrokes or a pasted snippet, as the terminal encodes them. `flushOutput` (with an
   * interrupt, once the page dropped a runaway stream's backlog): output read and not sent yet is
   * dropped too, as the tty flushes its own queue; a recording keeps it.
   */
  'terminal:input': request(
    z.strictObject({ ...Owned, data: z.string().min(1).max(TERMINAL_LIMITS.maxInputChars), flushOutput: z.boolean().optional() }),
  ).returns<{ written: number; flushedBytes?: number }>(),
  'terminal:resize': request(z.strictObject({ ...Owned, cols: Cols, rows: Rows })).returns<{ cols: number; rows: number }>(),
  /** Kills the shell and its process group, deletes the tab's kubeconfig; a running recording is sealed first. */
  'terminal:close': request(z.strictObject(Owned)).returns<{ recording?: SealedRecording }>(),
  'terminal:list': request(NoInput).returns<TerminalSessionInfo[]>(),
  /** Starts recording the tab (asciicast v2) for the incident; input only when asked. */
  'terminal:record': request(z.strictObject({ ...Owned, incidentId: IncidentId, input: z.boolean().default(false) })).returns<TerminalSessionInfo>(),
  /** Stops recording and seals the cast as an attachment of the incident's evidence. */
  'terminal:stopRecording': request(z.strictObject(Owned)).returns<SealedRecording>(),
  /** A sealed recording's cast text, for the player and the `.cast` export. */
  'terminal:recording': request(z.strictObject({ incidentId: IncidentId, sha256: Sha256 })).returns<{ name: string; cast: string }>(),
} as const;

export const terminalStreams = {
  /**
   * The shell's output as bytes, for the session's opener only (the key). The pty is paused
   * while the page has not acknowledged the high-water mark; the stream ends when the shell exits.
   * Subscribed once: when this subscription ends (page reloaded or closed) the shell is closed.
   */
  'terminal:output': stream(z.strictObject(Owned)).emitsBytes(TERMINAL_FLOW),
  /** Every session's state (exit code, KUBECONFIG override, recording), at once and on each change. */
  'terminal:sessions': stream(NoInput).emits<TerminalSessionInfo[]>(),
} as const;
