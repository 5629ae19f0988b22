/**
 * Embedded terminal figures, through the real path: a shell in node-pty in the web host's main
 * process, the `terminal:output` byte stream over its WebSocket, the Terminal panel in Chromium,
 * and xterm. The raw-pty peer runs the same bytes through a pty in this process in the same run.
 * Chromium runs with the brief's flags; its WebGL is SwiftShader (no GPU), which the panel
 * declines for the DOM renderer. `BENCH_TERMINAL_RENDERER=dom` takes WebGL away altogether. The
 * screen is watched through the page's terminal probe (the rows xterm drew, after each frame).
 */
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { spawn as spawnPty } from 'node-pty';
import { CHROMIUM_PATH } from '../test/e2e/support/browser';
import { startWebHost } from '../test/e2e/support/web-host-process';
import { CdpBrowser, type CdpPage } from './cdp-browser';
import { startPageProfile } from './page-profile';
import type { Report } from './report';
import { median, percentile } from './stats';

const TOTAL_BYTES = Number(process.env.BENCH_TERMINAL_MB ?? 50) * 1024 * 1024;
const ECHO_SAMPLES = Number(process.env.BENCH_TERMINAL_ECHOES ?? 100);
/** Flood rounds, each followed by the raw-pty peer. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_TERMINAL_ROUNDS ?? 5));
const PROMPT = 'oncall$';

/** A log line a responder would `cat`: exactly 100 bytes with its newline. */
const FLOOD_LINE = 'GET /api/v1/designs/42/sign 200 12ms upstream=codesign-api-7d9f pool=12/20 trace=0af7651916cd43dd'.padEnd(99, ' ').slice(0, 99) + '\n';

/**
 * `TOTAL_BYTES` of whole lines (the last one ends with its newline: a cut line would carry the
 * marker echoed after it, and the marker would never stand on a row of its own).
 */
async function writeFlood(file: string): Promise<number> {
  const lines = Math.floor(TOTAL_BYTES / FLOOD_LINE.length);
  const block = Buffer.from(FLOOD_LINE.repeat(10_000));
  const handle = await open(file, 'w');
  for (let left = lines; left > 0; left -= 10_000) await handle.write(block, 0, Math.min(10_000, left) * FLOOD_LINE.length);
  await handle.close();
  return lines * FLOOD_LINE.length;
}

/** The same bytes through a pty, read by this process and dropped (the peer: no IPC, no xterm). */
async function rawPtySeconds(file: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let read = 0;
    const pty = spawnPty('/bin/cat', [file], { cols: 160, rows: 45, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    const timer = setTimeout(() => {
      pty.kill('SIGKILL');
      reject(new Error(`raw pty: read ${read} of ${bytes} bytes within ${STEP_TIMEOUT_MS / 1000} s`));
    }, STEP_TIMEOUT_MS);
    pty.onData((data) => (read += data.length));
    pty.onExit(() => {
      clearTimeout(timer);
      // The pty turns each \n into \r\n: one more byte a line.
      if (read < bytes) reject(new Error(`raw pty: read ${read} of ${bytes} bytes`));
      else resolve((performance.now() - started) / 1000);
    });
  });
}

/**
 * The ceiling: xterm alone parsing the same lines in the same Chromium (a page of its own with
 * xterm's own bundle, the panel's options and size), no pty, no main process, no socket, and
 * synchronized output on so that no frame is drawn meanwhile. Answers MB/s.
 */
async function xtermAloneMBps(browser: CdpBrowser, bytes: number, cols: number, rows: number): Promise<number> {
  const require = createRequire(import.meta.url);
  const files: Record<string, string> = {
    '/xterm.js': await readFile(require.resolve('@xterm/xterm/lib/xterm.js'), 'utf8'),
    '/unicode11.js': await readFile(require.resolve('@xterm/addon-unicode11/lib/addon-unicode11.js'), 'utf8'),
    '/': '<!doctype html><div id="t" style="width:1200px;height:800px"></div><script src="/xterm.js"></script><script src="/unicode11.js"></script>',
  };
  const server = http.createServer((req, res) => {
    const body = files[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200, { 'Content-Type': req.url === '/' ? 'text/html' : 'text/javascript' });
    res.end(body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const page = await browser.newPage(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
  try {
    const seconds = (await page.evaluate(
      `(async ({ line, bytes, cols, rows }) => {
        const term = new Terminal({ scrollback: 10000, cols, rows, allowProposedApi: true, fontFamily: 'DejaVu Sans Mono', fontSize: 13 });
        term.loadAddon(new Unicode11Addon.Unicode11Addon());
        term.unicode.activeVersion = '11';
        term.open(document.getElementById('t'));
        const chunk = new TextEncoder().encode(line.replace('\\n', '\\r\\n').repeat(600));
        const started = performance.now();
        term.write('\\x1b[?2026h');
        let written = 0;
        while (written < bytes) {
          await new Promise((resolve) => { for (let i = 0; i < 16 && written < bytes; i++) { written += chunk.length; term.write(chunk, i === 15 || written >= bytes ? resolve : undefined); } });
        }
        term.write('\\x1b[?2026l');
        return (performance.now() - started) / 1000;
      })(${JSON.stringify({ line: FLOOD_LINE, bytes, cols, rows })})`,
    )) as number;
    return bytes / (1024 * 1024) / seconds;
  } finally {
    await page.close();
    server.close();
  }
}


type Check = 'echo' | 'ctrl-c' | 'marker' | 'prompt';

/**
 * The page-side watcher, as plain JavaScript (kept out of the TypeScript transform on purpose).
 * Installed before the key is pressed (key events and evaluations travel separately, so a
 * watcher sent with the key may miss its keydown); `window.__terminalBenchWatch` then answers
 * `{ ms }` from that keydown (or from arming, for `prompt`) until the screen shows what `check`
 * waits for, checked on every DOM change; or `{ timeout, rows }` after `timeoutMs`.
 */
const WATCHER = `(({ check, marker, prompt, timeoutMs }) => {
  window.__terminalBenchWatch = new Promise((resolve) => {
    const probe = window.cockpitTerminalProbe;
    if (!probe || !document.querySelector('[aria-label="Terminal screen"]')) return resolve({ timeout: true, rows: ['(no terminal screen on the page)'] });
    const rowsText = () => probe.rows().map((r) => r.trimEnd());
    let t0 = check === 'prompt' ? performance.now() : undefined;
    function done() {
      const rows = rowsText();
      const filled = rows.filter((r) => r !== '');
      const last = filled[filled.length - 1] || '';
      if (check === 'echo') return last === prompt + ' x';
      if (check === 'marker') return rows.some((r) => r === marker);
      if (check === 'prompt') return last === prompt;
      return last === prompt && filled.some((r) => r.includes('^C'));
    }
    const unsubscribe = probe.onRender(() => {
      if (t0 !== undefined && done()) finish({ ms: performance.now() - t0 });
    });
    const timer = setTimeout(() => finish({ timeout: true, rows: rowsText().filter((r) => r !== '').slice(-5) }), timeoutMs);
    function onKey() { t0 = performance.now(); }
    function finish(result) {
      unsubscribe();
      clearTimeout(timer);
      document.removeEventListener('keydown', onKey, { capture: true });
      resolve({ ...result, renderer: probe.renderer() });
    }
    if (check !== 'prompt') document.addEventListener('keydown', onKey, { capture: true, once: true });
    if (check === 'prompt' && done()) return finish({ ms: 0 });
  });
})`;

/** No step of this bench takes longer than this on a healthy run; past it the step fails, named. */
const STEP_TIMEOUT_MS = Number(process.env.BENCH_TERMINAL_STEP_TIMEOUT_MS ?? 120_000);

/**
 * Arms the page's watcher for `check` and answers a function whose promise gives the
 * milliseconds from the next keydown, or rejects naming the step and what the screen showed.
 */
async function armTimer(page: CdpPage, step: string, check: Check, options: { marker?: string; timeoutMs?: number } = {}): Promise<() => Promise<number>> {
  const timeoutMs = options.timeoutMs ?? STEP_TIMEOUT_MS;
  await page.evaluate(`${WATCHER}(${JSON.stringify({ check, marker: options.marker ?? '', prompt: PROMPT, timeoutMs })})`);
  const watched = page.evaluate('window.__terminalBenchWatch') as Promise<{ ms?: number; timeout?: boolean; rows?: string[] }>;
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    // A page that stops answering (hung renderer) is caught here, a little after the page's own timeout.
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${step}: the page did not answer within ${(timeoutMs + 10_000) / 1000} s`)), timeoutMs + 10_000);
    });
    try {
      const result = await Promise.race([watched, stalled]);
      if (result.ms !== undefined) return result.ms;
      throw new Error(`${step}: not seen within ${timeoutMs / 1000} s; the screen's last rows: ${JSON.stringify(result.rows ?? [])}`);
    } finally {
      clearTimeout(timer);
    }
  };
}

async function waitForPrompt(page: CdpPage, step: string): Promise<void> {
  await (await armTimer(page, `${step} (waiting for the prompt)`, 'prompt', { timeoutMs: 60_000 }))();
}

export async function run(report: Report): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'cockpit-bench-terminal-'));
  const home = path.join(work, 'home');
  const flood = path.join(work, 'flood.log');
  await mkdir(home);
  await writeFile(path.join(home, '.bashrc'), `PS1='${PROMPT} '\n`);
  const floodBytes = await writeFlood(flood);
  // The DevTools pipe does not keep Node alive while the page measures: this does.
  const keepAlive = setInterval(() => {}, 1000);
  const host = await startWebHost({ env: { HOME: home, SHELL: '/bin/bash', COCKPIT_DRILL: 'on' } });
  // Driven over a DevTools pipe of its own, not Playwright's (see cdp-browser.ts: Playwright would
  // receive a copy of every byte of the flood).
  const browser = await CdpBrowser.launch(CHROMIUM_PATH, [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    ...(process.env.BENCH_TERMINAL_RENDERER === 'dom' ? ['--disable-webgl'] : []),
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ]);
  const offEvents = browser.onEvent((method, params) => {
    if (method === 'Inspector.targetCrashed') console.error('terminal bench: the page crashed');
    if (method === 'Runtime.exceptionThrown') console.error('terminal bench: page error', (params as { exceptionDetails?: { exception?: { description?: string } } }).exceptionDetails?.exception?.description);
  });
  try {
    const page = await browser.newPage(`${host.url}#/terminal`);
    const newTerminal = `[...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'New terminal')`;
    await page.waitFor(`${newTerminal} && !${newTerminal}.disabled`, 'the New terminal button');
    await page.evaluate(`${newTerminal}.click()`);
    const input = `document.querySelector('[aria-label="Terminal screen"] textarea')`;
    await page.waitFor(input, 'the terminal screen');
    await page.evaluate(`${input}.focus()`);
    await waitForPrompt(page, 'the first prompt');
    const drawn = (await page.evaluate('({ renderer: cockpitTerminalProbe.renderer(), skipped: cockpitTerminalProbe.selectionRedrawsSkipped() })')) as { renderer: string; skipped: boolean };
    const how = `${drawn.renderer} renderer${drawn.skipped ? '' : ', empty-selection redraws NOT skipped'}`;

    // Throughput: Enter to the marker line after the flood, every byte parsed by xterm on the
    // way. The shell computes the marker, so the command line itself never matches it. Rounds of
    // the flood and the raw-pty peer take turns (a raw pty alone swings 26-53 MB/s from one run
    // to the next here); each round's ratio is taken from its own pair, and the medians reported.
    const mb = floodBytes / (1024 * 1024);
    const rounds: Array<{ into: number; raw: number }> = [];
    // BENCH_TERMINAL_PROF=<dir>: the page's CPU profile over the first flood, and its time by kind (stderr).
    const profDir = process.env.BENCH_TERMINAL_PROF;
    for (let round = 0; round < ROUNDS; round++) {
      await page.press('Control+L');
      await waitForPrompt(page, `before flood ${round + 1}`);
      await page.type(`cat ${flood}; echo flood-done-$((6*7))`);
      const throughput = await armTimer(page, `cat of ${(floodBytes / 1e6).toFixed(0)} MB`, 'marker', { marker: 'flood-done-42' });
      const stopProfile = profDir !== undefined && round === Number(process.env.BENCH_TERMINAL_PROF_ROUND ?? 0) ? await startPageProfile((method, params) => page.send(method, params), profDir, 'terminal-page') : undefined;
      await page.press('Enter');
      const intoXterm = (await throughput()) / 1000;
      await stopProfile?.(`the flood (${intoXterm.toFixed(1)} s)`);
      await waitForPrompt(page, `after flood ${round + 1}`);
      rounds.push({ into: mb / intoXterm, raw: mb / (await rawPtySeconds(flood, floodBytes)) });
    }
    const list = (values: number[]) => values.map((v) => v.toFixed(1)).join(', ');
    const intoRates = rounds.map((r) => r.into);
    const into = median(intoRates);
    report('terminal MB/s into xterm', into, 'MB/s', `${mb.toFixed(0)} MB pty -> main -> renderer -> xterm write callback; ${how}; median of ${ROUNDS} rounds (${list(intoRates)})`);
    report('terminal MB/s raw pty', median(rounds.map((r) => r.raw)), 'MB/s', `the same bytes through a pty into nothing, after each flood (${list(rounds.map((r) => r.raw))})`);
    report('terminal ratio vs raw pty', median(rounds.map((r) => r.into / r.raw)), '', `>= 0.5; median of the rounds' own ratios (${rounds.map((r) => (r.into / r.raw).toFixed(2)).join(', ')})`);
    const size = (await page.evaluate('cockpitTerminalProbe.size()')) as { cols: number; rows: number };
    const alone = await xtermAloneMBps(browser, floodBytes, size.cols, size.rows);
    report('terminal MB/s xterm alone', alone, 'MB/s', `the ceiling: xterm parsing the same bytes in this Chromium with no pty, main or socket and no frames drawn; into xterm is ${((into / alone) * 100).toFixed(0)}% of it`);

    await page.press('Control+L');
    await waitForPrompt(page, 'after clearing the screen');
    // Each keystroke after a pause of a typist's cadence (40-160 ms, at random). Pressed the
    // moment the last echo was drawn, every key lands a few ms after a frame and its echo waits
    // for nearly all of the next one: that phase-locked case is measured too, and said.
    const echoSamples = async (count: number, pause: boolean) => {
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        if (pause) await new Promise((resolve) => setTimeout(resolve, 40 + Math.random() * 120));
        const echoed = await armTimer(page, `echo ${i + 1}`, 'echo', { timeoutMs: 10_000 });
        await page.press('x');
        samples.push(await echoed());
        await page.press('Backspace');
        await waitForPrompt(page, `echo ${i + 1}`);
      }
      return samples;
    };
    const echoes = await echoSamples(ECHO_SAMPLES, true);
    const locked = await echoSamples(Math.ceil(ECHO_SAMPLES / 4), false);
    const lockedNote = `keys pressed the moment the last echo was drawn (in phase with the frames): p50 ${percentile(locked, 50).toFixed(1)}, p99 ${percentile(locked, 99).toFixed(1)} ms`;
    report('terminal echo p50', percentile(echoes, 50), 'ms', `keystroke to echo on screen, ${ECHO_SAMPLES} keys at a typist's cadence (40-160 ms apart)`);
    report('terminal echo p99', percentile(echoes, 99), 'ms', `<= 30 ms; ${lockedNote}`);

    await page.type('yes');
    await page.press('Enter');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const interrupted = await armTimer(page, 'Ctrl-C during yes', 'ctrl-c', { timeoutMs: 30_000 });
    await page.press('Control+C');
    report('terminal ctrl-c during flood', await interrupted(), 'ms', '<= 200 ms');
  } catch (error) {
    console.error('terminal bench failed:', error instanceof Error ? error.message : error, '\nweb host output:\n', host.output().slice(-3000));
    throw error;
  } finally {
    const bounded = (what: string, step: Promise<unknown>) =>
      Promise.race([step, new Promise((resolve) => setTimeout(resolve, 15_000).unref()).then(() => console.error(`terminal bench: ${what} did not finish within 15 s`))]);
    offEvents();
    await bounded('closing Chromium', browser.close());
    await bounded('stopping the web host', host.stop());
    await rm(work, { recursive: true, force: true });
    clearInterval(keepAlive);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printReport } = await import('./report');
  await run(printReport);
}
