/**
 * Which links the desktop shell may hand to the system browser: the runbook's own links open at
 * once; any other http(s) link (one the responder clicked in a rendered note) is opened only
 * after the responder says yes to the exact address; everything else (file:, javascript:,
 * custom schemes, malformed) is refused.
 */
export type LinkDecision = { action: 'open'; url: string } | { action: 'ask'; url: string; host: string } | { action: 'deny'; reason: string };

export function decideLink(raw: string, trusted: ReadonlySet<string>): LinkDecision {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { action: 'deny', reason: 'not a valid address' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { action: 'deny', reason: `${url.protocol} links are not opened` };
  if (url.username || url.password) return { action: 'deny', reason: 'links with credentials in them are not opened' };
  if (trusted.has(url.href)) return { action: 'open', url: url.href };
  return { action: 'ask', url: url.href, host: url.host };
}

/** Every link the runbook itself names (its `links` section), normalised as `URL.href`. */
export function runbookLinks(runbook: { links: ReadonlyArray<{ url: string }> } | undefined): Set<string> {
  const links = new Set<string>();
  for (const link of runbook?.links ?? []) {
    try {
      links.add(new URL(link.url).href);
    } catch {
      // the schema admits only valid URLs; nothing to add
    }
  }
  return links;
}
