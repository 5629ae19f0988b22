import { useCockpit } from '../state/store';

/** The last failed action, with its error code, until the user dismisses it. */
export function Notice() {
  const notice = useCockpit((s) => s.notice);
  const dismiss = useCockpit((s) => s.dismissNotice);
  if (!notice) return null;
  return (
    <div className="notice" role="alert">
      <strong>{notice.code}</strong> {notice.message}
      <button type="button" className="link-button" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
