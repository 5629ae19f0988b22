import type { Procedure, ProcedureCategory, Runbook } from '../../shared/runbook/schema';

export interface RunbookSection {
  id: string;
  title: string;
  group: string;
  procedure?: Procedure;
}

const CATEGORY_TITLES: Record<ProcedureCategory, string> = {
  troubleshooting: 'Troubleshooting',
  maintenance: 'Maintenance',
  emergency: 'Emergency',
  security: 'Security',
  compliance: 'Compliance',
  performance: 'Performance',
};

/** The runbook's table of contents, in the order the source has it. */
export function runbookSections(runbook: Runbook): RunbookSection[] {
  const sections: RunbookSection[] = [
    { id: 'overview', title: 'Overview & contacts', group: 'Reference' },
    { id: 'monitoring', title: 'Monitoring & thresholds', group: 'Reference' },
    { id: 'severities', title: 'Severity levels', group: 'Incident response' },
    { id: 'process', title: 'Incident process', group: 'Incident response' },
    { id: 'checks', title: 'Daily, weekly, monthly checks', group: 'Routine operations' },
  ];
  for (const category of Object.keys(CATEGORY_TITLES) as ProcedureCategory[]) {
    for (const procedure of runbook.procedures.filter((p) => p.category === category)) {
      sections.push({ id: procedure.id, title: procedure.title, group: CATEGORY_TITLES[category], procedure });
    }
  }
  sections.push({ id: 'appendix', title: 'Aliases, emergency contacts, dependencies', group: 'Appendix' });
  return sections;
}
