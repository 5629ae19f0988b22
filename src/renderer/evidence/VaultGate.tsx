import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { passphraseProblem } from '../../shared/evidence';
import { useCockpit } from '../state/store';

/**
 * Nothing is recorded until the evidence store is open. With safeStorage the store opens by
 * itself; otherwise the responder sets or enters a passphrase, and is told why.
 */
export function VaultGate({ children }: { children: ReactNode }) {
  const vault = useCockpit((s) => s.vault);
  const openVault = useCockpit((s) => s.openVault);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    if (vault && vault.state !== 'unlocked' && vault.method === 'safeStorage' && !vault.reason) void openVault();
  }, [vault, openVault]);

  if (!vault) return <p className="muted gate-wait">Opening the evidence store…</p>;
  if (vault.state === 'unlocked') return <>{children}</>;
  const creating = vault.state === 'uninitialised';
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (creating && passphrase !== confirm) {
      setError('The two passphrases differ.');
      return;
    }
    setBusy(true);
    setError(await openVault(passphrase));
    setBusy(false);
  };
  return (
    <form className="panel vault-gate" onSubmit={(e) => void submit(e)} aria-labelledby="vault-title">
      <h1 id="vault-title">{creating ? 'Set up the evidence store' : 'Unlock the evidence store'}</h1>
      <p>
        Incidents, notes and captures are kept encrypted on this machine.{' '}
        {vault.reason ? `A passphrase protects the key because ${vault.reason}.` : 'A passphrase protects the key.'}
      </p>
      {creating ? <p className="muted small">Choose at least 8 characters. There is no recovery: without the passphrase the evidence cannot be read.</p> : null}
      <label className="field">
        <span>Passphrase</span>
        <input type="password" name="passphrase" autoComplete={creating ? 'new-password' : 'current-password'} value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoFocus />
      </label>
      {creating ? (
        <label className="field">
          <span>Repeat passphrase</span>
          <input type="password" name="confirm" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
        </label>
      ) : null}
      {creating && passphrase.length > 0 && passphraseProblem(passphrase) ? (
        <p className="small muted" data-testid="passphrase-hint">
          {passphraseProblem(passphrase)}
        </p>
      ) : null}
      {error ? (
        <p className="error-detail" role="alert" data-testid="vault-error">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button primary" disabled={busy || passphrase.length < (creating ? 8 : 1)}>
        {busy ? 'Working…' : creating ? 'Create evidence store' : 'Unlock'}
      </button>
    </form>
  );
}
