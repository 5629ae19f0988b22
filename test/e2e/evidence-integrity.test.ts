import { spawnSync } from 'node:child_process';
import { appendFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CockpitPage } from './pages/cockpit-page';
import { EvidencePage } from './pages/evidence-page';
import { screenshotter } from './support/artifacts';
import { webHostSession } from './support/with-cockpit';

const PASSPHRASE = 'integrity e2e passphrase';
const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImRyaWxsIn0.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50OmNvZGVzaWduIn0.c2lnbmF0dXJlLW9mLXRoZS1kcmlsbC10b2tlbi1mb3ItdGVzdHM';
const PASTE = [
  `2026-11-28T10:05:02Z DEBUG upstream call: Authorization: Bearer ${JWT}`,
  '2026-11-28T10:05:03Z ERROR db: could not connect to postgresql://codesign:s3cr3t-pw@db.codesign.svc:5432/designs',
].join('\n');

describe('web host: evidence feedback and integrity in the Evidence panel (issues 15 and 17)', () => {
  const session = webHostSession();

  it('says why a short passphrase is refused, what sealing redacted, the signing key, a working verify command and a cut tail', async () => {
    const { page } = session;
    const shoot = screenshotter(page, 'e2e-evidence-integrity');
    const cockpit = new CockpitPage(page);
    const evidence = new EvidencePage(page);
    await page.goto(session.host.url);

    await page.locator('.vault-gate').waitFor();
    await page.getByLabel('Passphrase', { exact: true }).fill('short');
    expect(await page.getByTestId('passphrase-hint').textContent()).toBe('A passphrase needs at least 8 characters: 3 more.');
    expect(await page.getByRole('button', { name: 'Create evidence store' }).isDisabled()).toBe(true);
    await shoot('01-short-passphrase');
    await cockpit.openEvidenceStore(PASSPHRASE);
    await cockpit.declareIncident('Design saves failing with 503', 'SEV2');

    await cockpit.openPanel('Evidence');
    await evidence.paste('api logs with secrets', PASTE);
    const sealed = (await page.getByTestId('sealed-notice').textContent()) ?? '';
    expect(sealed).toMatch(/2 secrets redacted \(/);
    expect(sealed).toMatch(/postgres/);
    expect(await page.content()).not.toContain('s3cr3t-pw');
    await shoot('02-sealed-what-was-redacted');

    expect(await evidence.verify()).toMatch(/^OK — \d+ records/);
    const fingerprint = (await page.getByTestId('installation-key').locator('code').textContent()) ?? '';
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);

    await page.getByLabel('Export passphrase (for the recipient)').fill('abc');
    expect(await page.getByTestId('export-passphrase-hint').textContent()).toContain('5 more');
    const file = await evidence.exportIncident('for-the-auditor-only');
    const command = (await page.getByTestId('verify-command').textContent()) ?? '';
    expect(command).toContain(file);
    expect(command).toContain(`--trust ${fingerprint}`);
    await page.getByTestId('verify-command').scrollIntoViewIfNeeded();
    await shoot('03-verify-command');
    // The command works exactly as shown.
    const verified = spawnSync('sh', ['-c', command], { input: 'for-the-auditor-only\n', encoding: 'utf8', timeout: 120_000 });
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^OK export of inc-/m);

    // A crash left half a record: after a restart the app cuts it and the panel says so.
    const dataDir = session.host.dataDir;
    const logs = path.join(dataDir, 'evidence', 'logs');
    const incident = (await readdir(logs)).find((n) => n.startsWith('inc-'))!;
    const restarted = await session.restart();
    await appendFile(path.join(logs, incident, 'records.log'), Buffer.from([0, 0, 2, 0, 7, 7, 7, 7, 7, 7, 7]));
    await page.goto(restarted.url);
    await cockpit.openEvidenceStore(PASSPHRASE);
    await cockpit.openPanel('Evidence');
    const verdict = await evidence.verify();
    expect(verdict).toMatch(/^Torn tail repaired/);
    const cut = (await page.getByTestId('cut-tails').textContent()) ?? '';
    expect(cut).toMatch(/1 torn tail cut from this log/);
    expect(cut).toMatch(/11 bytes after record #\d+/);
    await page.getByTestId('cut-tails').scrollIntoViewIfNeeded();
    await shoot('04-cut-tail');
  });
});
