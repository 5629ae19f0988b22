/**
 * Chromium driven over the DevTools protocol on its own pipe, with only the domains a bench asks
 * for. Playwright enables the Network domain on every page it drives, and Chromium then copies
 * each WebSocket frame's payload to it (base64, over the pipe): 50 MB of terminal output cost the
 * browser process and the bench's own process a fifth of a core each, on a 2-core machine, an
 * observer the product in Electron does not have. A bench that measures bytes over the page's
 * WebSocket drives its page with this instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

type Pending = { resolve(value: unknown): void; reject(error: Error): void; method: string };

export class CdpBrowser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(method: string, params: unknown, sessionId: string | undefined) => void>();
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const input = child.stdio[4] as Readable;
    let buffered = '';
    input.setEncoding('utf8');
    input.on('data', (text: string) => {
      buffered += text;
      for (let end = buffered.indexOf('\0'); end !== -1; end = buffered.indexOf('\0')) {
        const message = JSON.parse(buffered.slice(0, end)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: unknown; sessionId?: string };
        buffered = buffered.slice(end + 1);
        if (message.id !== undefined) {
          const waiter = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.error) waiter?.reject(new Error(`${waiter.method}: ${message.error.message}`));
          else waiter?.resolve(message.result);
        } else if (message.method) {
          for (const listener of this.listeners) listener(message.method, message.params, message.sessionId);
        }
      }
    });
    child.once('exit', () => {
      this.exited = true;
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${waiter.method}: Chromium exited`));
      this.pending.clear();
    });
  }

  /** Chromium at `executable` with `args` (the brief's flags), a fresh profile and a 1440x900 window. */
  static async launch(executable: string, args: string[]): Promise<CdpBrowser> {
    const profile = await mkdtemp(path.join(os.tmpdir(), 'cockpit-bench-chromium-'));
    const child = spawn(executable, [...args, '--remote-debugging-pipe', `--user-data-dir=${profile}`, '--window-size=1440,900', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    });
    const browser = new CdpBrowser(child, profile);
    await browser.send('Browser.getVersion');
    return browser;
  }

  send<T = unknown>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${method}: Chromium exited`));
    const id = this.nextId++;
    (this.child.stdio[3] as Writable).write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    return new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, method }));
  }

  onEvent(listener: (method: string, params: unknown, sessionId: string | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A new tab at `url`, attached with Runtime and Page only (no Network domain), once it has loaded. */
  async newPage(url: string): Promise<CdpPage> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    const page = new CdpPage(this, sessionId, targetId);
    await this.send('Page.enable', {}, sessionId);
    await this.send('Runtime.enable', {}, sessionId);
    const loaded = new Promise<void>((resolve) => {
      const off = this.onEvent((method, _params, from) => {
        if (from === sessionId && method === 'Page.loadEventFired') {
          off();
          resolve();
        }
      });
    });
    await this.send('Page.navigate', { url }, sessionId);
    await loaded;
    return page;
  }

  async close(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise((resolve) => this.child.once('exit', resolve));
      await this.send('Browser.close').catch(() => this.child.kill('SIGKILL'));
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      if (!this.exited) this.child.kill('SIGKILL');
    }
    await rm(this.profile, { recursive: true, force: true });
  }
}

/** The keys the benches press, as DevTools key events describe them. */
const KEYS: Record<string, { key: string; code: string; keyCode: number; text?: string; modifiers?: number }> = {
  Enter: { key: 'Enter', code: 'Enter', keyCode: 13, text: '\r' },
  Backspace: { key: 'Backspace', code: 'Backspace', keyCode: 8 },
  x: { key: 'x', code: 'KeyX', keyCode: 88, text: 'x' },
  'Control+C': { key: 'c', code: 'KeyC', keyCode: 67, modifiers: 2 },
  'Control+L': { key: 'l', code: 'KeyL', keyCode: 76, modifiers: 2 },
};

export class CdpPage {
  constructor(
    private readonly browser: CdpBrowser,
    readonly sessionId: string,
    private readonly targetId: string,
  ) {}

  send<T = unknown>(method: string, params: object = {}): Promise<T> {
    return this.browser.send<T>(method, params, this.sessionId);
  }

  /** The value of `expression` (awaited when it is a promise), or its exception as an Error. */
  async evaluate<T>(expression: string): Promise<T> {
    const answer = await this.send<{ result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    if (answer.exceptionDetails) throw new Error(answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text);
    return answer.result.value as T;
  }

  /** Polls `expression` until it is truthy, or fails naming `what` after `timeoutMs`. */
  async waitFor(expression: string, what: string, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(await this.evaluate<boolean>(`Boolean(${expression})`))) {
      if (Date.now() > until) throw new Error(`${what}: not seen within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Text as typed into the focused element (one input event, as an IME commits it). */
  async type(text: string): Promise<void> {
    await this.send('Input.insertText', { text });
  }

  async press(name: keyof typeof KEYS): Promise<void> {
    const key = KEYS[name]!;
    const common = { key: key.key, code: key.code, windowsVirtualKeyCode: key.keyCode, nativeVirtualKeyCode: key.keyCode, modifiers: key.modifiers ?? 0 };
    await this.send('Input.dispatchKeyEvent', { type: key.text ? 'keyDown' : 'rawKeyDown', ...common, ...(key.text ? { text: key.text, unmodifiedText: key.text } : {}) });
    await this.send('Input.dispatchKeyEvent', { type: 'keyUp', ...common });
  }

  async close(): Promise<void> {
    await this.browser.send('Target.closeTarget', { targetId: this.targetId }).catch(() => undefined);
  }
}
