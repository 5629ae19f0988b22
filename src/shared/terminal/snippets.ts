/**
 * Runbook steps the terminal takes: snippets and host commands (anything without a typed
 * action the app runs itself). They are pasted with their placeholders filled and never run by
 * the app; the responder reads and presses Enter.
 */
import { expandTemplate, renderCommand, type Action, type StepInput } from '../runbook/actions';

/** Action types whose command is meant for a shell on the responder's machine. */
export const TERMINAL_ACTIONS: ReadonlySet<Action['type']> = new Set(['terminal.snippet', 'host.command']);

export const opensInTerminal = (step: { action: { type: string } }): boolean => TERMINAL_ACTIONS.has(step.action.type as Action['type']);

const DESTRUCTIVE_LOOKING = [
  /\brm\s+(-[a-zA-Z]*[rf]|--recursive|--force)/,
  /\bkubectl\s+(delete|drain|cordon|replace\s+--force)\b/,
  /\bdocker\s+(rm|rmi|system\s+prune|volume\s+rm)\b/,
  /\b(DROP|TRUNCATE)\s+(TABLE|DATABASE|SCHEMA)\b/i,
  /\bDELETE\s+FROM\b/i,
  /\b(mkfs|fdisk|wipefs|shred)\b/,
  /\bdd\s+.*\bof=/,
  /\b(kill|pkill|killall)\s+-9\b/,
  /\b(FLUSHALL|FLUSHDB)\b/i,
  /(^|[^>])>\s*\/(etc|var|usr|boot)\//,
  /--force\b|--grace-period=0\b/,
];

/** Whether a snippet looks like it destroys something (so the button and the paste say so). */
export function looksDestructive(command: string, risk?: string): boolean {
  return risk === 'destructive' || DESTRUCTIVE_LOOKING.some((pattern) => pattern.test(command));
}

/**
 * The text to paste: the step's command with its declared inputs filled (`$USER_ID`), dates
 * (`{date:YYYYMMDD}`) expanded; secret inputs stay `$NAME` for the shell's own environment.
 */
export function snippetText(step: { command: string; inputs?: StepInput[] }, values: Record<string, string>, now = new Date()): string {
  const filled = renderCommand(step, values);
  return expandTemplate(filled, { now, inputs: values }).replace(/\s+$/, '');
}

/** The appendix aliases as one snippet to paste into a tab (one `alias` per line). */
export function aliasScript(aliases: Array<{ command: string }>): string {
  return aliases.map((a) => a.command.trim()).join('\n');
}
