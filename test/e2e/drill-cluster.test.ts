/**
 * The drill cluster in the Cluster panel, through the web host: it follows the drill live (a
 * scenario fixed from a shell with the runbook's command ends itself, saying how), a crash of the
 * drill's process is shown with a Restart that works, and Reset says what it resets.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { screenshotter } from './support/artifacts';
import { withCockpit } from './support/with-cockpit';

const run = promisify(execFile);

describe('web host: the drill cluster in the Cluster panel', () => {
  it('follows a scenario ended by a kubectl fix, shows a crash with Restart, and resets on request', async () => {
    await withCockpit({ hash: '#/cluster', env: { COCKPIT_DRILL_SPEED: '20' }, viewport: { width: 1280, height: 1000 } }, async (page, host) => {
      const shoot = screenshotter(page, 'e2e-web');
      const section = page.getByTestId('drill-section');
      await expect.poll(() => section.getAttribute('data-drill-state'), { timeout: 60_000 }).toBe('running');

      const toggle = page.locator('input[data-scenario="error-spike"]');
      await toggle.check();
      await expect.poll(() => page.getByTestId('scenario-error-spike').getAttribute('data-active')).toBe('true');
      const kubeconfig = `${host.dataDir}/drill/kubeconfig`;
      await run('kubectl', ['rollout', 'restart', 'deployment/codesign-api', '-n', 'codesign-production'], { env: { ...process.env, KUBECONFIG: kubeconfig } });
      // No reload, no click: the panel hears the drill end the scenario.
      const ended = page.getByTestId('scenario-error-spike').getByRole('status');
      await ended.waitFor({ timeout: 60_000 });
      expect(await ended.textContent()).toMatch(/Ended by itself at .*: rollout restart of deployment\/codesign-api, revision 5/);
      expect(await toggle.isChecked()).toBe(false);
      await shoot('10-drill-scenario-ended');

      const pidText = (await section.textContent()) ?? '';
      const pid = Number(/its own process, pid (\d+)/.exec(pidText)?.[1]);
      expect(pid).toBeGreaterThan(0);
      process.kill(pid, 'SIGKILL');
      const down = page.getByTestId('drill-down');
      await down.waitFor({ timeout: 30_000 });
      expect(await down.textContent()).toMatch(/The drill cluster crashed \(signal SIGKILL\).*killed by SIGKILL/);
      await shoot('11-drill-crashed');
      // The rest of the cockpit still answers.
      await page.goto(`${host.url}#/runbook`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.goto(`${host.url}#/cluster`);
      await page.getByRole('button', { name: 'Restart drill cluster' }).click();
      await expect.poll(() => section.getAttribute('data-drill-state'), { timeout: 60_000 }).toBe('running');
      expect(await page.getByTestId('drill-persistence').textContent()).toMatch(/kept from the last run/);

      await page.getByRole('button', { name: 'Reset drill cluster…' }).click();
      const confirm = page.getByRole('group', { name: 'Reset drill cluster' });
      expect(await confirm.textContent()).toMatch(/rollout history back to revision 4/);
      await shoot('12-drill-reset-confirm');
      await confirm.getByRole('button', { name: 'Reset', exact: true }).click();
      await expect.poll(async () => (await page.getByTestId('drill-persistence').textContent()) ?? '').toMatch(/Started from its seed/);
      const revision = await run(
        'kubectl',
        ['get', 'deployment', 'codesign-api', '-n', 'codesign-production', '-o', "jsonpath={.metadata.annotations['deployment\\.kubernetes\\.io/revision']}"],
        { env: { ...process.env, KUBECONFIG: kubeconfig } },
      );
      expect(revision.stdout).toBe('4');
    });
  });
});
