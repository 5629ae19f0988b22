import type { CockpitError } from '../../shared/result';
import { aliasScript } from '../../shared/terminal/snippets';
import { exportLine } from '../../shared/terminal/tunnel-environment';
import type { SealedRecording, TerminalSessionInfo } from '../../shared/terminal/model';
import { DisposableStore } from '../../shared/lifetimes';
import { asError, attempt, type CockpitSlice } from '../state/slice';
import type { RendererKind, terminalScreens as Screens } from './terminalScreens';

/**
 * xterm and its addons (a third of the page's script) load with the first terminal, not with
 * the page: the slice is in the store every panel starts with.
 */
let screens: typeof Screens | undefined;
const loadScreens = async () => (screens ??= (await import('./terminalScreens')).terminalScreens);

/** A tab of the Terminal panel: the session, the key only this page holds, and what it shows. */
export interface TerminalTab {
  id: string;
  key: string;
  info: TerminalSessionInfo;
  renderer?: RendererKind;
  /** Why the output stream ended (the shell exited, the host went away). */
  ended?: string;
  /** The last recording sealed from this tab. */
  lastRecording?: SealedRecording;
}

/** A recording open in the player. */
export interface OpenRecording {
  incidentId: string;
  sha256: string;
  name: string;
  cast: string;
}

/** A snippet waiting for its tab's screen (pasted, never run). */
export interface PendingPaste {
  tabId: string;
  text: string;
  destructive: boolean;
}

export interface TerminalSlice {
  terminalTabs: TerminalTab[];
  activeTerminal?: string;
  terminalError?: CockpitError;
  /** Opens a tab on `context` (default: the selected context) and shows it. */
  openTerminal(context?: string, namespace?: string): Promise<string | undefined>;
  selectTerminal(id: string): void;
  closeTerminal(id: string): Promise<void>;
  terminalInput(id: string, data: string, flushOutput?: boolean): void;
  resizeTerminal(id: string, cols: number, rows: number): void;
  recordTerminal(id: string, incidentId: string, input: boolean): Promise<void>;
  stopTerminalRecording(id: string): Promise<void>;
  /**
   * Pastes a runbook snippet into the active tab (opening one when there is none) and shows the
   * Terminal panel. Never presses Enter.
   */
  pasteIntoTerminal(text: string, destructive: boolean): Promise<void>;
  lastPaste?: PendingPaste;
  /** Pastes the runbook's appendix aliases into a tab. */
  loadAliasesIntoTerminal(id: string): void;
  /** Pastes the `export` line of tunnels opened since the tab's shell started (not run). */
  pasteTunnelExports(id: string): void;
  recording?: OpenRecording;
  openRecording(incidentId: string, sha256: string): Promise<void>;
  closeRecording(): void;
}

/** Input is sent in order, one request at a time, coalescing what was typed meanwhile. */
function inputQueue(send: (data: string, flushOutput: boolean) => Promise<unknown>, onError: (error: unknown) => void) {
  let pending = '';
  /** How much of `pending` leads up to (and includes) an interrupt that flushes output. */
  let flushThrough = 0;
  let sending = false;
  const pump = async () => {
    if (sending) return;
    sending = true;
    while (pending) {
      const data = pending.slice(0, 60_000);
      pending = pending.slice(data.length);
      const flushOutput = flushThrough > 0 && data.length >= flushThrough;
      flushThrough = Math.max(0, flushThrough - data.length);
      try {
        await send(data, flushOutput);
      } catch (error) {
        pending = '';
        flushThrough = 0;
        onError(error);
      }
    }
    sending = false;
  };
  return (data: string, flushOutput = false) => {
    pending += data;
    if (flushOutput) flushThrough = pending.length;
    void pump();
  };
}

export const createTerminalSlice: CockpitSlice<TerminalSlice> = (bridge) => (set, get) => {
  const lifetimes = new Map<string, DisposableStore>();
  const inputs = new Map<string, (data: string, flushOutput?: boolean) => void>();
  const resizes = new Map<string, ReturnType<typeof setTimeout>>();
  const patchTab = (id: string, patch: Partial<TerminalTab>) =>
    set((state) => ({ terminalTabs: state.terminalTabs.map((t) => (t.id === id ? { ...t, ...patch } : t)) }));
  const tab = (id: string) => get().terminalTabs.find((t) => t.id === id);

  /** One `terminal:sessions` subscription while any tab is open: exit codes, overrides, recordings. */
  let sessionsWatch: (() => void) | undefined;
  const watchSessions = () => {
    sessionsWatch ??= bridge.subscribe('terminal:sessions', {}, {
      events: (batches) => {
        const latest = batches.at(-1) ?? [];
        set((state) => ({
          terminalTabs: state.terminalTabs.map((t) => {
            const info = latest.find((s) => s.id === t.id);
            return info ? { ...t, info } : t;
          }),
        }));
      },
      end: () => (sessionsWatch = undefined),
      error: () => (sessionsWatch = undefined),
    });
  };

  const forget = (id: string) => {
    lifetimes.get(id)?.dispose();
    lifetimes.delete(id);
    inputs.delete(id);
    clearTimeout(resizes.get(id));
    resizes.delete(id);
    screens?.dispose(id);
    set((state) => {
      const terminalTabs = state.terminalTabs.filter((t) => t.id !== id);
      const activeTerminal = state.activeTerminal === id ? terminalTabs.at(-1)?.id : state.activeTerminal;
      return { terminalTabs, activeTerminal };
    });
    if (get().terminalTabs.length === 0) {
      sessionsWatch?.();
      sessionsWatch = undefined;
    }
  };

  return {
    terminalTabs: [],
    async openTerminal(context, namespace) {
      const name = context ?? get().contexts?.current;
      if (!name) {
        set({ terminalError: { code: 'NotFound', message: 'no context to open a terminal on: pick one in the top bar' } });
        return undefined;
      }
      try {
        // First the screen's code, so that a session main opens always has a screen to write to.
        const terminalScreens = await loadScreens();
        const opened = await bridge.call('terminal:open', { context: name, ...(namespace ? { namespace } : {}), cols: 100, rows: 30 });
        const { id } = opened.session;
        const lifetime = new DisposableStore();
        lifetimes.set(id, lifetime);
        const send = inputQueue(
          (data, flushOutput) => bridge.call('terminal:input', { id, key: opened.key, data, ...(flushOutput ? { flushOutput } : {}) }),
          (error) => patchTab(id, { ended: asError(error).message }),
        );
        inputs.set(id, send);
        const screen = terminalScreens.create(id, {
          onInput: (data, flushOutput) => get().terminalInput(id, data, flushOutput),
          onResize: (cols, rows) => get().resizeTerminal(id, cols, rows),
          onRenderer: (renderer) => patchTab(id, { renderer }),
        });
        set((state) => ({ terminalTabs: [...state.terminalTabs, { id, key: opened.key, info: opened.session }], activeTerminal: id, terminalError: undefined }));
        lifetime.addFn(
          bridge.subscribe(
            'terminal:output',
            { id, key: opened.key },
            {
              manualAck: true,
              // Bytes go straight into xterm; acknowledged once xterm has parsed them.
              events: (chunks, ack) => screen.write(chunks, ack),
              end: (reason) => {
                screen.writeNotice(`[${reason}]`);
                patchTab(id, { ended: reason });
              },
              error: (error) => {
                screen.writeNotice(`[${error.message}]`);
                patchTab(id, { ended: error.message });
              },
            },
          ),
        );
        watchSessions();
        return id;
      } catch (error) {
        set({ terminalError: asError(error) });
        return undefined;
      }
    },
    selectTerminal(id) {
      set({ activeTerminal: id });
    },
    async closeTerminal(id) {
      const current = tab(id);
      if (!current) return;
      try {
        const { recording } = await bridge.call('terminal:close', { id, key: current.key });
        if (recording) void get().loadEvidence(recording.incidentId);
      } catch (error) {
        // Gone already (the host restarted): the tab still closes.
        if (asError(error).code !== 'NotFound') set({ terminalError: asError(error) });
      }
      forget(id);
    },
    terminalInput(id, data, flushOutput) {
      inputs.get(id)?.(data, flushOutput);
    },
    resizeTerminal(id, cols, rows) {
      const current = tab(id);
      if (!current) return;
      clearTimeout(resizes.get(id));
      resizes.set(
        id,
        setTimeout(() => {
          void bridge.call('terminal:resize', { id, key: current.key, cols, rows }).catch(() => undefined);
        }, 50),
      );
    },
    async recordTerminal(id, incidentId, input) {
      const current = tab(id);
      if (!current) return;
      const info = await attempt(
        (patch) => set({ terminalError: patch.notice }),
        () => bridge.call('terminal:record', { id, key: current.key, incidentId, input }),
      );
      if (info) {
        patchTab(id, { info });
        set({ terminalError: undefined });
      }
    },
    async stopTerminalRecording(id) {
      const current = tab(id);
      if (!current) return;
      const sealed = await attempt(
        (patch) => set({ terminalError: patch.notice }),
        () => bridge.call('terminal:stopRecording', { id, key: current.key }),
      );
      if (sealed) {
        const { recording: _stopped, ...info } = current.info;
        patchTab(id, { lastRecording: sealed, info });
        void get().loadEvidence(sealed.incidentId);
      }
    },
    async pasteIntoTerminal(text, destructive) {
      let id = get().activeTerminal;
      if (!id || tab(id)?.info.state !== 'running' || tab(id)?.ended) id = await get().openTerminal();
      if (!id) return;
      get().navigate({ panel: 'terminal' });
      set({ activeTerminal: id, lastPaste: { tabId: id, text, destructive } });
      const screen = screens?.get(id);
      // A new shell pastes once its prompt is up (and it has said whether it takes bracketed paste).
      await screen?.ready;
      screen?.paste(text);
    },
    loadAliasesIntoTerminal(id) {
      const aliases = get().runbook?.aliases ?? [];
      if (aliases.length === 0) return;
      screens?.get(id)?.paste(aliasScript(aliases));
    },
    pasteTunnelExports(id) {
      const change = tab(id)?.info.tunnelChange;
      if (change) screens?.get(id)?.paste(exportLine(change));
    },
    async openRecording(incidentId, sha256) {
      try {
        const { name, cast } = await bridge.call('terminal:recording', { incidentId, sha256 });
        set({ recording: { incidentId, sha256, name, cast } });
      } catch (error) {
        set({ notice: asError(error) });
      }
    },
    closeRecording() {
      set({ recording: undefined });
    },
  };
};
