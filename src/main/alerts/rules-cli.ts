/**
 * `npm run alerts:rules [-- --check]`: writes resources/prometheus/codesign-alerts.yml from the
 * bundled runbook's threshold table (or, with `--check`, exits 1 when the committed file differs).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderAlertRules } from '../../shared/alerts/rules';
import { loadRunbookFile } from '../runbook/loader';

export const RUNBOOK_FILE = path.resolve('resources/runbooks/codesign-playground.yaml');
export const RULES_FILE = path.resolve('resources/prometheus/codesign-alerts.yml');

async function main(): Promise<void> {
  const runbook = await loadRunbookFile(RUNBOOK_FILE);
  const text = renderAlertRules(runbook);
  if (process.argv.includes('--check')) {
    const committed = await readFile(RULES_FILE, 'utf8').catch(() => '');
    if (committed !== text) {
      process.stderr.write(`${RULES_FILE} differs from what the runbook generates: run npm run alerts:rules\n`);
      process.exit(1);
    }
    process.stdout.write(`${RULES_FILE} is up to date\n`);
    return;
  }
  await writeFile(RULES_FILE, text);
  process.stdout.write(`wrote ${RULES_FILE}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
