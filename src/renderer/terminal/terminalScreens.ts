/**
 * The xterm instances, kept outside React: a tab's screen lives as long as the tab, whatever
 * panel is on screen, and terminal bytes go straight into it (never through React state). The
 * panel only moves a screen's element into view.
 */
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal, type ITerminalOptions } from '@xterm/xterm';

export const SCROLLBACK_LINES = 10_000;

const THEME: ITerminalOptions['theme'] = {
  background: '#0f1419',
  foreground: '#e6e1cf',
  cursor: '#f29718',
  selectionBackground: '#33415e',
};

export type RendererKind = 'webgl' | 'dom';

/**
 * While output floods in, the screen is drawn at most this often. Each frame the DOM renderer
 * draws costs Chromium ~10 ms of style, layout and paint here (every row changes as the output
 * scrolls), so drawing every frame (60/s) would leave xterm's parser a fifth of the page's
 * thread; 20 frames a second still shows a `cat` or `yes` scrolling by.
 */
export const FLOOD_FRAME_MS = 50;
/**
 * Output handed to xterm and not parsed yet stays under this; the rest waits in the screen's
 * backlog, where Ctrl-C can drop it. xterm parses a line of `yes` in ~1.3 µs here: 32 KiB of
 * them (11,000 lines) is ~15 ms.
 */
const FEED_AHEAD_BYTES = 32 * 1024;
/** A backlog at least this big when Ctrl-C is pressed is a runaway stream's (see `interrupted`). */
const FLUSH_BACKLOG_BYTES = 64 * 1024;
/** A batch at least this big, arriving within `FLOOD_FRAME_MS` of the last frame, is flooding output. */
const FLOOD_BATCH_BYTES = 4096;
/**
 * Synchronized output (DEC private mode 2026, which xterm implements): between `h` and `l`
 * xterm parses but does not draw. The screen uses it to hold frames during a flood; an
 * application that uses it itself (a TUI drawing whole frames) is left alone.
 */
const SYNC_BEGIN = '\x1b[?2026h';
const SYNC_END = '\x1b[?2026l';
/** `ESC [ ? 2 0 2 6`: the application's own synchronized output. */
const SYNC_PREFIX = new Uint8Array([0x1b, 0x5b, 0x3f, 0x32, 0x30, 0x32, 0x36]);

function includesBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0]!;
  for (let i = haystack.indexOf(first); i !== -1 && i <= haystack.length - needle.length; i = haystack.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && haystack[i + k] === needle[k]) k++;
    if (k === needle.length) return true;
  }
  return false;
}

export interface ScreenCallbacks {
  /**
   * Keystrokes and pastes, as the terminal encodes them; `flushOutput` when the keystroke is an
   * interrupt for which the screen dropped a runaway stream's backlog (main drops its queue too).
   */
  onInput(data: string, flushOutput: boolean): void;
  onResize(cols: number, rows: number): void;
  /** Which renderer draws the screen changed (WebGL lost its context: DOM from now on). */
  onRenderer?(kind: RendererKind): void;
}

/**
 * xterm writes theme and size rules into `<style>` elements, which the cockpit's CSP
 * (`style-src 'self'`) does not apply. Their text is mirrored into constructed style sheets,
 * which the CSP allows, so the page keeps its strict policy.
 */
function mirrorStyleElements(root: HTMLElement): () => void {
  if (typeof CSSStyleSheet === 'undefined' || !('adoptedStyleSheets' in document)) return () => {};
  const sheets = new Map<HTMLStyleElement, { sheet: CSSStyleSheet; text: string | undefined }>();
  const sync = () => {
    for (const [element, mirror] of sheets) {
      if (!root.contains(element)) {
        sheets.delete(element);
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== mirror.sheet);
      }
    }
    for (const element of root.querySelectorAll('style')) {
      let mirror = sheets.get(element);
      if (!mirror) {
        mirror = { sheet: new CSSStyleSheet(), text: undefined };
        sheets.set(element, mirror);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, mirror.sheet];
      }
      const text = element.textContent ?? '';
      if (text === mirror.text) continue;
      mirror.text = text;
      try {
        mirror.sheet.replaceSync(text);
      } catch {
        // a rule the browser refuses: the rest still applies
      }
    }
  };
  // The screen's rows change every frame while output scrolls; only a change to a <style> (its
  // text, or one added or removed) is worth a sync.
  const isStyle = (node: Node | null) => node?.nodeName === 'STYLE';
  const holdsStyle = (nodes: NodeList) => {
    for (const node of nodes) {
      if (isStyle(node) || (node instanceof Element && node.firstElementChild && !node.classList.contains('xterm-rows') && node.querySelector('style'))) return true;
    }
    return false;
  };
  const observer = new MutationObserver((records) => {
    if (records.some((r) => isStyle(r.target) || isStyle(r.target.parentNode) || holdsStyle(r.addedNodes) || holdsStyle(r.removedNodes))) sync();
  });
  observer.observe(root, { subtree: true, childList: true, characterData: true });
  sync();
  return () => {
    observer.disconnect();
    const dropped = new Set([...sheets.values()].map((m) => m.sheet));
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => !dropped.has(s));
    sheets.clear();
  };
}

type SelectionRedraw = (start: [number, number] | undefined, end: [number, number] | undefined, columnSelectMode: boolean) => void;

/**
 * xterm refreshes the selection on every scroll, selection or not, and its DOM renderer then
 * redraws every row (xtermjs/xterm.js#4633, open): while output scrolls, each frame drew the
 * rows twice. Redraws from "no selection" to "no selection" are skipped here (a click to focus
 * the terminal leaves a zero-length selection, which is none). This reaches into
 * xterm's render service (not public API); where its shape differs (another xterm version), the
 * screen works as before, only slower, and answers false (the end-to-end test checks it).
 */
function skipEmptySelectionRedraws(terminal: Terminal): boolean {
  const service = (terminal as unknown as { _core?: { _renderService?: { handleSelectionChanged?: SelectionRedraw } } })._core?._renderService;
  const redraw = service?.handleSelectionChanged;
  if (!service || typeof redraw !== 'function') return false;
  let drawn = false;
  service.handleSelectionChanged = (start, end, columnSelectMode) => {
    // A click to focus leaves an anchor: start and end at one cell, nothing selected.
    const selected = start !== undefined && end !== undefined && (start[0] !== end[0] || start[1] !== end[1]);
    if (!selected && !drawn) return;
    drawn = selected;
    redraw.call(service, start, end, columnSelectMode);
  };
  return true;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.byteLength;
  }
  return joined;
}

/** One xterm with its addons, in an element of its own that the panel adopts and gives back. */
export class TerminalScreen {
  readonly element: HTMLDivElement;
  readonly terminal: Terminal;
  readonly search = new SearchAddon();
  private readonly fit = new FitAddon();
  private webgl: WebglAddon | undefined;
  private releaseStyles: () => void = () => {};
  private opened = false;
  renderer: RendererKind = 'dom';
  /** Whether redraws of an empty selection are skipped (see `skipEmptySelectionRedraws`). */
  selectionRedrawsSkipped = false;
  private markReady: () => void = () => {};
  /** Resolves once the shell has printed something and gone quiet (its prompt is up). */
  readonly ready: Promise<void> = new Promise<void>((resolve) => (this.markReady = resolve)).then(() => {
    this.isReady = true;
  });
  private isReady = false;
  private readyTimer: ReturnType<typeof setTimeout> | undefined;
  /** When xterm last drew the screen (performance.now()). */
  private lastFrameAt = 0;
  /** Frames are being held (synchronized output begun by us) until this timer ends it. */
  private holdTimer: ReturnType<typeof setTimeout> | undefined;
  /** The application uses synchronized output itself: the screen never injects it. */
  private appSyncs = false;
  /** Output received and not handed to xterm yet, with each batch's acknowledgement. */
  private readonly backlog: Array<{ data: Uint8Array; done: () => void }> = [];
  private backlogBytes = 0;
  /** Bytes handed to xterm and not parsed yet. */
  private feeding = 0;
  /** The user typed since the output last ran dry: a held frame is drawn as soon as it does. */
  private answerAwaited = false;

  constructor(
    private readonly callbacks: ScreenCallbacks,
    options: { readOnly?: boolean; cols?: number; rows?: number } = {},
  ) {
    this.element = document.createElement('div');
    this.element.className = 'terminal-screen';
    this.terminal = new Terminal({
      scrollback: SCROLLBACK_LINES,
      allowProposedApi: true,
      // The DOM renderer blinks the cursor with a CSS animation, and Chromium then runs a whole
      // frame 60 times a second: an echo waited behind those frames (p50 25 ms against 7 ms).
      // VS Code's terminal does not blink by default either.
      cursorBlink: false,
      disableStdin: options.readOnly ?? false,
      fontFamily: '"DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
      fontSize: 13,
      theme: THEME,
      ...(options.cols ? { cols: options.cols } : {}),
      ...(options.rows ? { rows: options.rows } : {}),
    });
    this.terminal.loadAddon(this.fit);
    this.terminal.loadAddon(this.search);
    this.terminal.loadAddon(new WebLinksAddon((event, uri) => {
      event.preventDefault();
      // Links open in a new browsing context the shell's policy decides on; never in this page.
      window.open(uri, '_blank', 'noopener,noreferrer');
    }));
    this.terminal.loadAddon(new Unicode11Addon());
    this.terminal.unicode.activeVersion = '11';
    this.terminal.onRender(() => (this.lastFrameAt = performance.now()));
    if (!options.readOnly) {
      this.terminal.onData((data) => {
        this.answerAwaited = true;
        const acks = data === '\x03' || data === '\x1c' ? this.interrupted() : undefined;
        callbacks.onInput(data, acks !== undefined);
        // Acknowledged after the interrupt went out (it is sent at once when no input is in
        // flight): acknowledged first, main would send the queue it is asked to drop.
        if (acks) for (const ack of acks) ack();
      });
      this.terminal.onResize(({ cols, rows }) => callbacks.onResize(cols, rows));
      // Ctrl+Shift+C / Ctrl+Shift+V copy and paste (plain Ctrl+C stays the shell's interrupt).
      this.terminal.attachCustomKeyEventHandler((event) => {
        if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
        if (event.code === 'KeyC') {
          const selection = this.terminal.getSelection();
          if (selection) void navigator.clipboard?.writeText(selection);
          return false;
        }
        if (event.code === 'KeyV') {
          void navigator.clipboard?.readText().then((text) => text && this.terminal.paste(text));
          return false;
        }
        return true;
      });
    }
  }

  /** Puts the screen into `container` (opening xterm the first time) and fits it. */
  mount(container: HTMLElement): void {
    container.appendChild(this.element);
    if (!this.opened) {
      this.opened = true;
      this.releaseStyles = mirrorStyleElements(this.element);
      this.terminal.open(this.element);
      this.selectionRedrawsSkipped = skipEmptySelectionRedraws(this.terminal);
      this.tryWebgl();
    }
    this.fitToContainer();
  }

  /** Takes the screen out of the page; it keeps receiving output. */
  unmount(): void {
    this.element.remove();
  }

  fitToContainer(): void {
    if (!this.opened || !this.element.isConnected) return;
    try {
      this.fit.fit();
    } catch {
      // not laid out yet
    }
  }

  /** Writes a batch of output; `done` runs once xterm has parsed it (the stream's acknowledgement). */
  write(chunks: Uint8Array[], done: () => void): void {
    const data = concat(chunks);
    this.backlog.push({ data, done });
    this.backlogBytes += data.byteLength;
    this.feed();
  }

  /**
   * Hands the backlog to xterm, keeping at most `FEED_AHEAD_BYTES` in its parser's queue (a big
   * batch goes in pieces; it is acknowledged once its last piece is parsed). xterm's write loop
   * takes what a callback writes in the same turn, so it never waits for the next piece.
   */
  private feed(): void {
    while (this.feeding < FEED_AHEAD_BYTES && this.backlog.length > 0) {
      const head = this.backlog[0]!;
      const room = FEED_AHEAD_BYTES - this.feeding;
      const last = head.data.byteLength <= room;
      const piece = last ? head.data : head.data.subarray(0, room);
      if (last) this.backlog.shift();
      else head.data = head.data.subarray(room);
      this.backlogBytes -= piece.byteLength;
      this.feeding += piece.byteLength;
      this.paceFrames(piece);
      this.terminal.write(piece, () => {
        this.feeding -= piece.byteLength;
        if (last) head.done();
        // The user typed (Ctrl-C, Enter) and everything received is parsed: the answer (a
        // prompt) may be next, so the held frame is drawn now rather than when the timer ends.
        if (this.answerAwaited && this.feeding === 0 && this.backlog.length === 0) {
          this.answerAwaited = false;
          this.releaseFrames();
        }
        // Until the prompt is up, each parsed batch pushes "ready" back (after that, nothing to do).
        if (!this.isReady) {
          clearTimeout(this.readyTimer);
          this.readyTimer = setTimeout(() => this.markReady(), 250);
        }
        this.feed();
      });
    }
  }

  /**
   * Ctrl-C (or Ctrl-\\) while a runaway stream's output is still queued here (`yes`, `cat` of a
   * big file): as the tty flushes its own output queue on an interrupt, the backlog is dropped
   * (and acknowledged), so the prompt shows at once instead of after seconds of parsing, and the
   * screen says how much was skipped. Not in the alternate screen (a full-screen program may
   * take Ctrl-C as a key and needs its frames) and not for a short backlog. Answers the dropped
   * batches' acknowledgements, for the caller to run once the interrupt is sent; undefined when
   * nothing was dropped.
   */
  private interrupted(): Array<() => void> | undefined {
    if (this.backlogBytes < FLUSH_BACKLOG_BYTES || this.terminal.buffer.active.type === 'alternate') return undefined;
    const skipped = this.backlogBytes;
    const acks = this.backlog.splice(0).map((item) => item.done);
    this.backlogBytes = 0;
    this.writeNotice(`[interrupted: ${Math.round(skipped / 1024).toLocaleString('en')} KiB of output not shown]`);
    return acks;
  }

  /**
   * Holds the screen's frames while output floods in: a big batch soon after the last frame
   * begins synchronized output, and a timer ends it `FLOOD_FRAME_MS` after that frame (or, once
   * the user has typed, when xterm runs out of output to parse), so xterm draws once with
   * everything parsed meanwhile. A keystroke's echo or a short answer after a
   * quiet moment is drawn on the next frame, as before.
   */
  private paceFrames(data: Uint8Array): void {
    if (this.appSyncs) return;
    if (includesBytes(data, SYNC_PREFIX)) {
      this.appSyncs = true;
      this.releaseFrames();
      return;
    }
    if (this.holdTimer !== undefined || data.byteLength < FLOOD_BATCH_BYTES) return;
    const sinceFrame = performance.now() - this.lastFrameAt;
    if (sinceFrame >= FLOOD_FRAME_MS) return;
    this.terminal.write(SYNC_BEGIN);
    this.holdTimer = setTimeout(() => this.releaseFrames(), FLOOD_FRAME_MS - sinceFrame);
  }

  private releaseFrames(): void {
    if (this.holdTimer === undefined) return;
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.terminal.write(SYNC_END);
  }

  writeNotice(text: string): void {
    this.terminal.write(`\r\n\x1b[2m${text}\x1b[0m\r\n`);
  }

  /** Pastes text as if the user pasted it (bracketed when the shell asked): it is not run. */
  paste(text: string): void {
    // Without bracketed paste a newline would run the line: continue it with a backslash instead,
    // so the last line still waits for the responder's Enter.
    const safe = this.terminal.modes.bracketedPasteMode ? text : text.replace(/\r?\n/g, ' \\\n');
    this.terminal.paste(safe);
    this.terminal.focus();
  }

  focus(): void {
    this.terminal.focus();
  }

  dispose(): void {
    clearTimeout(this.readyTimer);
    clearTimeout(this.holdTimer);
    this.markReady();
    this.webgl?.dispose();
    this.terminal.dispose();
    this.releaseStyles();
    this.element.remove();
  }

  private tryWebgl(): void {
    const software = softwareWebgl();
    if (software) {
      // WebGL drawn by the CPU (SwiftShader, llvmpipe: no GPU, or a blocklisted one) is far
      // slower than the DOM renderer: 0.6 MB/s against 5-8 MB/s of `cat` here.
      this.renderer = 'dom';
      this.callbacks.onRenderer?.(this.renderer);
      return;
    }
    try {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => {
        webgl.dispose();
        this.webgl = undefined;
        this.renderer = 'dom';
        this.callbacks.onRenderer?.('dom');
      });
      this.terminal.loadAddon(webgl);
      this.webgl = webgl;
      this.renderer = 'webgl';
    } catch {
      // No WebGL here (headless, blocked GPU): xterm's DOM renderer draws instead.
      this.renderer = 'dom';
    }
    this.callbacks.onRenderer?.(this.renderer);
  }
}

let softwareRenderer: string | false | undefined;
/**
 * The name of the software rasteriser behind WebGL (SwiftShader, llvmpipe), or false when WebGL
 * runs on a GPU or is missing (the addon then fails and the DOM renderer draws). Asked once.
 */
function softwareWebgl(): string | false {
  if (softwareRenderer !== undefined) return softwareRenderer;
  softwareRenderer = false;
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    const name = info ? String(gl!.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
    if (/swiftshader|llvmpipe|softpipe|software/i.test(name)) softwareRenderer = name;
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  } catch {
    // no WebGL: the addon's own failure decides
  }
  return softwareRenderer;
}

/** Every tab's screen, by session id. */
const screens = new Map<string, TerminalScreen>();

/**
 * What the screens show, for the benches and the end-to-end tests: with the WebGL renderer the
 * rows are pixels on a canvas, not DOM text. Read-only, and nothing the page does not show already.
 */
export interface TerminalProbe {
  /** The rows on screen of the newest tab, as text (trailing blanks trimmed). */
  rows(): string[];
  /** Calls `listener` after each frame the newest tab's renderer drew; answers an unsubscribe. */
  onRender(listener: () => void): () => void;
  renderer(): RendererKind | undefined;
  size(): { cols: number; rows: number } | undefined;
  /** Whether the newest tab skips xterm's redraws of an empty selection. */
  selectionRedrawsSkipped(): boolean;
}

const newest = () => [...screens.values()].at(-1);
const probe: TerminalProbe = {
  rows() {
    const terminal = newest()?.terminal;
    if (!terminal) return [];
    const buffer = terminal.buffer.active;
    const rows: string[] = [];
    for (let y = buffer.viewportY; y < buffer.viewportY + terminal.rows; y++) rows.push(buffer.getLine(y)?.translateToString(true) ?? '');
    return rows;
  },
  onRender(listener) {
    const subscription = newest()?.terminal.onRender(() => listener());
    return () => subscription?.dispose();
  },
  renderer: () => newest()?.renderer,
  size() {
    const terminal = newest()?.terminal;
    return terminal ? { cols: terminal.cols, rows: terminal.rows } : undefined;
  },
  selectionRedrawsSkipped: () => newest()?.selectionRedrawsSkipped ?? false,
};
(globalThis as { cockpitTerminalProbe?: TerminalProbe }).cockpitTerminalProbe = probe;

export const terminalScreens = {
  create(id: string, callbacks: ScreenCallbacks, options?: { readOnly?: boolean; cols?: number; rows?: number }): TerminalScreen {
    screens.get(id)?.dispose();
    const screen = new TerminalScreen(callbacks, options);
    screens.set(id, screen);
    return screen;
  },
  get: (id: string): TerminalScreen | undefined => screens.get(id),
  dispose(id: string): void {
    screens.get(id)?.dispose();
    screens.delete(id);
  },
};
