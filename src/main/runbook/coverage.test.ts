/**
 * Proves that the bundled runbook holds ALL of the source runbook (test/fixtures/operational-runbook.md):
 * every command of every ```bash block, as a step in the right place and order, and every other
 * section (contacts, links, severities, thresholds, checks, process, symptoms, appendix). The check
 * is a function returning problems, so that the tests below can also prove it notices a deletion.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { marked, type Token, type Tokens } from 'marked';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProcedureCategory, Runbook, Step } from '../../shared/runbook/schema';
import { loadRunbookFile } from './loader';

const SOURCE = join(import.meta.dirname, '../../../test/fixtures/operational-runbook.md');
const BUNDLED = join(import.meta.dirname, '../../../resources/runbooks/codesign-playground.yaml');

// ── Reading the source ──────────────────────────────────────────────────────────────────────────

/** A block-level token with the headings above it (`h[1]` is the h2, `h[2]` the h3 ...). */
interface Located {
  h: string[];
  /** The bold label above it ("Diagnosis") or the numbered item it sits in ("Detection & Triage"). */
  label?: string;
  order?: number;
  token: Token;
}

const lexed = new Map<string, Located[]>();

function locateTokens(markdown: string): Located[] {
  const cached = lexed.get(markdown);
  if (cached) return cached;
  const out: Located[] = [];
  lexed.set(markdown, out);
  const h: string[] = [];
  let label: string | undefined;
  for (const token of marked.lexer(markdown)) {
    if (token.type === 'heading') {
      const { depth, text } = token as Tokens.Heading;
      h.length = depth - 1;
      h[depth - 1] = text.trim();
      label = undefined;
      continue;
    }
    if (token.type === 'paragraph') {
      const match = /^\*\*(.+?)\*\*:?$/.exec((token as Tokens.Paragraph).text.trim());
      if (match) label = match[1];
    }
    out.push({ h: [...h], label, token });
    const list = token as Tokens.List;
    if (token.type === 'list' && list.ordered) {
      list.items.forEach((item, i) => {
        const [first, ...rest] = item.tokens;
        const title = first && 'text' in first ? /^\*\*(.+)\*\*/.exec(String(first.text))?.[1] : undefined;
        for (const inner of rest) out.push({ h: [...h], label: title, order: Number(list.start || 1) + i, token: inner });
      });
    }
  }
  return out;
}

/** One command of a bash block, with the comment above it. */
interface SourceCommand {
  title: string;
  /** The command text, or the comment line(s) of a comment-only ("manual") paragraph. */
  command: string;
  /** A comment after the commands of a paragraph ("# cert-manager will automatically recreate"). */
  note?: string;
}

/**
 * Splits a bash block into commands: a command runs on while a quote is open or a line ends in `\`
 * (so `python -c "..."` and `psql -c "..."` are one command); blank lines separate paragraphs whose
 * leading comment titles their commands.
 */
function splitBashBlock(text: string): SourceCommand[] {
  const commands: SourceCommand[] = [];
  let leading: string[] = [];
  let paragraph: SourceCommand[] = [];
  let current: string[] | undefined;
  let quote: '"' | "'" | undefined;

  const endParagraph = () => {
    if (paragraph.length === 0 && leading.length > 1) {
      commands.push({ title: stripComment(leading[0] ?? ''), command: leading.slice(1).join('\n') });
    } else if (paragraph.length === 0 && leading.length === 1) {
      commands.push({ title: stripComment(leading[0] ?? ''), command: leading[0] ?? '' });
    }
    commands.push(...paragraph);
    leading = [];
    paragraph = [];
  };

  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === undefined) {
      if (line === '') {
        endParagraph();
        continue;
      }
      if (line.startsWith('#')) {
        const last = paragraph.at(-1);
        if (last) last.note = [last.note, stripComment(line)].filter(Boolean).join('\n');
        else leading.push(line);
        continue;
      }
      current = [];
    }
    current.push(line);
    let escaped = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (escaped) escaped = false;
      else if (ch === '\\' && quote !== "'") escaped = true;
      else if (quote === undefined && (ch === '"' || ch === "'")) quote = ch;
      else if (ch === quote) quote = undefined;
      else if (quote === undefined && ch === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) break;
    }
    // An open quote, or a trailing backslash (left `escaped`), continues the command on the next line.
    if (quote === undefined && !escaped) {
      paragraph.push({ title: stripComment(leading[0] ?? ''), command: current.join('\n') });
      current = undefined;
    }
  }
  if (current !== undefined) throw new Error(`unterminated command: ${current.join('\n')}`);
  endParagraph();
  return commands;
}

const stripComment = (line: string) => line.replace(/^#\s*/, '').trim();
const normalizeCommand = (command: string) =>
  command
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .trim();
const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/** `**Key**: value` bullets of a list. */
function bullets(token: Token): { key: string; value: string }[] {
  return (token as Tokens.List).items.map((item) => {
    const match = /^\*\*(.+?)\*\*:\s*(.*)$/s.exec(item.text.trim());
    return match ? { key: match[1] ?? '', value: (match[2] ?? '').trim() } : { key: '', value: item.text.trim() };
  });
}

const PROCEDURE_CATEGORY: Record<string, ProcedureCategory> = {
  Troubleshooting: 'troubleshooting',
  'Planned Maintenance': 'maintenance',
  'Emergency Procedures': 'emergency',
  'Security Operations': 'security',
  'Compliance Operations': 'compliance',
  'Performance Optimization': 'performance',
};

/** Headings that only group others; every other heading must be checked by something below. */
const CONTAINER_HEADINGS = new Set([
  'Table of Contents',
  'System Architecture',
  'Monitoring and Alerting',
  'Key Metrics',
  'Routine Operations',
  'Incident Response',
  'Severity Levels',
  'Troubleshooting',
  'Common Issues',
  'Maintenance Procedures',
  'Planned Maintenance',
  'Emergency Procedures',
  'Security Operations',
  'Compliance Operations',
  'Performance Optimization',
  'Appendix',
]);

// ── The check ───────────────────────────────────────────────────────────────────────────────────

/** Everything in the source the runbook does not hold, as readable problems (empty when complete). */
function coverageProblems(markdown: string, runbook: Runbook): string[] {
  const problems: string[] = [];
  const covered = new Set<string>();
  const located = locateTokens(markdown);
  const same = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(`${what}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`);
    }
  };
  const under = (heading: string, type: Token['type']) => {
    covered.add(heading);
    return located.filter((l) => l.h.includes(heading) && l.token.type === type && l.order === undefined);
  };
  const firstUnder = (heading: string, type: Token['type']): Token | undefined => under(heading, type)[0]?.token;

  // Title, overview, footer.
  same('title', runbook.title, /^# (.+)$/m.exec(markdown)?.[1]);
  same('overview', squash(runbook.overview), squash((firstUnder('Overview', 'paragraph') as Tokens.Paragraph | undefined)?.text ?? ''));
  same('updated', runbook.updated, /\*Last Updated: (.+?)\*/.exec(markdown)?.[1]);
  same('version', runbook.version, /\*Version: (.+?)\*/.exec(markdown)?.[1]);
  same('owner', runbook.owner, /\*Document Owner: (.+?)\*/.exec(markdown)?.[1]);

  // Overview lists, architecture, dependencies.
  const list = (heading: string) => {
    const token = firstUnder(heading, 'list');
    if (!token) problems.push(`source has no list under "${heading}"`);
    return token ? bullets(token) : [];
  };
  same(
    'key contacts',
    runbook.contacts.filter((c) => c.group === 'key').map((c) => ({ role: c.role, email: c.email })),
    list('Key Contacts').map((b) => ({ role: b.key, email: b.value })),
  );
  same(
    'status links',
    runbook.links.map((l) => ({ label: l.label, url: l.url })),
    list('System Status').map((b) => ({ label: b.key, url: b.value })),
  );
  same('architecture diagram', runbook.service.architecture, (firstUnder('Core Components', 'code') as Tokens.Code | undefined)?.text);
  same(
    'dependencies',
    runbook.service.dependencies,
    list('Dependencies').map((b) => ({ name: b.key, detail: b.value })),
  );

  // Monitoring and alerting.
  for (const group of ['Application', 'Infrastructure', 'Business'] as const) {
    same(
      `key metrics (${group})`,
      runbook.keyMetrics.filter((m) => m.group === group.toLowerCase()).map((m) => ({ name: m.name, description: m.description })),
      list(`${group} Metrics`).map((b) => ({ name: b.key, description: b.value })),
    );
  }
  const table = firstUnder('Alert Thresholds', 'table') as Tokens.Table | undefined;
  const rows = (table?.rows ?? []).map((cells) => cells.map((c) => c.text.trim()));
  same('number of thresholds', runbook.thresholds.length, rows.length);
  rows.forEach(([metric, warningText, criticalText, action], i) => {
    const threshold = runbook.thresholds[i];
    const where = `thresholds[${i}] (${metric})`;
    if (!threshold) return;
    same(where, { metric: threshold.metric, warningText: threshold.warningText, criticalText: threshold.criticalText, action: threshold.action }, { metric, warningText, criticalText, action });
    const number = (text = '') => Number(/[\d.]+/.exec(text)?.[0]);
    const unit = warningText?.endsWith('s') ? 'seconds' : warningText?.endsWith('%') ? 'percent' : 'count';
    same(`${where} numbers`, { warning: threshold.warning, critical: threshold.critical, unit: threshold.unit }, { warning: number(warningText), critical: number(criticalText), unit });
    if (threshold.promql.trim() === '') problems.push(`${where} has no PromQL`);
    if (threshold.procedureIds.length === 0) problems.push(`${where} links no procedure`);
  });
  same(
    'alert channels',
    runbook.alertChannels.map((c) => ({ alertClass: c.alertClass, route: c.route })),
    list('Alert Channels').map((b) => ({ alertClass: b.key.split(' ')[0]?.toLowerCase(), route: b.value })),
  );

  // Routine operations: daily and weekly are bash blocks (below); monthly is a list of tasks.
  same(
    'monthly checks',
    runbook.checks.monthly.map((t) => t.label),
    list('Monthly Checks').map((b) => b.value),
  );

  // Severities.
  const severityHeadings = located.filter((l) => l.h[2] === 'Severity Levels' && l.h[3] && l.token.type === 'list');
  same('severities', runbook.severities.map((s) => s.id), severityHeadings.map((l) => l.h[3]?.split(' - ')[0]));
  for (const l of severityHeadings) {
    const heading = l.h[3] ?? '';
    covered.add(heading);
    const [id, name] = heading.split(' - ').map((s) => s.trim());
    const fields = Object.fromEntries(bullets(l.token).map((b) => [b.key, b.value]));
    const severity = runbook.severities.find((s) => s.id === id);
    if (!severity) continue;
    const responseText = fields['Response Time'] ?? '';
    const minutes = /^(\d+) (minute|hour)s?$/.exec(responseText);
    same(
      `severity ${id}`,
      {
        name: severity.name,
        definition: severity.definition,
        responseTimeText: severity.responseTimeText,
        responseTime: severity.responseTime,
        escalationText: severity.escalationText,
        escalation: severity.escalation.map((e) => e.label),
      },
      {
        name,
        definition: fields.Definition,
        responseTimeText: responseText,
        responseTime: minutes
          ? { kind: 'minutes', minutes: Number(minutes[1]) * (minutes[2] === 'hour' ? 60 : 1) }
          : { kind: 'next-business-day' },
        escalationText: fields.Escalation,
        escalation: (fields.Escalation ?? '').split(' + ').map((s) => s.replace(/^Immediate /, '')),
      },
    );
  }

  // Incident process: four numbered stages; bash blocks become steps (below), bullets become tasks.
  covered.add('Incident Response Process');
  const stages = new Map<number, string>();
  for (const l of located.filter((x) => x.order !== undefined && x.h[2] === 'Incident Response Process')) {
    stages.set(l.order ?? 0, l.label ?? '');
    if (l.token.type !== 'list') continue;
    const stage = runbook.incidentProcess.find((s) => s.order === l.order);
    same(`incident stage ${l.order} (${l.label}) tasks`, stage?.tasks.map((t) => t.label), (l.token as Tokens.List).items.map((i) => i.text.trim()));
  }
  same(
    'incident stages',
    runbook.incidentProcess.map((s) => ({ order: s.order, title: s.title })),
    [...stages].map(([order, title]) => ({ order, title })),
  );

  // Symptoms of the troubleshooting issues.
  for (const l of located.filter((x) => x.h[2] === 'Common Issues' && x.token.type === 'paragraph')) {
    const match = /^\*\*Symptoms\*\*:\s*(.+)$/.exec((l.token as Tokens.Paragraph).text.trim());
    if (!match) continue;
    const procedure = runbook.procedures.find((p) => p.title === l.h[3]);
    same(`symptoms of "${l.h[3]}"`, procedure?.symptoms, (match[1] ?? '').split(', '));
  }

  // Appendix.
  same(
    'emergency contacts',
    runbook.contacts.filter((c) => c.group === 'emergency').map((c) => ({ role: c.role, phone: c.phone })),
    list('Emergency Contacts').map((b) => ({ role: b.key, phone: b.value })),
  );
  same(
    'external dependencies',
    runbook.externalDependencies,
    list('External Dependencies').map((b) => ({ name: b.key, provider: b.value })),
  );

  // Every bash block, command by command, in its place.
  const matched = new Set<Step[]>();
  const compareSteps = (where: string, steps: Step[] | undefined, block: string) => {
    if (!steps) {
      problems.push(`${where}: no such place in the runbook for a bash block of the source`);
      return;
    }
    matched.add(steps);
    const expected = splitBashBlock(block);
    const actual = steps.map((s) => normalizeCommand(s.command));
    const wanted = expected.map((e) => normalizeCommand(e.command));
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
      const missing = wanted.filter((c) => !actual.includes(c));
      const extra = actual.filter((c) => !wanted.includes(c));
      problems.push(
        `${where}: steps do not match the source block` +
          (missing.length ? `; missing: ${missing.map((c) => JSON.stringify(c)).join(', ')}` : '') +
          (extra.length ? `; not in the source: ${extra.map((c) => JSON.stringify(c)).join(', ')}` : '') +
          (!missing.length && !extra.length ? `; order or count differs: ${JSON.stringify(actual)} vs ${JSON.stringify(wanted)}` : ''),
      );
      return;
    }
    expected.forEach((e, i) => {
      const step = steps[i];
      if (!step) return;
      if (!step.title.startsWith(e.title)) problems.push(`${where} step ${step.id}: title "${step.title}" should start with "${e.title}"`);
      if (e.note && !step.notes?.includes(e.note)) problems.push(`${where} step ${step.id}: notes should include "${e.note}"`);
    });
  };

  for (const l of located) {
    const code = l.token as Tokens.Code;
    if (l.token.type !== 'code' || code.lang !== 'bash') continue;
    const [, h2 = '', h3 = '', h4] = l.h;
    covered.add(h3);
    if (h4) covered.add(h4);
    if (h3 === 'Daily Checks') compareSteps('checks.daily', runbook.checks.daily, code.text);
    else if (h3 === 'Weekly Checks') compareSteps('checks.weekly', runbook.checks.weekly, code.text);
    else if (h3 === 'Incident Response Process') {
      const stage = runbook.incidentProcess.find((s) => s.order === l.order);
      compareSteps(`incident stage ${l.order} (${l.label})`, stage?.steps, code.text);
    } else if (h3 === 'Useful Commands') {
      const aliases = splitBashBlock(code.text);
      same('aliases', runbook.aliases.map((a) => normalizeCommand(a.command)), aliases.map((a) => normalizeCommand(a.command)));
      for (const source of aliases) {
        const match = /^alias ([\w-]+)='(.*)'$/.exec(source.command);
        const alias = runbook.aliases.find((a) => normalizeCommand(a.command) === normalizeCommand(source.command));
        if (!match || !alias) continue;
        same(`alias ${match[1]} name`, alias.name, match[1]);
        compareSteps(
          `alias ${match[1]}`,
          alias.steps,
          (match[2] ?? '')
            .split(' && ')
            .map((c) => `# ${source.title}\n${c}`)
            .join('\n\n'),
        );
      }
    } else {
      const title = h4 ?? h3;
      const procedure = runbook.procedures.find((p) => p.title === title);
      if (!procedure) {
        problems.push(`no procedure titled "${title}" (source section ${l.h.filter(Boolean).join(' › ')})`);
        continue;
      }
      same(`category of "${title}"`, procedure.category, PROCEDURE_CATEGORY[h4 ? h3 : h2] ?? PROCEDURE_CATEGORY[h2]);
      if (h4 && h3 !== 'Common Issues') same(`group of "${title}"`, procedure.group, h3);
      const section = l.label
        ? procedure.sections.find((s) => s.title === l.label && s.kind === l.label?.toLowerCase())
        : procedure.sections.length === 1 && procedure.sections[0]?.kind === 'steps'
          ? procedure.sections[0]
          : undefined;
      compareSteps(`procedure "${title}"${l.label ? ` › ${l.label}` : ''}`, section?.steps, code.text);
    }
  }

  const fences = markdown.match(/^\s*```bash\s*$/gm)?.length ?? 0;
  const blocks = located.filter((l) => l.token.type === 'code' && (l.token as Tokens.Code).lang === 'bash').length;
  if (blocks !== fences) problems.push(`read ${blocks} bash blocks, but the source has ${fences} \`\`\`bash fences`);

  // Nothing in the runbook that no source block accounts for.
  const everyStepList: [string, Step[]][] = [
    ['checks.daily', runbook.checks.daily],
    ['checks.weekly', runbook.checks.weekly],
    ...runbook.incidentProcess.filter((s) => s.steps.length > 0).map((s): [string, Step[]] => [`incidentProcess ${s.id}`, s.steps]),
    ...runbook.procedures.flatMap((p) => p.sections.map((s): [string, Step[]] => [`procedure ${p.id} section ${s.id}`, s.steps])),
    ...runbook.aliases.map((a): [string, Step[]] => [`alias ${a.id}`, a.steps]),
  ];
  for (const [where, steps] of everyStepList) {
    if (!matched.has(steps)) problems.push(`${where} matches no bash block of the source`);
  }

  for (const l of located) {
    for (const heading of l.h.slice(1)) {
      if (heading && !covered.has(heading) && !CONTAINER_HEADINGS.has(heading)) {
        problems.push(`source section "${heading}" is not checked`);
        covered.add(heading);
      }
    }
  }
  return problems;
}

// ── The tests ───────────────────────────────────────────────────────────────────────────────────

const markdown = readFileSync(SOURCE, 'utf8');
let runbook: Runbook;
beforeAll(async () => {
  runbook = await loadRunbookFile(BUNDLED);
});

/** Every place a step or list item can be deleted from, as functions that delete it from a copy. */
function deletions(rb: Runbook): { what: string; apply: (copy: Runbook) => void }[] {
  const out: { what: string; apply: (copy: Runbook) => void }[] = [];
  const stepLists: [string, (r: Runbook) => Step[]][] = [
    ['checks.daily', (r) => r.checks.daily],
    ['checks.weekly', (r) => r.checks.weekly],
    ...rb.incidentProcess.map((_, i): [string, (r: Runbook) => Step[]] => [`incidentProcess[${i}].steps`, (r) => r.incidentProcess[i]?.steps ?? []]),
    ...rb.procedures.flatMap((p, i) =>
      p.sections.map((_, j): [string, (r: Runbook) => Step[]] => [`procedures[${i}].sections[${j}].steps`, (r) => r.procedures[i]?.sections[j]?.steps ?? []]),
    ),
    ...rb.aliases.map((_, i): [string, (r: Runbook) => Step[]] => [`aliases[${i}].steps`, (r) => r.aliases[i]?.steps ?? []]),
  ];
  for (const [where, get] of stepLists) {
    get(rb).forEach((step, k) => out.push({ what: `${where}[${k}] (${step.id})`, apply: (copy) => void get(copy).splice(k, 1) }));
  }
  const lists: [string, (r: Runbook) => unknown[]][] = [
    ['contacts', (r) => r.contacts],
    ['links', (r) => r.links],
    ['alertChannels', (r) => r.alertChannels],
    ['keyMetrics', (r) => r.keyMetrics],
    ['severities', (r) => r.severities],
    ['thresholds', (r) => r.thresholds],
    ['checks.monthly', (r) => r.checks.monthly],
    ['incidentProcess', (r) => r.incidentProcess],
    ['procedures', (r) => r.procedures],
    ['aliases', (r) => r.aliases],
    ['externalDependencies', (r) => r.externalDependencies],
    ['service.dependencies', (r) => r.service.dependencies],
    ...rb.incidentProcess.map((_, i): [string, (r: Runbook) => unknown[]] => [`incidentProcess[${i}].tasks`, (r) => r.incidentProcess[i]?.tasks ?? []]),
    ...rb.severities.map((_, i): [string, (r: Runbook) => unknown[]] => [`severities[${i}].escalation`, (r) => r.severities[i]?.escalation ?? []]),
    ...rb.procedures.map((_, i): [string, (r: Runbook) => unknown[]] => [`procedures[${i}].sections`, (r) => r.procedures[i]?.sections ?? []]),
    ...rb.procedures.map((_, i): [string, (r: Runbook) => unknown[]] => [`procedures[${i}].symptoms`, (r) => r.procedures[i]?.symptoms ?? []]),
  ];
  for (const [where, get] of lists) {
    get(rb).forEach((_, k) => out.push({ what: `${where}[${k}]`, apply: (copy) => void get(copy).splice(k, 1) }));
  }
  return out;
}

describe('coverage of the source runbook', () => {
  it('the bundled runbook holds every command and every section of the source', () => {
    expect(coverageProblems(markdown, runbook)).toEqual([]);
  });

  it('notices the deletion of any single step, task, contact, severity, threshold or other item', () => {
    const all = deletions(runbook);
    expect(all.length).toBeGreaterThan(150);
    const unnoticed = all
      .filter(({ apply }) => {
        const copy = structuredClone(runbook);
        apply(copy);
        return coverageProblems(markdown, copy).length === 0;
      })
      .map(({ what }) => what);
    expect(unnoticed).toEqual([]);
  });

  it('notices an edited command, a reordered block and a step moved to another procedure', () => {
    const edited = structuredClone(runbook);
    const restart = edited.procedures.find((p) => p.id === 'high-error-rates')?.sections[1]?.steps[0];
    if (!restart) throw new Error('fixture changed');
    restart.command = restart.command.replace('rollout restart', 'rollout  restart');
    expect(coverageProblems(markdown, edited).join('\n')).toMatch(/High Error Rates" › Resolution: steps do not match/);

    const reordered = structuredClone(runbook);
    reordered.checks.daily.reverse();
    expect(coverageProblems(markdown, reordered).join('\n')).toMatch(/checks\.daily: steps do not match.*order or count differs/);

    const moved = structuredClone(runbook);
    const step = moved.procedures[0]?.sections[0]?.steps.pop();
    if (!step) throw new Error('fixture changed');
    moved.procedures[1]?.sections[0]?.steps.push(step);
    expect(coverageProblems(markdown, moved).length).toBeGreaterThanOrEqual(2);
  });

  it('notices changed text outside the bash blocks', () => {
    const changed = structuredClone(runbook);
    const sev1 = changed.severities[0];
    if (!sev1) throw new Error('fixture changed');
    sev1.escalationText = 'PagerDuty alert';
    const threshold = changed.thresholds[0];
    if (!threshold) throw new Error('fixture changed');
    threshold.critical = 6;
    changed.service.architecture = changed.service.architecture.replace('Redis', 'Valkey');
    const problems = coverageProblems(markdown, changed).join('\n');
    expect(problems).toMatch(/severity SEV1/);
    expect(problems).toMatch(/thresholds\[0\] \(API Response Time \(P95\)\) numbers/);
    expect(problems).toMatch(/architecture diagram/);
  });

  it('notices a new section in the source that nothing checks', () => {
    const extended = markdown.replace('### Emergency Contacts', '### Pager Rotation\n\n- **Week 1**: Alice\n\n### Emergency Contacts');
    expect(coverageProblems(extended, runbook)).toContain('source section "Pager Rotation" is not checked');
  });

  it('notices a new command in the source', () => {
    const extended = markdown.replace('kubectl top nodes\nkubectl top pods', 'kubectl top nodes\nkubectl get events -n codesign-production\nkubectl top pods');
    expect(coverageProblems(extended, runbook).join('\n')).toMatch(/checks\.daily: .*missing: "kubectl get events -n codesign-production"/);
  });
});

describe('splitBashBlock', () => {
  it('keeps a multi-line quoted argument as one command and titles it from the comment above', () => {
    const block = ['# Check database', 'psql -c "', 'SELECT 1;', '-- a comment', '"', 'echo done'].join('\n');
    expect(splitBashBlock(block)).toEqual([
      { title: 'Check database', command: 'psql -c "\nSELECT 1;\n-- a comment\n"' },
      { title: 'Check database', command: 'echo done' },
    ]);
  });

  it('follows backslash continuations, escaped quotes and single quotes', () => {
    const block = [
      '# Rotate',
      'kubectl create secret generic s \\',
      '  --from-literal=a="$(openssl rand -base64 32)" \\',
      '  -n ns',
      `python -c "print(f'{r[\\"x\\"]}')"`,
      `jq '.a | select(.b=="c")'`,
    ].join('\n');
    expect(splitBashBlock(block).map((c) => c.command)).toEqual([
      'kubectl create secret generic s \\\n--from-literal=a="$(openssl rand -base64 32)" \\\n-n ns',
      `python -c "print(f'{r[\\"x\\"]}')"`,
      `jq '.a | select(.b=="c")'`,
    ]);
  });

  it('turns a comment-only paragraph into a manual item and a trailing comment into a note', () => {
    const block = ['# Analyze trends', '# Open Grafana', '', '# Renew', 'kubectl delete certificate x', '# it comes back'].join('\n');
    expect(splitBashBlock(block)).toEqual([
      { title: 'Analyze trends', command: '# Open Grafana' },
      { title: 'Renew', command: 'kubectl delete certificate x', note: 'it comes back' },
    ]);
  });

  it('refuses a block whose quote never closes', () => {
    expect(() => splitBashBlock('echo "open')).toThrow(/unterminated command/);
  });
});
