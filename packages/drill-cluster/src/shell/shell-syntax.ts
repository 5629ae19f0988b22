/**
 * The POSIX shell grammar the drill's containers understand, parsed into a small tree: lists
 * (`;`, newlines, `&&`, `||`), pipelines (`|`, `!`), simple commands with prefix assignments and
 * redirections, `( ... )` subshells and `{ ...; }` groups, and words made of literals, quoted
 * text, `$VAR` / `${VAR}` / `${VAR:-default}` / `${#VAR}`, `$(...)` and backticks.
 *
 * Hand-written: the npm shell parsers either keep no command nodes in their output (sh-syntax's
 * wasm AST), do not know command substitution (shell-quote) or are unmaintained (bash-parser).
 */

export type WordPart =
  | { type: 'literal'; text: string; quoted: boolean }
  | { type: 'parameter'; name: string; quoted: boolean; operator?: ParameterOperator; argument?: Word }
  | { type: 'command'; script: Script; quoted: boolean };

/** `${X:-a}` and friends; `length` is `${#X}`. */
export type ParameterOperator = ':-' | '-' | ':=' | '=' | ':+' | '+' | 'length';

export interface Word {
  parts: WordPart[];
}

export interface Redirect {
  /** The file descriptor redirected (1 for `>`, 0 for `<`, 2 for `2>`); `&>` is both 1 and 2. */
  fd: number;
  op: '>' | '>>' | '<' | '>&' | '<&' | '&>' | '&>>';
  target: Word;
}

export interface SimpleCommand {
  type: 'simple';
  assignments: Array<{ name: string; value: Word }>;
  words: Word[];
  redirects: Redirect[];
}

export interface CompoundCommand {
  type: 'subshell' | 'group';
  body: Script;
  redirects: Redirect[];
}

export interface IfCommand {
  type: 'if';
  clauses: Array<{ condition: Script; body: Script }>;
  elseBody?: Script;
  redirects: Redirect[];
}

export interface ForCommand {
  type: 'for';
  name: string;
  /** The words after `in`; undefined means the positional parameters. */
  words?: Word[];
  body: Script;
  redirects: Redirect[];
}

export interface LoopCommand {
  type: 'while' | 'until';
  condition: Script;
  body: Script;
  redirects: Redirect[];
}

export type Command = SimpleCommand | CompoundCommand | IfCommand | ForCommand | LoopCommand;

export interface Pipeline {
  negated: boolean;
  commands: Command[];
}

export interface AndOrList {
  first: Pipeline;
  rest: Array<{ op: '&&' | '||'; pipeline: Pipeline }>;
}

export interface Script {
  lists: AndOrList[];
}

/** A syntax error worded as dash words it (`sh: 1: Syntax error: ...`, without the prefix). */
export class ShellSyntaxError extends Error {
  constructor(
    message: string,
    /** True when more input could complete the line (an open quote or `$(`), for interactive continuation. */
    readonly incomplete = false,
  ) {
    super(message);
    this.name = 'ShellSyntaxError';
  }
}

const BLANK = new Set([' ', '\t']);
/** Characters that end an unquoted word. */
const WORD_END = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const RESERVED = /^(if|then|elif|else|fi|for|in|do|done|while|until)(?=[ \t\n;&|)]|$)/;

class ShellParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseAll(): Script {
    const script = this.script(undefined);
    if (this.pos < this.text.length) this.unexpected();
    return script;
  }

  private peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  private startsWith(token: string): boolean {
    return this.text.startsWith(token, this.pos);
  }

  private unexpected(): never {
    const ch = this.peek();
    if (ch === '') throw new ShellSyntaxError('end of file unexpected', true);
    const token = this.startsWith('&&') || this.startsWith('||') || this.startsWith(';;') ? this.text.slice(this.pos, this.pos + 2) : ch;
    throw new ShellSyntaxError(`"${token === '\n' ? 'newline' : token}" unexpected`);
  }

  private unexpectedWord(word: string): never {
    throw new ShellSyntaxError(`"${word}" unexpected`);
  }

  private skipBlanks(): void {
    for (;;) {
      const ch = this.peek();
      if (BLANK.has(ch)) this.pos++;
      else if (ch === '\\' && this.peek(1) === '\n') this.pos += 2;
      else if (ch === '#') {
        while (this.pos < this.text.length && this.peek() !== '\n') this.pos++;
      } else return;
    }
  }

  /** Blanks, newlines and comments (between the commands of a list). */
  private skipSeparators(alsoSemicolons: boolean): void {
    for (;;) {
      this.skipBlanks();
      const ch = this.peek();
      if (ch === '\n' || (alsoSemicolons && ch === ';' && this.peek(1) !== ';')) this.pos++;
      else return;
    }
  }

  /** The reserved word at `pos` (`then`, `done`, ...) when one starts a command there. */
  private reservedWord(): string | undefined {
    return RESERVED.exec(this.text.slice(this.pos, this.pos + 7))?.[1];
  }

  private expectReserved(word: string): void {
    this.skipSeparators(true);
    if (this.reservedWord() !== word) {
      if (this.pos >= this.text.length) throw new ShellSyntaxError(`end of file unexpected (expecting "${word}")`, true);
      this.unexpected();
    }
    this.pos += word.length;
  }

  /** A list of and-or lists up to `end` (`)` or `}`), one of the reserved `stops`, or the end of the text. */
  private script(end: ')' | '}' | undefined, stops?: readonly string[]): Script {
    const lists: AndOrList[] = [];
    for (;;) {
      this.skipSeparators(lists.length > 0);
      if (this.pos >= this.text.length) {
        if (end) throw new ShellSyntaxError(`end of file unexpected (expecting "${end}")`, true);
        if (stops) throw new ShellSyntaxError(`end of file unexpected (expecting "${stops[stops.length - 1]}")`, true);
        return { lists };
      }
      const reserved = stops ? this.reservedWord() : undefined;
      if (reserved && stops!.includes(reserved)) {
        if (lists.length === 0) this.unexpectedWord(reserved);
        return { lists };
      }
      if (end === ')' && this.peek() === ')') return { lists };
      if (end === '}' && this.peek() === '}' && lists.length > 0) return { lists };
      if (this.peek() === ';') this.unexpected();
      lists.push(this.andOr(end));
      this.skipBlanks();
      const ch = this.peek();
      if (ch === ';' && this.peek(1) !== ';') this.pos++;
      else if (ch === '&' && this.peek(1) !== '&') this.pos++; // background: run in order, as the drill has no job control
      else if (ch === '\n') this.pos++;
      else if (ch === '' || (end === ')' && ch === ')') || (end === '}' && ch === '}')) continue;
      else this.unexpected();
    }
  }

  private andOr(end: ')' | '}' | undefined): AndOrList {
    const first = this.pipeline(end);
    const rest: AndOrList['rest'] = [];
    for (;;) {
      this.skipBlanks();
      const op = this.startsWith('&&') ? '&&' : this.startsWith('||') ? '||' : undefined;
      if (!op) return { first, rest };
      this.pos += 2;
      this.skipSeparators(false);
      rest.push({ op, pipeline: this.pipeline(end) });
    }
  }

  private pipeline(end: ')' | '}' | undefined): Pipeline {
    this.skipBlanks();
    let negated = false;
    if (this.peek() === '!' && (BLANK.has(this.peek(1)) || this.peek(1) === '')) {
      negated = true;
      this.pos++;
    }
    const commands = [this.command(end)];
    for (;;) {
      this.skipBlanks();
      if (this.peek() !== '|' || this.peek(1) === '|') return { negated, commands };
      this.pos++;
      this.skipSeparators(false);
      commands.push(this.command(end));
    }
  }

  private command(end: ')' | '}' | undefined): Command {
    this.skipBlanks();
    if (this.peek() === '(') {
      this.pos++;
      const body = this.script(')');
      this.pos++;
      return { type: 'subshell', body, redirects: this.trailingRedirects() };
    }
    const reserved = this.reservedWord();
    if (reserved === 'if') {
      this.pos += 2;
      const clauses: IfCommand['clauses'] = [];
      let condition = this.script(undefined, ['then']);
      this.expectReserved('then');
      let body = this.script(undefined, ['elif', 'else', 'fi']);
      clauses.push({ condition, body });
      let elseBody: Script | undefined;
      for (;;) {
        this.skipSeparators(true);
        const next = this.reservedWord();
        if (next === 'elif') {
          this.pos += 4;
          condition = this.script(undefined, ['then']);
          this.expectReserved('then');
          body = this.script(undefined, ['elif', 'else', 'fi']);
          clauses.push({ condition, body });
        } else if (next === 'else') {
          this.pos += 4;
          elseBody = this.script(undefined, ['fi']);
        } else break;
      }
      this.expectReserved('fi');
      return { type: 'if', clauses, ...(elseBody ? { elseBody } : {}), redirects: this.trailingRedirects() };
    }
    if (reserved === 'while' || reserved === 'until') {
      this.pos += reserved.length;
      const condition = this.script(undefined, ['do']);
      this.expectReserved('do');
      const body = this.script(undefined, ['done']);
      this.expectReserved('done');
      return { type: reserved, condition, body, redirects: this.trailingRedirects() };
    }
    if (reserved === 'for') {
      this.pos += 3;
      this.skipBlanks();
      const name = NAME.exec(this.text.slice(this.pos));
      if (!name) throw new ShellSyntaxError('Bad for loop variable');
      this.pos += name[0].length;
      this.skipBlanks();
      let words: Word[] | undefined;
      if (this.reservedWord() === 'in') {
        this.pos += 2;
        words = [];
        for (;;) {
          this.skipBlanks();
          const ch = this.peek();
          if (ch === ';' || ch === '\n' || ch === '') break;
          words.push(this.word());
        }
      }
      this.expectReserved('do');
      const body = this.script(undefined, ['done']);
      this.expectReserved('done');
      return { type: 'for', name: name[0], ...(words ? { words } : {}), body, redirects: this.trailingRedirects() };
    }
    if (reserved && ['then', 'elif', 'else', 'fi', 'do', 'done', 'in'].includes(reserved)) this.unexpectedWord(reserved);
    if (this.peek() === '{' && (BLANK.has(this.peek(1)) || this.peek(1) === '\n')) {
      this.pos++;
      const body = this.script('}');
      this.pos++;
      return { type: 'group', body, redirects: this.trailingRedirects() };
    }
    const command: SimpleCommand = { type: 'simple', assignments: [], words: [], redirects: [] };
    for (;;) {
      this.skipBlanks();
      const ch = this.peek();
      if (ch === '' || ch === '\n' || ch === ';' || ch === '|' || ch === ')' || (ch === '&' && this.peek(1) !== '>')) break;
      if (end === '}' && ch === '}' && command.words.length === 0 && command.assignments.length === 0) break;
      if (end === '}' && ch === '}' && WORD_END.has(this.peek(1) || ' ') && command.words.length > 0) break;
      const redirect = this.redirect();
      if (redirect) {
        command.redirects.push(redirect);
        continue;
      }
      if (ch === '(') this.unexpected();
      const start = this.pos;
      const word = this.word();
      const assignment = command.words.length === 0 ? NAME.exec(this.text.slice(start)) : null;
      if (assignment && this.text[start + assignment[0].length] === '=') {
        const first = word.parts[0];
        if (first?.type === 'literal' && !first.quoted && first.text.startsWith(`${assignment[0]}=`)) {
          const rest = first.text.slice(assignment[0].length + 1);
          const parts = [...(rest ? [{ ...first, text: rest }] : []), ...word.parts.slice(1)];
          command.assignments.push({ name: assignment[0], value: { parts } });
          continue;
        }
      }
      command.words.push(word);
    }
    if (command.words.length === 0 && command.assignments.length === 0 && command.redirects.length === 0) this.unexpected();
    return command;
  }

  private trailingRedirects(): Redirect[] {
    const redirects: Redirect[] = [];
    for (;;) {
      this.skipBlanks();
      const redirect = this.redirect();
      if (!redirect) return redirects;
      redirects.push(redirect);
    }
  }

  private redirect(): Redirect | undefined {
    const match = /^(\d?)(&>>|&>|>>|>&|<&|>\||>|<)/.exec(this.text.slice(this.pos, this.pos + 4));
    if (!match) return undefined;
    this.pos += match[0].length;
    const op = (match[2] === '>|' ? '>' : match[2]) as Redirect['op'];
    const fd = match[1] ? Number(match[1]) : op.startsWith('<') ? 0 : 1;
    this.skipBlanks();
    if (WORD_END.has(this.peek()) || this.peek() === '') {
      throw new ShellSyntaxError(this.peek() === '' || this.peek() === '\n' ? 'newline unexpected' : `"${this.peek()}" unexpected`);
    }
    return { fd, op, target: this.word() };
  }

  /** One word: stops at an unquoted blank or operator. */
  private word(): Word {
    const parts: WordPart[] = [];
    let literal = '';
    const flush = () => {
      if (literal) parts.push({ type: 'literal', text: literal, quoted: false });
      literal = '';
    };
    while (this.pos < this.text.length) {
      const ch = this.peek();
      if (WORD_END.has(ch)) break;
      if (ch === "'") {
        flush();
        const close = this.text.indexOf("'", this.pos + 1);
        if (close === -1) throw new ShellSyntaxError('Unterminated quoted string', true);
        parts.push({ type: 'literal', text: this.text.slice(this.pos + 1, close), quoted: true });
        this.pos = close + 1;
      } else if (ch === '"') {
        flush();
        this.pos++;
        parts.push(...this.doubleQuoted());
      } else if (ch === '\\') {
        if (this.peek(1) === '\n') {
          this.pos += 2;
          continue;
        }
        flush();
        if (this.pos + 1 >= this.text.length) {
          this.pos++;
          continue;
        }
        parts.push({ type: 'literal', text: this.peek(1), quoted: true });
        this.pos += 2;
      } else if (ch === '$' || ch === '`') {
        const expansion = this.expansion(false);
        if (expansion) {
          flush();
          parts.push(expansion);
        } else {
          literal += ch;
          this.pos++;
        }
      } else {
        literal += ch;
        this.pos++;
      }
    }
    flush();
    return { parts };
  }

  private doubleQuoted(): WordPart[] {
    const parts: WordPart[] = [];
    let literal = '';
    let sawAnything = false;
    for (;;) {
      if (this.pos >= this.text.length) throw new ShellSyntaxError('Unterminated quoted string', true);
      const ch = this.peek();
      if (ch === '"') {
        this.pos++;
        break;
      }
      if (ch === '\\' && '$`"\\\n'.includes(this.peek(1))) {
        if (this.peek(1) !== '\n') literal += this.peek(1);
        this.pos += 2;
        continue;
      }
      if (ch === '$' || ch === '`') {
        const expansion = this.expansion(true);
        if (expansion) {
          if (literal) parts.push({ type: 'literal', text: literal, quoted: true });
          literal = '';
          parts.push(expansion);
          sawAnything = true;
          continue;
        }
      }
      literal += ch;
      this.pos++;
    }
    if (literal || (!sawAnything && parts.length === 0)) parts.push({ type: 'literal', text: literal, quoted: true });
    return parts;
  }

  /** `$NAME`, `${...}`, `$(...)` or a backtick substitution at `pos`; undefined for a lone `$`. */
  private expansion(quoted: boolean): WordPart | undefined {
    if (this.peek() === '`') {
      let body = '';
      let i = this.pos + 1;
      for (; i < this.text.length && this.text[i] !== '`'; i++) {
        if (this.text[i] === '\\' && '$`\\'.includes(this.text[i + 1] ?? '')) body += this.text[++i];
        else body += this.text[i];
      }
      if (i >= this.text.length) throw new ShellSyntaxError('EOF in backquote substitution', true);
      this.pos = i + 1;
      return { type: 'command', script: parseShell(body), quoted };
    }
    const next = this.peek(1);
    if (next === '(') {
      if (this.peek(2) === '(') throw new ShellSyntaxError('arithmetic expansion $((...)) is not supported by the drill shell');
      this.pos += 2;
      const script = this.script(')');
      this.pos++;
      return { type: 'command', script, quoted };
    }
    if (next === '{') {
      const close = this.text.indexOf('}', this.pos + 2);
      if (close === -1) throw new ShellSyntaxError('Missing \'}\'', true);
      const inner = this.text.slice(this.pos + 2, close);
      this.pos = close + 1;
      if (inner.startsWith('#') && NAME.test(inner.slice(1))) return { type: 'parameter', name: inner.slice(1), quoted, operator: 'length' };
      const name = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?$#@*!-])/.exec(inner);
      if (!name) throw new ShellSyntaxError(`\${${inner}}: Bad substitution`);
      const rest = inner.slice(name[0].length);
      if (rest === '') return { type: 'parameter', name: name[0], quoted };
      const op = /^(:-|:=|:\+|-|=|\+)/.exec(rest);
      if (!op) throw new ShellSyntaxError(`\${${inner}}: Bad substitution`);
      const argument = new ShellParser(rest.slice(op[0].length)).argumentWord();
      return { type: 'parameter', name: name[0], quoted, operator: op[0] as ParameterOperator, argument };
    }
    const name = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?$#@*!-])/.exec(this.text.slice(this.pos + 1));
    if (!name) return undefined;
    this.pos += 1 + name[0].length;
    return { type: 'parameter', name: name[0], quoted };
  }

  /** The word after `${X:-` (blanks kept, as it is delimited by the braces). */
  private argumentWord(): Word {
    const parts: WordPart[] = [];
    let literal = '';
    while (this.pos < this.text.length) {
      const ch = this.peek();
      if (ch === '$' || ch === '`') {
        const expansion = this.expansion(false);
        if (expansion) {
          if (literal) parts.push({ type: 'literal', text: literal, quoted: true });
          literal = '';
          parts.push(expansion);
          continue;
        }
      }
      if (ch === '"' || ch === "'") {
        this.pos++;
        continue;
      }
      literal += ch;
      this.pos++;
    }
    if (literal) parts.push({ type: 'literal', text: literal, quoted: true });
    return { parts };
  }
}

/** Parses a script or one interactive line; throws `ShellSyntaxError`. */
export function parseShell(text: string): Script {
  return new ShellParser(text).parseAll();
}
