/**
 * Label selectors as `kubectl get -l` reads them: `app=api`, `tier!=db`, `env in (a,b)`,
 * `env notin (a)`, `canary`, `!canary`, comma-separated (all must hold).
 */
export type SelectorTerm =
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

/** Parses a selector; throws an Error naming the part it cannot read. */
export function parseLabelSelector(text: string): SelectorTerm[] {
  const terms: SelectorTerm[] = [];
  const parts = text.match(/(?:[^,(]+(?:\([^)]*\))?)+/g) ?? [];
  for (const raw of parts) {
    const part = raw.trim();
    if (!part) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
      terms.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()).filter(Boolean) });
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(part))) {
      terms.push({ key: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! });
    } else if ((m = /^(!?)([\w./-]+)$/.exec(part))) {
      terms.push({ key: m[2]!, op: m[1] ? '!exists' : 'exists' });
    } else {
      throw new Error(`cannot read "${part}" as a label selector term (key=value, key!=value, key in (a,b), key, !key)`);
    }
  }
  return terms;
}

export function matchesLabelSelector(labels: Record<string, string> | undefined, terms: readonly SelectorTerm[]): boolean {
  const l = labels ?? {};
  return terms.every((t) => {
    const has = Object.hasOwn(l, t.key);
    switch (t.op) {
      case '=':
        return l[t.key] === t.value;
      case '!=':
        return l[t.key] !== t.value;
      case 'in':
        return has && t.values.includes(l[t.key]!);
      case 'notin':
        return !has || !t.values.includes(l[t.key]!);
      case 'exists':
        return has;
      case '!exists':
        return !has;
    }
  });
}
