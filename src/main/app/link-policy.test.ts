import { describe, expect, it } from 'vitest';
import { decideLink, runbookLinks } from './link-policy';

describe('decideLink', () => {
  const trusted = runbookLinks({ links: [{ url: 'https://status.codesign.example/' }, { url: 'https://grafana.codesign.example/d/api' }] });

  it('opens the runbook’s own links at once', () => {
    expect(decideLink('https://status.codesign.example/', trusted)).toEqual({ action: 'open', url: 'https://status.codesign.example/' });
    expect(decideLink('https://grafana.codesign.example/d/api', trusted)).toMatchObject({ action: 'open' });
  });

  it('asks before any other http(s) link, naming its host', () => {
    expect(decideLink('https://evil.example/phish?x=1', trusted)).toEqual({ action: 'ask', url: 'https://evil.example/phish?x=1', host: 'evil.example' });
    expect(decideLink('https://status.codesign.example/other', trusted)).toMatchObject({ action: 'ask' });
  });

  it('refuses other schemes, credentials in the address and garbage', () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'vscode://x', 'not a url']) {
      expect(decideLink(url, trusted)).toMatchObject({ action: 'deny' });
    }
    expect(decideLink('https://user:pw@status.codesign.example/', trusted)).toMatchObject({ action: 'deny' });
  });
});
