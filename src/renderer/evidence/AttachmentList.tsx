import { useState } from 'react';
import type { AttachmentPreview, EvidenceAttachment } from '../../shared/evidence';
import { clockTime } from '../shell/format';
import { useCockpit } from '../state/store';
import { ReplayRecording } from '../terminal/ReplayRecording';

const size = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);

export function AttachmentList({ incidentId, attachments }: { incidentId: string; attachments: EvidenceAttachment[] }) {
  const [preview, setPreview] = useState<AttachmentPreview | { error: string } | undefined>();
  const readAttachment = useCockpit((s) => s.readAttachment);
  if (attachments.length === 0) return <p className="muted small">No attachments.</p>;
  const show = async (sha256: string) => setPreview(await readAttachment(incidentId, sha256));
  return (
    <>
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Size</th>
            <th>SHA-256</th>
            <th>Added</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {attachments.map((a) => (
            <tr key={a.sha256}>
              <td>
                {a.name} {a.redacted ? <span className="chip">redacted</span> : null}
              </td>
              <td>{size(a.size)}</td>
              <td>
                <code className="small">{a.sha256.slice(0, 16)}…</code>
              </td>
              <td className="small">
                #{a.seq} {clockTime(a.at)} {a.actor}
              </td>
              <td>
                {a.mediaType.startsWith('text/') ? (
                  <button type="button" className="link-button" onClick={() => void show(a.sha256)}>
                    Preview
                  </button>
                ) : null}
                <ReplayRecording incidentId={incidentId} attachment={a} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {preview ? (
        'error' in preview ? (
          <p className="error-detail">{preview.error}</p>
        ) : (
          <pre className="command attachment-preview">
            {preview.text}
            {preview.truncated ? `\n… (${size(preview.size)} in all)` : ''}
          </pre>
        )
      ) : null}
    </>
  );
}
