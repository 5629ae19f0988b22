import type { TunnelEnvironmentChange } from './tunnel-environment';

/**
 * The terminal as the renderer sees it: sessions by id, never the kubeconfig's contents. A session
 * is one shell in a pty, bound to one context; its temporary kubeconfig stays in main.
 */

/** Bounds for what the contract accepts (xterm's own limits are far above what a screen shows). */
export const TERMINAL_LIMITS = {
  minCols: 2,
  maxCols: 1000,
  minRows: 1,
  maxRows: 500,
  /** One write of keystrokes or a pasted snippet. */
  maxInputChars: 64 * 1024,
  /** Shells one app may hold at once. */
  maxSessions: 16,
} as const;

export type TerminalState = 'running' | 'exited';

export interface TerminalRecordingInfo {
  incidentId: string;
  /** When recording started (UTC ISO). */
  since: string;
  /** Typed input is recorded too (`"i"` events), except at password prompts. */
  input: boolean;
}

export interface TerminalSessionInfo {
  id: string;
  /** What the tab shows: `drill · codesign-production`. */
  title: string;
  context: string;
  namespace: string;
  shell: string;
  /** The shell's pid: the leader of the session closing the tab ends. */
  pid: number;
  cols: number;
  rows: number;
  state: TerminalState;
  /** When the shell exited: its exit code (or 128 + signal). */
  exitCode?: number;
  signal?: number;
  /**
   * The shell's startup file sets KUBECONFIG to something else than the tab's own file, so
   * `kubectl` in this tab talks to that instead of the tab's context.
   */
  kubeconfigOverride?: string;
  recording?: TerminalRecordingInfo;
  /** Open tunnels' variables the shell was started with (`PGHOST`, `PGPORT`, `REDIS_PORT`...). */
  tunnelVariables?: Record<string, string>;
  /**
   * Tunnels of this context opened or closed after the shell started: a new tab picks them up,
   * or the user pastes `exportLine(tunnelChange)` here (pasted, never run by the app).
   */
  tunnelChange?: TunnelEnvironmentChange;
  openedAt: string;
}

/** What `terminal:open` answers: the session and the key only its opener holds. */
export interface OpenedTerminal {
  session: TerminalSessionInfo;
  /**
   * The capability for input, resize, recording and close: only the page session that opened
   * the terminal learns it, so another page (or frame) cannot type into this shell.
   */
  key: string;
}

export interface SealedRecording {
  incidentId: string;
  sha256: string;
  name: string;
  seq: number;
  size: number;
  /** Output events, resizes and (when recorded) input events written. */
  events: number;
}

/** The cast file's name for a session and a start time. */
export function recordingName(context: string, startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `terminal-${context.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp}.cast`;
}
