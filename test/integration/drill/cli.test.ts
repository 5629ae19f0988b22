/**
 * `npm run drill` on its own: `--help` lists the scenarios, `--scenario NAME` (repeatable)
 * switches them on at start, the printed KUBECONFIG line works with the real kubectl, the control
 * API answers with the token it wrote, and SIGTERM stops it cleanly.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIO_NAMES } from '../../../packages/drill-cluster/src/protocol';
import { KubectlHarness } from './kubectl-harness';

const CLI = path.resolve(import.meta.dirname, '../../../packages/drill-cluster/src/cli.ts');

function runCli(args: string[]): { output: () => string; exited: Promise<number | null>; kill: (signal: NodeJS.Signals) => void; waitFor: (re: RegExp) => Promise<RegExpExecArray> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const wake of [...waiters]) wake();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    kill: (signal) => child.kill(signal),
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = re.exec(output);
          if (!match) return;
          waiters.delete(check);
          resolve(match);
        };
        waiters.add(check);
        void exited.then((code) => reject(new Error(`the drill CLI exited (${code}) before printing ${re}:\n${output}`)));
        check();
      }),
  };
}

describe('npm run drill', () => {
  it('lists every scenario in --help', async () => {
    const cli = runCli(['--help']);
    expect(await cli.exited).toBe(0);
    for (const name of SCENARIO_NAMES) expect(cli.output()).toMatch(new RegExp(`^\\s+${name}\\s+\\S`, 'm'));
    expect(cli.output()).toContain('--scenario NAME');
  });

  it('refuses an unknown scenario, naming the known ones', async () => {
    const cli = runCli(['--scenario', 'meteor-strike', '--postgres', 'none', '--redis', 'none']);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain('drill: --scenario: unknown scenario "meteor-strike"; known: high-latency, error-spike');
  });

  it('starts with the scenarios asked for, serves kubectl and its control API, and stops on SIGTERM', async () => {
    const cli = runCli(['--scenario', 'bad-deploy', '--scenario', 'auth-failure-burst', '--postgres', 'none', '--redis', 'none']);
    try {
      const [, kubeconfigPath] = await cli.waitFor(/^ {2}KUBECONFIG=(\S+) kubectl get pods -n codesign-production$/m);
      expect(cli.output()).toContain('Scenarios on: bad-deploy, auth-failure-burst');
      const kubectl = await KubectlHarness.create(await readFile(kubeconfigPath as string, 'utf8'));
      try {
        const image = await kubectl.run(['get', 'deployment', 'codesign-api', '-n', 'codesign-production', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
        expect(image.stdout).toBe('codesign-playground:v2.1.0-bad');
      } finally {
        await kubectl.dispose();
      }
      const [, controlUrl] = await cli.waitFor(/Control API: (http:\/\/127\.0\.0\.1:\d+)/);
      const token = (await readFile(`${kubeconfigPath}.control-token`, 'utf8')).trim();
      const state = (await (await fetch(`${controlUrl}/v1/state`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
        scenarios: Array<{ name: string; active: boolean }>;
      };
      expect(state.scenarios.filter((s) => s.active).map((s) => s.name)).toEqual(['bad-deploy', 'auth-failure-burst']);
    } finally {
      cli.kill('SIGTERM');
    }
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain('SIGTERM: stopping the drill cluster');
  });
});
