/**
 * getopt as the container's tools parse their arguments: `-n 5`, `-n5`, `-ivc`, `--lines=5`,
 * `--lines 5`, `--` ending the options, and a clear message for an unknown option.
 */
import { FsError, VirtualFileSystem } from './virtual-fs';
import type { ToolInvocation } from './shell-interpreter';

export interface ParsedToolOptions {
  /** Short letters and long names given, with their value (`true` for flags); repeated ones keep the last. */
  flags: Map<string, string | true>;
  /** Every value of a repeatable option (`grep -e a -e b`). */
  all: Map<string, string[]>;
  operands: string[];
}

export interface OptionSpec {
  /** Short letters that take a value (`'nce'`). */
  valued?: string;
  /** Short letters that are flags. */
  flags?: string;
  /** Long names mapped to their short letter, `=` suffix when valued (`{ 'lines=': 'n', 'invert-match': 'v' }`). */
  long?: Record<string, string>;
  /** Stop at the first operand (tar, xargs, env: the rest belongs to something else). */
  stopAtOperand?: boolean;
}

export class ToolUsageError extends Error {}

export function parseToolOptions(args: string[], spec: OptionSpec): ParsedToolOptions {
  const flags = new Map<string, string | true>();
  const all = new Map<string, string[]>();
  const operands: string[] = [];
  const set = (key: string, value: string | true) => {
    flags.set(key, value);
    if (typeof value === 'string') all.set(key, [...(all.get(key) ?? []), value]);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      const valuedKey = spec.long?.[`${name}=`];
      const flagKey = spec.long?.[name];
      if (valuedKey) {
        const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
        if (value === undefined) throw new ToolUsageError(`option '--${name}' requires an argument`);
        set(valuedKey, value);
      } else if (flagKey) set(flagKey, true);
      else throw new ToolUsageError(`unrecognized option '${arg}'`);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        if (spec.valued?.includes(letter)) {
          const value = j + 1 < arg.length ? arg.slice(j + 1) : args[++i];
          if (value === undefined) throw new ToolUsageError(`option requires an argument -- '${letter}'`);
          set(letter, value);
          break;
        }
        if (spec.flags?.includes(letter)) set(letter, true);
        else throw new ToolUsageError(`invalid option -- '${letter}'`);
      }
      continue;
    }
    operands.push(arg);
    if (spec.stopAtOperand) {
      operands.push(...args.slice(i + 1));
      break;
    }
  }
  return { flags, all, operands };
}

/** Parses options, printing `tool: message` and the usage hint on bad input (answering undefined). */
export function toolOptions(inv: ToolInvocation, spec: OptionSpec): ParsedToolOptions | undefined {
  try {
    return parseToolOptions(inv.args, spec);
  } catch (error) {
    if (!(error instanceof ToolUsageError)) throw error;
    inv.stderr.write(`${inv.name}: ${error.message}\nTry '${inv.name} --help' for more information.\n`);
    return undefined;
  }
}

/** An operand made absolute against the tool's working directory. */
export function operandPath(inv: ToolInvocation, operand: string): string {
  return VirtualFileSystem.resolve(inv.cwd, operand);
}

/** Reads an operand (`-` is stdin); prints `tool: operand: reason` and answers undefined when it cannot. */
export async function readOperand(inv: ToolInvocation, operand: string, format = (reason: string) => `${inv.name}: ${operand}: ${reason}\n`): Promise<Buffer | undefined> {
  if (operand === '-' || operand === '/dev/stdin') {
    const chunks: Buffer[] = [];
    for (let chunk = await inv.stdin.read(); chunk !== null; chunk = await inv.stdin.read()) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
  const path = operandPath(inv, operand);
  if (path === '/dev/null') return Buffer.alloc(0);
  try {
    return inv.host.fs.readFile(path);
  } catch (error) {
    if (!(error instanceof FsError)) throw error;
    inv.stderr.write(format(error.message));
    return undefined;
  }
}
