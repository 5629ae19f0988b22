import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseShell, tabEnvironment } from './shell-environment';

describe('the shell a tab runs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shell-env-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("is the user's $SHELL when it is an executable file", async () => {
    const shell = path.join(dir, 'fish');
    await writeFile(shell, '#!/bin/sh\n');
    await chmod(shell, 0o755);
    expect(chooseShell({ SHELL: shell })).toBe(shell);
  });

  it('falls back to bash when $SHELL is unset, relative, missing or not executable', async () => {
    const notExecutable = path.join(dir, 'zsh');
    await writeFile(notExecutable, '#!/bin/sh\n', { mode: 0o644 });
    for (const SHELL of [undefined, 'zsh', path.join(dir, 'missing'), notExecutable]) expect(chooseShell({ SHELL })).toMatch(/\/bash$/);
  });
});

describe('tabEnvironment', () => {
  const tab = { kubeconfig: '/data/terminal/1/term-1.kubeconfig', context: 'drill', namespace: 'codesign-production', shell: '/bin/bash' };

  it("sets TERM, the tab's KUBECONFIG and context, over whatever the app was started with", () => {
    const env = tabEnvironment({ PATH: '/usr/bin', HOME: '/home/oncall', TERM: 'dumb', KUBECONFIG: '/home/oncall/.kube/prod' }, tab);
    expect(env).toMatchObject({ PATH: '/usr/bin', HOME: '/home/oncall', TERM: 'xterm-256color', COLORTERM: 'truecolor', SHELL: '/bin/bash', KUBECONFIG: tab.kubeconfig, COCKPIT_CONTEXT: 'drill', COCKPIT_NAMESPACE: 'codesign-production' });
  });

  it("does not hand the app's internals to the user's shell", () => {
    const env = tabEnvironment({ PATH: '/usr/bin', ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '--inspect', npm_config_cache: '/x', COCKPIT_DATA_DIR: '/data', VITEST: 'true', NODE_ENV: 'test' }, tab);
    expect(Object.keys(env).filter((k) => /^(ELECTRON_|npm_|VITEST|NODE_OPTIONS|NODE_ENV|COCKPIT_DATA)/.test(k))).toEqual([]);
  });

  it("exports the open tunnels' variables, which cannot displace the tab's own", () => {
    const env = tabEnvironment({ PATH: '/usr/bin', PGPORT: '5432' }, { ...tab, tunnels: { PGHOST: '127.0.0.1', PGPORT: '54321', TERM_PORT: '1' } });
    expect(env).toMatchObject({ PGHOST: '127.0.0.1', PGPORT: '54321', TERM: 'xterm-256color', KUBECONFIG: tab.kubeconfig });
  });
});
