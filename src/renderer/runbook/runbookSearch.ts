import { describeAction } from '../../shared/runbook/actions';
import type { Runbook, Step } from '../../shared/runbook/schema';
import { runbookSections } from './sections';

/** One thing search can find: a procedure (opens its section) or a step (opens the step). */
export interface SearchEntry {
  sectionId: string;
  /** The section's title, shown as where the result lives. */
  sectionTitle: string;
  stepId?: string;
  title: string;
  /** What the step does, in words: the typed action's description and the step's notes. */
  description: string;
  command: string;
}

export interface SearchResult extends SearchEntry {
  /** Which field matched best, so the result can show why it was found. */
  matched: 'title' | 'description' | 'command';
  score: number;
}

/**
 * Everything the runbook search looks through: procedure titles (with summary and symptoms),
 * and every step's title, description and command, wherever the step sits (procedures, the
 * incident process, routine checks, the appendix's aliases).
 */
export function buildSearchIndex(runbook: Runbook): SearchEntry[] {
  const entries: SearchEntry[] = [];
  const sections = runbookSections(runbook);
  const titleOf = (id: string) => sections.find((s) => s.id === id)?.title ?? id;
  const addSteps = (sectionId: string, steps: readonly Step[], context = '') => {
    for (const step of steps) {
      entries.push({
        sectionId,
        sectionTitle: context ? `${titleOf(sectionId)} › ${context}` : titleOf(sectionId),
        stepId: step.id,
        title: step.title,
        description: [describeAction(step.action), step.notes].filter(Boolean).join(' · '),
        command: step.command,
      });
    }
  };
  for (const section of sections) {
    const procedure = section.procedure;
    if (!procedure) continue;
    entries.push({
      sectionId: section.id,
      sectionTitle: section.group,
      title: procedure.title,
      description: [procedure.summary, procedure.symptoms?.join(', ')].filter(Boolean).join(' · '),
      command: '',
    });
    for (const part of procedure.sections) addSteps(section.id, part.steps, part.title);
  }
  for (const stage of runbook.incidentProcess) addSteps('process', stage.steps, stage.title);
  addSteps('checks', runbook.checks.daily, 'Daily');
  addSteps('checks', runbook.checks.weekly, 'Weekly');
  for (const alias of runbook.aliases) addSteps('appendix', alias.steps, alias.name);
  return entries;
}

const WEIGHT = { title: 3, description: 2, command: 1 } as const;

/**
 * The entries that hold every word of `query` (case-insensitive, in any field), best first: a
 * word in the title counts most, then the description, then the command; procedures before
 * their steps on a tie.
 */
export function searchRunbook(index: readonly SearchEntry[], query: string, limit = 20): SearchResult[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const results: SearchResult[] = [];
  for (const entry of index) {
    const fields = { title: entry.title.toLowerCase(), description: entry.description.toLowerCase(), command: entry.command.toLowerCase() };
    let score = 0;
    const hits = { title: 0, description: 0, command: 0 };
    let all = true;
    for (const word of words) {
      let best = 0;
      for (const field of ['title', 'description', 'command'] as const) {
        if (fields[field].includes(word)) {
          hits[field]++;
          best = Math.max(best, WEIGHT[field]);
        }
      }
      if (best === 0) {
        all = false;
        break;
      }
      score += best;
    }
    if (!all) continue;
    const matched = hits.title ? 'title' : hits.description ? 'description' : 'command';
    results.push({ ...entry, matched, score: score + (entry.stepId ? 0 : 0.5) });
  }
  return results.sort((a, b) => b.score - a.score).slice(0, limit);
}
