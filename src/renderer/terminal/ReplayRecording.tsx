import type { EvidenceAttachment } from '../../shared/evidence';
import { useCockpit } from '../state/store';

/** "Replay" beside a terminal recording (a `.cast` attachment) in the Evidence panel. */
export function ReplayRecording({ incidentId, attachment }: { incidentId: string; attachment: EvidenceAttachment }) {
  const openRecording = useCockpit((s) => s.openRecording);
  const navigate = useCockpit((s) => s.navigate);
  if (!attachment.name.endsWith('.cast')) return null;
  return (
    <button
      type="button"
      className="link-button"
      onClick={() => {
        void openRecording(incidentId, attachment.sha256).then(() => navigate({ panel: 'terminal' }));
      }}
    >
      Replay
    </button>
  );
}
