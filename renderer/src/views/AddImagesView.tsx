// Add images: a drop zone and a file picker. Every file is inspected at once; each card shows its
// name and verdict, and opens on its format, sizes, the reasons a file is blocked, and its
// pre-filled metadata form. Many files are handled together: select them, fill the batch editor
// (or a preset) and apply it to all or to the selected ones, remove every blocked file at once.
// Above Upload: what is about to be sent against the project's quota; what cannot fit is not sent.
import { useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { formatBytes } from '../../../shared/format.ts';
import { checkImageCount, checkUsage } from '../../../shared/quota.ts';
import type { UploadRequest } from '../../../shared/upload.ts';
import { dropFiles, pickFiles, startUploads } from '../bridge.ts';
import { draftVerdict } from '../store/draft-form.ts';
import { useAppStore } from '../store/index.ts';
import { BatchEditor } from './add/BatchEditor.tsx';
import { DraftToolbar } from './add/DraftToolbar.tsx';
import { UsageMeter } from './add/UsageMeter.tsx';
import { DraftCard } from './DraftCard.tsx';

export function AddImagesView() {
  const { t } = useTranslation('add');
  const draftOrder = useAppStore((s) => s.draftOrder);
  const connected = useAppStore((s) => s.session !== null);
  return (
    <section aria-labelledby="add-heading" className="view">
      <h2 id="add-heading">{t('heading')}</h2>
      {connected ? null : (
        <p className="note" role="note">
          {t('notConnected')}
        </p>
      )}
      <DropZone />
      {draftOrder.length > 1 ? <BatchEditor /> : null}
      {draftOrder.length > 0 ? <DraftToolbar /> : null}
      {draftOrder.length > 0 ? (
        <ul className="draft-list" aria-label={t('list.label')}>
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
  const { t } = useTranslation('add');
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
      aria-label={t('drop.label')}
      onDragEnter={onDragOver}
      onDragOver={onDragOver}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p className="drop-zone-text">{t('drop.text')}</p>
      <p className="drop-zone-or">{t('drop.or')}</p>
      <button type="button" onClick={() => void pickFiles()}>
        {t('drop.choose')}
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
  const { t } = useTranslation('add');
  const { ready, blocked, pending, total, bytes } = useAppStore(
    useShallow((s) => {
      let ready = 0;
      let blocked = 0;
      let pending = 0;
      let bytes = 0;
      for (const id of s.draftOrder) {
        const draft = s.drafts[id];
        if (!draft) continue;
        const verdict = draftVerdict(draft, s.session);
        if (verdict.kind === 'ready') {
          ready += 1;
          bytes += verdict.bytes;
        } else if (verdict.kind === 'blocked') blocked += 1;
        else pending += 1;
      }
      return { ready, blocked, pending, total: s.draftOrder.length, bytes };
    }),
  );
  const session = useAppStore((s) => s.session);
  const usage = useAppStore((s) => s.usage);
  const submitting = useAppStore((s) => s.submitting);
  if (total === 0) return null;
  const connected = session !== null;

  // What cannot fit is refused here as main refuses it (shared/quota.ts), with the numbers.
  const report = usage.cloudKey === session?.cloudKey ? usage.report : null;
  let refusal: string | null = null;
  if (report && ready > 0) {
    const space = checkUsage(report, bytes);
    const count = checkImageCount(report, ready);
    if (!space.fits && report.limitBytes !== null)
      refusal = t('submit.tooBig', {
        need: formatBytes(bytes),
        left: formatBytes(space.leftBytes),
        limit: formatBytes(report.limitBytes),
      });
    else if (!count.fits && report.images)
      refusal = t('submit.tooMany', {
        count: ready,
        left: Math.max(0, report.images.limit - report.images.used - report.images.pending),
      });
  }

  return (
    <div className="submit-bar">
      {connected ? <UsageMeter adding={{ count: ready, bytes }} /> : null}
      <p id="submit-summary" aria-live="polite">
        {t('submit.ready', { count: ready })}
        {blocked > 0 ? t('submit.blocked', { count: blocked }) : ''}
        {pending > 0 ? t('submit.pending', { count: pending }) : ''}
        {t('submit.end')}
        {!connected ? t('submit.connect') : ''}
      </p>
      {refusal ? (
        <p id="submit-refusal" className="field-error" role="status">
          {refusal}
        </p>
      ) : null}
      <button
        type="button"
        className="primary"
        disabled={!connected || ready === 0 || submitting || refusal !== null}
        aria-describedby={refusal ? 'submit-summary submit-refusal' : 'submit-summary'}
        onClick={() => {
          const { requests, ids } = readyRequests();
          void startUploads(requests, ids);
        }}
      >
        {t('submit.upload')}
      </button>
    </div>
  );
}
