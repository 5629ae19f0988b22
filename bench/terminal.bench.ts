/**
 * Embedded terminal figures, through the real path: a shell in node-pty in the web host's main
 * process, the `terminal:output` byte stream over its WebSocket, the Terminal panel in Chromium,
 * and xterm. The raw-pty peer runs the same bytes through a pty in this process in the same run.
 * Chromium runs without WebGL so that xterm's DOM renderer draws and the screen can be watched.
 */
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn as spawnPty } from 'node-pty';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from '../test/e2e/support/browser';
import { startWebHost } from '../test/e2e/support/web-host-process';
import type { Report } from './report';

const TOTAL_BYTES = Number(process.env.BENCH_TERMINAL_MB ?? 50) * 1024 * 1024;
const ECHO_SAMPLES = Number(process.env.BENCH_TERMINAL_ECHOES ?? 100);
const PROMPT = 'oncall$';

/** `TOTAL_BYTES` of printable 100-byte lines, as a log file a responder would `cat`. */
async function writeFlood(file: string): Promise<void> {
  const line = 'GET /api/v1/designs/42/sign 200 12ms upstream=codesign-api-7d9f pool=12/20 trace=0af7651916cd43dd\n'.slice(0, 99) + '\n';
  const block = Buffer.from(line.repeat(10_000));
  const handle = await open(file, 'w');
  for (let written = 0; written < TOTAL_BYTES; written += block.length) await handle.write(block, 0, Math.min(block.length, TOTAL_BYTES - written));
  await handle.close();
}

/** The same bytes through a pty, read by this process and dropped. */
async function rawPtySeconds(file: string): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    let bytes = 0;
    const pty = spawnPty('/bin/cat', [file], { cols: 160, rows: 45, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    pty.onData((data) => (bytes += data.length));
    pty.onExit(() => {
      if (bytes < TOTAL_BYTES) console.warn(`raw pty: read ${bytes} of ${TOTAL_BYTES} bytes`);
      resolve((performance.now() - started) / 1000);
    });
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** The page-side watcher, as plain JavaScript (kept out of the TypeScript transform on purpose). */
const WATCHER = `(({ check, marker, prompt }) => new Promise((resolve) => {
  const screen = document.querySelector('[aria-label="Terminal screen"]');
  function rowsText() {
    return Array.from(screen.querySelectorAll('.xterm-rows > div')).map((r) => (r.textContent || '').replace(/\\u00a0/g, ' ').trimEnd());
  }
  let t0;
  function done() {
    const rows = rowsText();
    const filled = rows.filter((r) => r !== '');
    const last = filled[filled.length - 1] || '';
    if (check === 'echo') return last === prompt + ' x';
    if (check === 'marker') return rows.some((r) => r === marker);
    if (check === 'prompt') return last === prompt;
    return last === prompt && filled.some((r) => r.includes('^C'));
  }
  if (check === 'prompt' && done()) return resolve(0);
  const observer = new MutationObserver(() => {
    if ((t0 !== undefined || check === 'prompt') && done()) {
      observer.disconnect();
      resolve(performance.now() - (t0 ?? performance.now()));
    }
  });
  observer.observe(screen, { subtree: true, childList: true, characterData: true });
  document.addEventListener('keydown', () => { t0 = performance.now(); }, { capture: true, once: true });
}))`;

/**
 * Resolves with the milliseconds, measured in the page, from the next keydown until the
 * terminal screen shows what `check` waits for (checked on every DOM change).
 */
function armTimer(page: Page, check: 'echo' | 'ctrl-c' | 'marker', marker = ''): Promise<number> {
  return page.evaluate(`${WATCHER}(${JSON.stringify({ check, marker, prompt: PROMPT })})`) as Promise<number>;
}

async function waitForPrompt(page: Page): Promise<void> {
  await Promise.race([
    page.evaluate(`${WATCHER}(${JSON.stringify({ check: 'prompt', marker: '', prompt: PROMPT })})`),
    new Promise((_, reject) => setTimeout(() => reject(new Error('no prompt within 60 s')), 60_000)),
  ]);
}

export async function run(report: Report): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'cockpit-bench-terminal-'));
  const home = path.join(work, 'home');
  const flood = path.join(work, 'flood.log');
  await mkdir(home);
  await writeFile(path.join(home, '.bashrc'), `PS1='${PROMPT} '\n`);
  await writeFlood(flood);
  // Playwright's pipe does not keep Node alive while the page measures: this does.
  const keepAlive = setInterval(() => {}, 1000);
  const host = await startWebHost({ env: { HOME: home, SHELL: '/bin/bash', COCKPIT_DRILL: 'on' } });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-webgl', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('crash', () => console.error('terminal bench: the page crashed'));
    page.on('pageerror', (e) => console.error('terminal bench: page error', e.message));
    await page.goto(`${host.url}#/terminal`);
    await page.getByRole('button', { name: 'New terminal' }).click();
    await page.getByRole('region', { name: 'Terminal screen' }).click();
    await waitForPrompt(page);

    // Throughput: Enter to the marker line after 50 MB, every byte parsed by xterm on the way.
    const marker = 'flood-done-marker';
    await page.keyboard.type(`cat ${flood}; echo ${marker}`);
    const throughput = armTimer(page, 'marker', marker);
    await page.keyboard.press('Enter');
    const intoXterm = (await throughput) / 1000;
    await waitForPrompt(page);
    const raw = await rawPtySeconds(flood);
    const mb = TOTAL_BYTES / (1024 * 1024);
    report('terminal MB/s into xterm', mb / intoXterm, 'MB/s', `${mb} MB pty -> main -> renderer -> xterm write callback`);
    report('terminal MB/s raw pty', mb / raw, 'MB/s', 'the same bytes through a pty into nothing');
    report('terminal ratio vs raw pty', (mb / intoXterm) / (mb / raw), '', '>= 0.5');

    await page.keyboard.press('Control+L');
    await waitForPrompt(page);
    const echoes: number[] = [];
    for (let i = 0; i < ECHO_SAMPLES; i++) {
      const echoed = armTimer(page, 'echo');
      await page.keyboard.press('x');
      echoes.push(await echoed);
      await page.keyboard.press('Backspace');
      await waitForPrompt(page);
    }
    echoes.sort((a, b) => a - b);
    report('terminal echo p50', percentile(echoes, 50), 'ms', 'keystroke to echo on screen');
    report('terminal echo p99', percentile(echoes, 99), 'ms', '<= 30 ms');

    await page.keyboard.type('yes');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1500);
    const interrupted = armTimer(page, 'ctrl-c');
    await page.keyboard.press('Control+C');
    report('terminal ctrl-c during flood', await interrupted, 'ms', '<= 200 ms');
  } catch (error) {
    console.error('terminal bench failed:', error, host.output().slice(-3000));
    throw error;
  } finally {
    await browser.close();
    await host.stop();
    await rm(work, { recursive: true, force: true });
    clearInterval(keepAlive);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printReport } = await import('./report');
  await run(printReport);
}
