import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CockpitPage } from './pages/cockpit-page';
import { PASSPHRASE } from './scenarios/incident-lifecycle';
import { screenshotter } from './support/artifacts';
import { launchChromium } from './support/browser';
import { startWebHost, type RunningWebHost } from './support/web-host-process';
import type { Browser } from 'playwright-core';
import { spawn as spawnPty } from 'node-pty';

/** `asciinema cat file` (it reads /dev/tty, so it runs in a pty of its own): what it printed and its exit code. */
function asciinemaCat(file: string, home: string): Promise<{ output: string; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const child = spawnPty('asciinema', ['cat', file], { cols: 120, rows: 40, env: { ...process.env, HOME: home } as Record<string, string> });
    let output = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`asciinema cat did not finish within 30 s: ${output.slice(-500)}`));
    }, 30_000);
    child.onData((d) => (output += d));
    child.onExit(({ exitCode }) => {
      clearTimeout(timer);
      resolve({ output, exitCode });
    });
  });
}

/** The Terminal panel as a responder uses it, by roles and labels. */
class TerminalPage {
  constructor(readonly page: Page) {}

  screen(): Locator {
    return this.page.getByRole('region', { name: 'Terminal screen' });
  }

  /** What the active tab's screen shows now (xterm's rows, as text, without trailing blanks). */
  async text(): Promise<string> {
    return (await this.screen().innerText())
      .replace(/\u00a0/g, ' ')
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .trimEnd();
  }

  async waitForText(pattern: RegExp, timeout = 20_000): Promise<string> {
    let seen = '';
    try {
      await expect.poll(async () => pattern.test((seen = await this.text())), { timeout }).toBe(true);
    } catch {
      throw new Error(`the terminal did not show ${pattern}; it shows:\n${seen}`);
    }
    return seen;
  }

  async open(context: string): Promise<void> {
    await this.page.getByLabel('Context for the new terminal').selectOption(context);
    await this.page.getByRole('button', { name: 'New terminal' }).click();
    await this.screen().waitFor();
  }

  async type(text: string): Promise<void> {
    await this.screen().click();
    await this.page.keyboard.type(text, { delay: 5 });
  }

  status(): Locator {
    return this.page.getByLabel('Terminal status');
  }
}

describe('web host: the embedded terminal', () => {
  let host: RunningWebHost;
  let browser: Browser;
  let page: Page;
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'cockpit-e2e-home-'));
    // A known prompt, and no user startup file to override KUBECONFIG.
    await writeFile(path.join(home, '.bashrc'), "PS1='oncall$ '\n");
    host = await startWebHost({ env: { HOME: home, SHELL: '/bin/bash' } });
    // Chromium's WebGL here is SwiftShader (no GPU): the panel declines it for the DOM renderer,
    // whose rows are text the test can read.
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('draws a flood at a paced frame rate, lets Ctrl-C through at once, and leaves an application’s own synchronized output alone', async () => {
    const terminal = new TerminalPage(page);
    await page.goto(`${host.url}#/terminal`);
    await terminal.open('drill');
    await terminal.waitForText(/^oncall\$$/m);
    const probe = <T,>(expression: string) => page.evaluate(`cockpitTerminalProbe.${expression}`) as Promise<T>;
    // xterm's empty-selection redraws are skipped (the hook into xterm still fits this version).
    expect(await probe<boolean>('selectionRedrawsSkipped()')).toBe(true);
    expect(await probe<string>('renderer()')).toBe('dom');

    // A flood is drawn while it runs (frames held, then released) and its end is on screen.
    let frames = 0;
    await page.exposeFunction('__countFrame', () => frames++);
    await page.evaluate('cockpitTerminalProbe.onRender(() => window.__countFrame())');
    await terminal.type('seq 1 400000; echo flood-done-$((6*7))\n');
    await terminal.waitForText(/^flood-done-42$/m, 60_000);
    expect(await terminal.text()).toMatch(/^400000$/m);
    expect(frames).toBeGreaterThan(1);

    // Ctrl-C during `yes`: the prompt comes back (what the screen had not parsed is dropped).
    await terminal.type('yes\n');
    await terminal.waitForText(/^y$/m);
    await page.waitForTimeout(1000);
    await page.keyboard.press('Control+C');
    await terminal.waitForText(/\^C(\n.*)?\noncall\$$/, 30_000);

    // An application's own synchronized output (DEC mode 2026) is shown once it ends it.
    await terminal.type("clear; printf '\\033[?2026hsynced-%s\\033[?2026l\\n' $((6*7))\n");
    await terminal.waitForText(/^synced-42$/m);
  });

  it('runs kubectl against the drill context, pastes a runbook snippet without running it, and records into the evidence for replay', async () => {
    const shoot = screenshotter(page, 'e2e-terminal');
    const cockpit = new CockpitPage(page);
    const terminal = new TerminalPage(page);
    await page.goto(host.url);
    await cockpit.openEvidenceStore(PASSPHRASE);
    await cockpit.declareIncident('API latency over 5 s', 'SEV2');

    await cockpit.openPanel('Terminal');
    await terminal.open('drill');
    await terminal.waitForText(/^oncall\$$/m);
    await terminal.type('kubectl get pods -n codesign-production\n');
    const pods = await terminal.waitForText(/codesign-api-\S+\s+1\/1\s+Running[\s\S]*oncall\$/);
    expect(pods).toMatch(/NAME\s+READY\s+STATUS/);
    expect(pods).toMatch(/postgres-0\s+1\/1\s+Running/);
    expect(await terminal.status().textContent()).toMatch(/\/bin\/bash · pid \d+ · \d+×\d+ · DOM renderer/);
    expect(await page.getByLabel('Tunnel variables').textContent()).toMatch(/No tunnel of drill was open when this shell started/);
    await shoot('01-kubectl-get-pods');

    // A narrower window: xterm refits, and the pty hears the new size (main reports it back).
    const size = async () => /· (\d+)×(\d+) ·/.exec((await terminal.status().textContent()) ?? '')?.slice(1) ?? [];
    const [colsBefore] = await size();
    await page.setViewportSize({ width: 1100, height: 800 });
    await expect.poll(async () => (await size())[0], { timeout: 10_000 }).not.toBe(colsBefore);
    const [cols, rows] = await size();
    await terminal.type('clear; stty size\n');
    await terminal.waitForText(new RegExp(`^${rows} ${cols}$`, 'm'));
    await page.setViewportSize({ width: 1440, height: 900 });

    // Recording: start, type, stop; the cast is sealed into the incident's evidence.
    await page.getByRole('button', { name: 'Record', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /recording into inc-/ }).waitFor();
    await terminal.type('echo recorded-$((6*7))\n');
    await terminal.waitForText(/^recorded-42$/m);
    await page.getByRole('button', { name: 'Stop recording' }).click();
    const sealed = page.getByRole('status').filter({ hasText: /Sealed terminal-drill-.*\.cast as evidence #\d+/ });
    await sealed.waitFor();
    await shoot('02-recording-sealed');

    // A runbook host command: pasted, not run.
    await cockpit.openPanel('Runbook');
    await page.getByRole('navigation', { name: 'Runbook sections' }).getByRole('link', { name: 'Daily, weekly, monthly checks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Routine operations' }).waitFor();
    const step = cockpit.runbookStep('Review storage usage trends (disk)');
    await step.getByRole('button', { name: 'Open in terminal' }).click();
    await terminal.screen().waitFor();
    const pasted = await terminal.waitForText(/oncall\$ df -h$/);
    await page.waitForTimeout(800);
    expect(await terminal.text()).toBe(pasted);
    expect(pasted).not.toMatch(/Filesystem\s+Size/);
    await shoot('03-snippet-pasted-not-run');
    await terminal.type('\n');
    await terminal.waitForText(/Filesystem\s+Size/);

    // The appendix aliases load into the tab (pasted; the responder's Enter defines them).
    await page.getByRole('button', { name: 'Paste runbook aliases' }).click();
    await terminal.waitForText(/alias health-check='kubectl get pods -n codesign-production && kubectl top nodes'/);
    await terminal.type('\nclear; type health-check\n');
    await terminal.waitForText(/health-check is aliased to `kubectl get pods -n codesign-production && kubectl top nodes'/);
    await shoot('04-aliases-loaded');

    // A second tab, its own shell; its exit code is shown.
    await terminal.open('drill');
    await expect.poll(() => page.getByRole('tab').count()).toBe(2);
    await terminal.waitForText(/^oncall\$$/m);
    await terminal.type('exit 3\n');
    await page.getByRole('status').filter({ hasText: 'exited with code 3' }).waitFor();
    await page.getByRole('tab', { name: /\(exit 3\)/ }).waitFor();
    await shoot('05-second-tab-exit-code');
    await page.getByRole('button', { name: /^Close drill/ }).last().click();
    await expect.poll(() => page.getByRole('tab').count()).toBe(1);

    // The recording is in the Evidence panel and replays in the app's player.
    await cockpit.openPanel('Evidence');
    const row = page.getByRole('row').filter({ hasText: /terminal-drill-.*\.cast/ });
    await row.waitFor();
    await shoot('06-recording-in-evidence');
    await row.getByRole('button', { name: 'Replay' }).click();
    const player = page.getByRole('region', { name: /^Recording terminal-drill-/ });
    await player.waitFor();
    await page.getByLabel('Speed').selectOption('8');
    await expect
      .poll(async () => (await page.getByRole('region', { name: 'Recording screen' }).innerText()).replace(/\u00a0/g, ' '), { timeout: 20_000 })
      .toMatch(/recorded-42/);
    await shoot('07-recording-replayed');

    // Pause, seek back to the start (the screen is replayed from nothing), play again.
    const position = page.getByLabel('Position');
    await expect.poll(async () => player.getByRole('button', { name: 'Play', exact: true }).count(), { timeout: 20_000 }).toBe(1);
    await page.getByLabel('Seek').fill('0');
    await expect.poll(async () => (await position.textContent())?.startsWith('0.0 /')).toBe(true);
    expect((await page.getByRole('region', { name: 'Recording screen' }).innerText()).replace(/\u00a0/g, ' ')).not.toMatch(/recorded-42/);
    // Seek to the end: the whole session is on the screen again.
    const end = (await page.getByLabel('Seek').getAttribute('max'))!;
    await page.getByLabel('Seek').fill(end);
    await expect.poll(async () => (await page.getByRole('region', { name: 'Recording screen' }).innerText()).replace(/\u00a0/g, ' ')).toMatch(/recorded-42/);
    await shoot('08-player-seeked-to-end');
    // Play from the end starts over; Pause holds it.
    await player.getByRole('button', { name: 'Play', exact: true }).click();
    await player.getByRole('button', { name: 'Pause', exact: true }).click();
    await player.getByRole('button', { name: 'Play', exact: true }).waitFor();

    // Export as .cast: Debian's asciinema prints the session.
    const download = page.waitForEvent('download');
    await player.getByRole('button', { name: 'Export .cast' }).click();
    const saved = path.join(home, (await download).suggestedFilename());
    await (await download).saveAs(saved);
    expect(saved).toMatch(/terminal-drill-.*\.cast$/);
    expect(JSON.parse((await readFile(saved, 'utf8')).split('\n')[0]!)).toMatchObject({ version: 2, env: { TERM: 'xterm-256color' } });
    const { output, exitCode } = await asciinemaCat(saved, home);
    expect(exitCode).toBe(0);
    expect(output).toContain('recorded-42');
  });
});
