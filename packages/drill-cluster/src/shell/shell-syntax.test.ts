import { describe, expect, it } from 'vitest';
import { parseShell, type ShellSyntaxError } from './shell-syntax';

describe('shell syntax', () => {
  it('parses lists, and-or chains and pipelines', () => {
    const script = parseShell('a | b -x && c || d; e\nf');
    expect(script.lists).toHaveLength(3);
    expect(script.lists[0]!.first.commands).toHaveLength(2);
    expect(script.lists[0]!.rest.map((r) => r.op)).toEqual(['&&', '||']);
  });

  it('keeps quoting, expansions and command substitution in words', () => {
    const [list] = parseShell(`echo "a $X \${Y:-d} $(hostname)" 'b $Z' \`date\` \\$W`).lists;
    const command = list!.first.commands[0]!;
    expect(command.type).toBe('simple');
    if (command.type !== 'simple') return;
    const kinds = command.words.map((w) => w.parts.map((p) => `${p.type}${p.quoted ? '"' : ''}`).join(','));
    expect(kinds).toEqual(['literal', 'literal",parameter",literal",parameter",literal",command"', 'literal"', 'command', 'literal",literal']);
    const second = command.words[1]!.parts[3];
    expect(second).toMatchObject({ type: 'parameter', name: 'Y', operator: ':-' });
  });

  it('parses assignments and redirections', () => {
    const [list] = parseShell('A=1 B="two words" cmd >/dev/null 2>&1 <in >>log').lists;
    const command = list!.first.commands[0]!;
    if (command.type !== 'simple') throw new Error('simple expected');
    expect(command.assignments.map((a) => a.name)).toEqual(['A', 'B']);
    expect(command.redirects.map((r) => `${r.fd}${r.op}`)).toEqual(['1>', '2>&', '0<', '1>>']);
    expect(command.redirects[1]!.fd).toBe(2);
  });

  it('parses subshells, groups and negation', () => {
    const [list] = parseShell('! ( cd /tmp; ls ) | { grep a; }').lists;
    expect(list!.first.negated).toBe(true);
    expect(list!.first.commands.map((c) => c.type)).toEqual(['subshell', 'group']);
  });

  it('reports errors as dash words them, and marks the ones more input completes', () => {
    const fail = (text: string) => {
      try {
        parseShell(text);
      } catch (error) {
        return error as ShellSyntaxError;
      }
      throw new Error(`no error for ${text}`);
    };
    expect(fail('echo "open')).toMatchObject({ message: 'Unterminated quoted string', incomplete: true });
    expect(fail('echo $(date')).toMatchObject({ incomplete: true });
    expect(fail('| grep x').message).toBe('"|" unexpected');
    expect(fail('a &&').incomplete).toBe(true);
    expect(fail('echo >').message).toBe('newline unexpected');
    expect(fail('if true; then echo a')).toMatchObject({ incomplete: true });
    expect(fail('for x in a b; do echo $x')).toMatchObject({ message: 'end of file unexpected (expecting "done")', incomplete: true });
    expect(fail('then echo').message).toBe('"then" unexpected');
  });
});
