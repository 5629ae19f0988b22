import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CockpitPage } from './pages/cockpit-page';
import { EvidencePage } from './pages/evidence-page';
import { PASSPHRASE } from './scenarios/incident-lifecycle';
import { screenshotter } from './support/artifacts';
import { webHostSession } from './support/with-cockpit';

const run = promisify(execFile);
/** A kubectl-style bearer token (a JWT) someone pastes with a log excerpt. */
const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImRyaWxsIn0.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50OmNvZGVzaWduIn0.c2lnbmF0dXJlLW9mLXRoZS1kcmlsbC10b2tlbi1mb3ItdGVzdHM';
const EXCERPT = [
  '2026-11-28T10:05:01Z ERROR [gunicorn] GET /api/v1/designs status=503 duration=2412ms',
  `2026-11-28T10:05:02Z DEBUG upstream call: Authorization: Bearer ${JWT}`,
  '2026-11-28T10:05:03Z CRITICAL connection pool exhausted (20/20 in use)',
].join('\n');
const EXPORT_PASSPHRASE = 'for-the-auditor-only';
const DRAFT = 'Pool exhausted at **10:05**; rolling restart next.';

describe('web host: notes and evidence live in the encrypted store', () => {
  const session = webHostSession();

  it('keeps a sealed note draft across a restart, redacts a pasted bearer token, and exports a file that verifies', async () => {
    const { page } = session;
    const shoot = screenshotter(page, 'e2e-evidence');
    const cockpit = new CockpitPage(page);
    const evidence = new EvidencePage(page);
    await page.goto(session.host.url);
    await cockpit.openEvidenceStore(PASSPHRASE);
    await cockpit.declareIncident('Design saves failing with 503', 'SEV2');

    await cockpit.newNote().fill(DRAFT);
    await cockpit.draftState().filter({ hasText: 'draft sealed' }).waitFor();
    expect(await cockpit.notes()).toEqual([]);
    await shoot('01-note-autosaved');

    await cockpit.openPanel('Evidence');
    await evidence.paste('codesign-api logs 10:05', EXCERPT);
    const detail = await evidence.openRecord('codesign-api logs 10:05');
    expect(detail).toContain('CRITICAL connection pool exhausted');
    expect(detail).not.toContain(JWT);
    expect(detail).toMatch(/\[REDACTED:[a-z0-9-]+\]/);
    expect(await page.content()).not.toContain(JWT);
    await shoot('02-evidence-redacted');

    expect(await evidence.verify()).toMatch(/^OK — \d+ records/);
    const exported = await evidence.exportIncident(EXPORT_PASSPHRASE);
    await shoot('03-exported');

    const root = path.resolve(import.meta.dirname, '..', '..');
    const fingerprint = (await page.getByTestId('installation-key').locator('code').textContent()) ?? '';
    const verify = await run(process.execPath, [path.join(root, 'out/main/evidence-cli.js'), 'verify', exported, '--trust', fingerprint], {
      env: { ...process.env, COCKPIT_EVIDENCE_PASSPHRASE: EXPORT_PASSPHRASE },
    });
    expect(verify.stdout).toMatch(/^OK export of inc-/);
    const bundle = await readFile(exported);
    expect(bundle.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    expect(bundle.includes(Buffer.from('connection pool exhausted'))).toBe(false);

    await page.goto((await session.restart()).url);
    await page.getByLabel('Passphrase', { exact: true }).fill('not the passphrase');
    await page.getByRole('button', { name: 'Unlock' }).click();
    expect(await page.getByTestId('vault-error').textContent()).toMatch(/passphrase/i);
    await shoot('04-wrong-passphrase');
    // A wrong passphrase makes the next attempt wait a second (rate limit, issue 14).
    await page.waitForTimeout(1100);
    await cockpit.openEvidenceStore(PASSPHRASE);
    await page.getByRole('link', { name: /Design saves failing with 503/ }).first().click();
    await expect.poll(() => cockpit.newNote().inputValue()).toBe(DRAFT);
    await page.getByRole('button', { name: 'Add note' }).click();
    const note = cockpit.note('Pool exhausted at 10:05; rolling restart next.');
    await note.waitFor();
    expect(await note.getByRole('strong').textContent()).toBe('10:05');
    const timeline = await cockpit.timelineTexts();
    expect(timeline.some((t) => t.startsWith('evidence.added: codesign-api logs 10:05'))).toBe(true);
    expect(timeline.some((t) => t.startsWith('evidence.exported'))).toBe(true);
    await shoot('05-after-restart');
  });
});
