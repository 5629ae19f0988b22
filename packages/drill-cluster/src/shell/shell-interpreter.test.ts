import { describe, expect, it } from 'vitest';
import { TestShell } from './shell-testing';

describe('shell interpreter', () => {
  it('expands variables from the container env, $? and ${X:-default}', async () => {
    const sh = new TestShell();
    expect((await sh.run('echo $LOG_LEVEL ${DB_POOL_SIZE} ${NOPE:-fallback} "$HOSTNAME"')).stdout).toBe('INFO 10 fallback codesign-api-abc\n');
    expect((await sh.run('false; echo $?; true && echo $?')).stdout).toBe('1\n0\n');
    expect((await sh.run('X="a  b"; echo $X; echo "$X"; echo ${#X}')).stdout).toBe('a b\na  b\n4\n');
  });

  it('runs $(...) and backticks, splitting unquoted results', async () => {
    const sh = new TestShell();
    expect((await sh.run('echo "host=$(hostname)" `echo a b` $(echo 1; echo 2)')).stdout).toBe('host=codesign-api-abc a b 1 2\n');
    expect((await sh.run('n=$(cat /etc/hostname | wc -c); echo $n')).stdout).toBe('17\n');
    expect((await sh.run('x=$(false); echo $?')).stdout).toBe('1\n');
  });

  it('pipes, with the last command giving the status and ! negating it', async () => {
    const sh = new TestShell();
    expect(await sh.run('printf "b\\na\\nb\\n" | sort | uniq -c')).toMatchObject({ code: 0, stdout: '      1 a\n      2 b\n' });
    expect((await sh.run('echo abc | grep -q zzz')).code).toBe(1);
    expect((await sh.run('! echo abc | grep -q zzz')).code).toBe(0);
    expect((await sh.run('echo ok || echo no; false || echo yes && echo also')).stdout).toBe('ok\nyes\nalso\n');
  });

  it('redirects to /dev/null, to files (> and >>) and 2>&1, and reads with <', async () => {
    const sh = new TestShell();
    expect(await sh.run('cat /nope 2>/dev/null; echo $?')).toMatchObject({ stdout: '1\n', stderr: '' });
    expect((await sh.run('cat /nope 2>&1 | wc -l')).stdout.trim()).toBe('1');
    await sh.run('echo one > /tmp/f; echo two >> /tmp/f');
    expect((await sh.run('cat < /tmp/f')).stdout).toBe('one\ntwo\n');
    expect(await new TestShell().run('echo x > /nodir/f')).toMatchObject({ code: 2, stderr: 'sh: 1: cannot create /nodir/f: Directory nonexistent\n' });
    expect((await sh.run('echo x > /proc/meminfo')).code).toBe(2);
  });

  it('keeps cd, export and variables between lines and forgets subshell changes', async () => {
    const sh = new TestShell();
    await sh.run('cd /var/log/app; export MODE=drill');
    expect((await sh.run('pwd; env | grep MODE')).stdout).toBe('/var/log/app\nMODE=drill\n');
    expect((await sh.run('(cd /; X=1); pwd; echo "[$X]"')).stdout).toBe('/var/log/app\n[]\n');
    expect((await sh.run('cd /nowhere')).code).toBe(2);
  });

  it('globs over the container files', async () => {
    const sh = new TestShell();
    expect((await sh.run('ls /app/config/*.py; echo /etc/host*')).stdout).toBe('/app/config/gunicorn.conf.py\n/etc/hostname /etc/hosts\n');
    expect((await sh.run('echo /none/*.x')).stdout).toBe('/none/*.x\n');
  });

  it('answers unknown commands with 127 and exit with its code', async () => {
    const sh = new TestShell();
    expect(await sh.run('vim /tmp/x')).toMatchObject({ code: 127, stderr: 'sh: 1: vim: not found\n' });
    const bash = new TestShell(undefined, 'bash');
    expect((await bash.run('vim')).stderr).toBe('bash: vim: command not found\n');
    expect((await sh.run('echo a; exit 3; echo b')).code).toBe(3);
    expect(sh.shell.exitCode).toBe(3);
    expect(await new TestShell().run('echo "open')).toMatchObject({ code: 2, stderr: 'sh: 1: Syntax error: Unterminated quoted string\n' });
  });

  it('runs sh -c with positional arguments and env VAR=x cmd', async () => {
    const sh = new TestShell();
    expect((await sh.run(`sh -c 'echo $0 $1 $#' name one`)).stdout).toBe('sh one 1\n');
    expect((await sh.run('env FOO=bar printenv FOO')).stdout).toBe('bar\n');
    expect((await sh.run('FOO=baz sh -c "echo \\$FOO"')).stdout).toBe('baz\n');
  });

  it('stops a pipeline writer once the reader is done (head after tail -f)', async () => {
    const sh = new TestShell();
    const result = await sh.run('tail -f /var/log/app/app.log | head -n 3');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('runs if / elif / else, for, while and until, with break and continue', async () => {
    const sh = new TestShell();
    expect((await sh.run('if [ -f /etc/hostname ]; then echo yes; else echo no; fi')).stdout).toBe('yes\n');
    expect((await sh.run('if false; then echo a; elif true; then echo b; fi')).stdout).toBe('b\n');
    expect((await sh.run('for f in $(ls /app/config) x; do echo "[$f]"; done')).stdout).toBe('[gunicorn.conf.py]\n[x]\n');
    expect((await sh.run('i=0; for n in 1 2 3 4; do if [ $n = 2 ]; then continue; fi; if [ $n = 4 ]; then break; fi; echo $n; done')).stdout).toBe('1\n3\n');
    expect((await sh.run('touch /tmp/w; while [ -f /tmp/w ]; do echo once; rm /tmp/w; done; until true; do echo never; done')).stdout).toBe('once\n');
    expect((await sh.run('for i in 1 2\ndo\n  echo $i\ndone')).stdout).toBe('1\n2\n');
  });

  it('stops a while-true loop when its signal aborts', async () => {
    const sh = new TestShell();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await sh.run('while true; do echo tick; done | head -n 1000000', { signal: controller.signal });
    expect(result.stdout.startsWith('tick\n')).toBe(true);
  });
});
