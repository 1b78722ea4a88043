// Add images: a drop zone and a file picker. Every file is inspected at once; each card shows
// its format, sizes and safety verdict, blocks an unsafe file with its reasons, and holds the
// pre-filled metadata form. "Upload" sends every safe, ready file.
import { useState, type DragEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { dropFiles, pickFiles, startUploads } from '../bridge.ts';
import { formatCount } from '../format/display.ts';
import { draftVerdict } from '../store/draft-form.ts';
import { useAppStore } from '../store/index.ts';
import type { UploadRequest } from '../../../shared/upload.ts';
import { DraftCard } from './DraftCard.tsx';

export function AddImagesView() {
  const draftOrder = useAppStore((s) => s.draftOrder);
  const connected = useAppStore((s) => s.session !== null);
  return (
    <section aria-labelledby="add-heading" className="view">
      <h2 id="add-heading">Add images</h2>
      {connected ? null : (
        <p className="note" role="note">
          Not connected: files can be checked now, and uploaded once you connect.
        </p>
      )}
      <DropZone />
      {draftOrder.length > 0 ? (
        <ul className="draft-list" aria-label="Files to upload">
          {draftOrder.map((id) => (
            <DraftCard key={id} id={id} />
          ))}
        </ul>
      ) : null}
      <SubmitBar />
    </section>
  );
}

function DropZone() {
  const [over, setOver] = useState(false);

  function onDragOver(event: DragEvent<HTMLElement>) {
    // Without this the browser refuses the drop.
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    if (!over) setOver(true);
  }

  function onDrop(event: DragEvent<HTMLElement>) {
    event.preventDefault();
    setOver(false);
    const files = Array.from(event.dataTransfer.files);
    if (files.length > 0) void dropFiles(files);
  }

  return (
    <section
      className={over ? 'drop-zone drop-zone-over' : 'drop-zone'}
      aria-label="Drop zone"
      onDragEnter={onDragOver}
      onDragOver={onDragOver}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p className="drop-zone-text">Drop disk images here (qcow2, raw, vmdk, vhd, vhdx, vdi, iso …)</p>
      <p className="drop-zone-or">or</p>
      <button type="button" onClick={() => void pickFiles()}>
        Choose files…
      </button>
    </section>
  );
}

/** The ready requests, read at click time (not in render, so typing stays cheap). */
function readyRequests(): { requests: UploadRequest[]; ids: string[] } {
  const { drafts, draftOrder, session } = useAppStore.getState();
  const requests: UploadRequest[] = [];
  const ids: string[] = [];
  for (const id of draftOrder) {
    const draft = drafts[id];
    if (!draft) continue;
    const verdict = draftVerdict(draft, session);
    if (verdict.kind === 'ready') {
      requests.push(verdict.request);
      ids.push(id);
    }
  }
  return { requests, ids };
}

function SubmitBar() {
  const { ready, blocked, pending, total } = useAppStore(
    useShallow((s) => {
      let ready = 0;
      let blocked = 0;
      let pending = 0;
      for (const id of s.draftOrder) {
        const draft = s.drafts[id];
        if (!draft) continue;
        const kind = draftVerdict(draft, s.session).kind;
        if (kind === 'ready') ready += 1;
        else if (kind === 'blocked') blocked += 1;
        else pending += 1;
      }
      return { ready, blocked, pending, total: s.draftOrder.length };
    }),
  );
  const connected = useAppStore((s) => s.session !== null);
  const submitting = useAppStore((s) => s.submitting);
  if (total === 0) return null;

  return (
    <div className="submit-bar">
      <p id="submit-summary" aria-live="polite">
        {formatCount(ready, 'file')} ready
        {blocked > 0 ? `, ${blocked} blocked` : ''}
        {pending > 0 ? `, ${pending} not ready yet` : ''}.{!connected ? ' Connect to upload.' : ''}
      </p>
      <button
        type="button"
        className="primary"
        disabled={!connected || ready === 0 || submitting}
        aria-describedby="submit-summary"
        onClick={() => {
          const { requests, ids } = readyRequests();
          void startUploads(requests, ids);
        }}
      >
        Upload
      </button>
    </div>
  );
}
