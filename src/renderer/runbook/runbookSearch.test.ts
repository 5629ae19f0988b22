import { describe, expect, it } from 'vitest';
import { bundledRunbook } from '../test/bundledRunbook';
import { buildSearchIndex, searchRunbook } from './runbookSearch';

const runbook = bundledRunbook();
const index = buildSearchIndex(runbook);

describe('runbook search', () => {
  it('finds a procedure by its title, first', () => {
    const [first] = searchRunbook(index, 'response times');
    expect(first).toMatchObject({ sectionId: 'high-response-times', title: 'High Response Times', matched: 'title' });
    expect(first!.stepId).toBeUndefined();
  });

  it('finds steps by the words of their command, and says where they live', () => {
    const results = searchRunbook(index, 'rollout undo');
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(`${r.title} ${r.description} ${r.command}`.toLowerCase()).toMatch(/rollout[\s\S]*undo|undo[\s\S]*rollout/);
    const step = results.find((r) => r.stepId && r.command.includes('rollout undo'));
    expect(step).toBeDefined();
    expect(runbook.procedures.find((p) => p.id === step!.sectionId)?.sections.some((s) => s.steps.some((x) => x.id === step!.stepId))).toBe(true);
  });

  it('finds steps by their description (the typed action in words), across the process, checks and appendix', () => {
    const sections = new Set(index.filter((e) => e.stepId).map((e) => e.sectionId));
    expect(sections).toContain('process');
    expect(sections).toContain('checks');
    const byDescription = searchRunbook(index, 'list pods', 50).filter((r) => r.matched === 'description');
    expect(byDescription.length).toBeGreaterThan(0);
  });

  it('needs every word to match and answers nothing for an empty query', () => {
    expect(searchRunbook(index, '')).toEqual([]);
    expect(searchRunbook(index, 'kubectl zzzz-no-such-word')).toEqual([]);
  });
});
