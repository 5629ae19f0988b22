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

export interface ScreenCallbacks {
  /** Keystrokes and pastes, as the terminal encodes them. */
  onInput(data: string): void;
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
  private markReady: () => void = () => {};
  /** Resolves once the shell has printed something and gone quiet (its prompt is up). */
  readonly ready: Promise<void> = new Promise((resolve) => (this.markReady = resolve));
  private readyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly callbacks: ScreenCallbacks,
    options: { readOnly?: boolean; cols?: number; rows?: number } = {},
  ) {
    this.element = document.createElement('div');
    this.element.className = 'terminal-screen';
    this.terminal = new Terminal({
      scrollback: SCROLLBACK_LINES,
      allowProposedApi: true,
      cursorBlink: !options.readOnly,
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
    if (!options.readOnly) {
      this.terminal.onData((data) => callbacks.onInput(data));
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
    this.terminal.write(concat(chunks), () => {
      done();
      clearTimeout(this.readyTimer);
      this.readyTimer = setTimeout(() => this.markReady(), 250);
    });
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
    this.markReady();
    this.webgl?.dispose();
    this.terminal.dispose();
    this.releaseStyles();
    this.element.remove();
  }

  private tryWebgl(): void {
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

/** Every tab's screen, by session id. */
const screens = new Map<string, TerminalScreen>();

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
