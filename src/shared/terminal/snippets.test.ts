import { describe, expect, it } from 'vitest';
import { recordingName } from './model';
import { aliasScript, looksDestructive, opensInTerminal, snippetText } from './snippets';

describe('runbook snippets for the terminal', () => {
  it('opens snippets and host commands in the terminal, not typed actions', () => {
    expect(opensInTerminal({ action: { type: 'terminal.snippet' } })).toBe(true);
    expect(opensInTerminal({ action: { type: 'host.command' } })).toBe(true);
    expect(opensInTerminal({ action: { type: 'k8s.scale' } })).toBe(false);
  });

  it('fills declared inputs, the namespace and dates, and leaves secrets to the shell', () => {
    const step = {
      command: 'kubectl logs -n $NAMESPACE deploy/codesign-api | grep "user=${USER_ID}" > /tmp/audit-{date:YYYYMMDD}.log; redis-cli -a "$REDIS_PASSWORD" ping',
      inputs: [
        { name: 'NAMESPACE', label: 'Namespace' },
        { name: 'USER_ID', label: 'User id', pattern: '[A-Za-z0-9@._-]+' },
        { name: 'REDIS_PASSWORD', label: 'Redis password', secret: true },
      ],
    };
    const text = snippetText(step, { NAMESPACE: 'codesign-production', USER_ID: 'ada@example.com', REDIS_PASSWORD: 'never-pasted' }, new Date('2026-12-01T23:00:00Z'));
    expect(text).toBe('kubectl logs -n codesign-production deploy/codesign-api | grep "user=ada@example.com" > /tmp/audit-20261201.log; redis-cli -a "$REDIS_PASSWORD" ping');
    expect(text).not.toContain('never-pasted');
  });

  it('refuses a value that could break out of its quotes, and a missing one', () => {
    const step = { command: 'grep "user=$USER_ID" audit.log', inputs: [{ name: 'USER_ID', label: 'User id', pattern: '[A-Za-z0-9@._-]+' }] };
    expect(() => snippetText(step, { USER_ID: 'x"; rm -rf ~; echo "' })).toThrow(/USER_ID does not match/);
    expect(() => snippetText(step, {})).toThrow(/missing input USER_ID/);
  });

  it('drops trailing newlines, so pasting does not press Enter', () => {
    expect(snippetText({ command: 'df -h\n\n' }, {})).toBe('df -h');
  });

  it.each([
    'rm -rf /var/lib/postgresql/data',
    'kubectl delete pod -l app=codesign-api -n codesign-production',
    'kubectl drain node-1 --ignore-daemonsets',
    'docker system prune -af',
    'psql -c "DROP TABLE sessions"',
    'psql -c "delete from audit_log"',
    'redis-cli FLUSHALL',
    'dd if=/dev/zero of=/dev/sda bs=1M',
    'kill -9 4242',
    'echo nameserver 1.1.1.1 > /etc/resolv.conf',
    'kubectl delete pods --grace-period=0 --force',
  ])('marks %j as destructive-looking', (command) => {
    expect(looksDestructive(command)).toBe(true);
  });

  it.each(['df -h', 'tail -f /var/log/security/auth.log | grep FAIL', 'kubectl get pods -n codesign-production', 'echo done >> /tmp/notes.txt', 'ls -rt'])(
    'does not mark %j',
    (command) => {
      expect(looksDestructive(command)).toBe(false);
    },
  );

  it('marks anything the runbook itself calls destructive', () => {
    expect(looksDestructive('./scripts/restore.sh', 'destructive')).toBe(true);
    expect(looksDestructive('./scripts/restore.sh', 'change')).toBe(false);
  });

  it('pastes the appendix aliases one per line', () => {
    expect(aliasScript([{ command: "alias health-check='kubectl get pods -n codesign-production'\n" }, { command: '  alias k=kubectl' }])).toBe(
      "alias health-check='kubectl get pods -n codesign-production'\nalias k=kubectl",
    );
  });

  it('names a recording by its context and start, safe as a file name', () => {
    expect(recordingName('drill', new Date('2026-12-01T23:04:05.678Z'))).toBe('terminal-drill-2026-12-01T230405Z.cast');
    expect(recordingName('arn:aws:eks/prod cluster', new Date('2026-12-01T23:04:05Z'))).toBe('terminal-arn_aws_eks_prod_cluster-2026-12-01T230405Z.cast');
  });
});
