// The one modal question the app asks before something destructive or costly: resuming by
// deleting a stuck image record, deleting stuck images, copying an image to more stores, aborting
// multipart uploads, cancelling every upload, cancelling an upload whose bytes have all been sent.
// Focus moves to the safe choice, stays inside the dialog, Escape cancels, and focus returns where
// it was (dialog-focus.ts).
import { useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { resumeText } from '../../../shared/format.ts';
import { cancelUploads, resumeUploads } from '../bridge.ts';
import { useAppStore } from '../store/index.ts';
import type { Confirmation } from '../store/ui-slice.ts';
import { AbortUploadsDialog } from '../views/dashboard/AbortUploadsDialog.tsx';
import { CopyToStoresDialog } from '../views/dashboard/CopyToStoresDialog.tsx';
import { DeleteImagesDialog } from '../views/dashboard/DeleteImagesDialog.tsx';
import { dialogKeyDown, useDialogFocus } from './dialog-focus.ts';

export function ConfirmDialog() {
  const confirmation = useAppStore((s) => s.confirmation);
  if (confirmation === null) return null;
  return <ConfirmationContent confirmation={confirmation} />;
}

function ConfirmationContent({ confirmation }: { confirmation: Confirmation }) {
  const { t } = useTranslation();
  const close = useAppStore((s) => s.closeConfirmation);
  switch (confirmation.kind) {
    case 'resume-recreate':
      return (
        <DialogFrame
          title={t('confirm.recreateTitle')}
          confirmLabel={t('confirm.recreateConfirm')}
          onCancel={close}
          onConfirm={() => {
            close();
            void resumeUploads(confirmation.uploadIds, { recreate: true });
          }}
        >
          <RecreateList ids={confirmation.uploadIds} />
        </DialogFrame>
      );
    case 'delete-images':
      return <DeleteImagesDialog imageIds={confirmation.imageIds} onClose={close} />;
    case 'cancel-all':
      return (
        <DialogFrame
          title={t('confirm.cancelAllTitle')}
          confirmLabel={t('confirm.cancelAllConfirm')}
          cancelLabel={t('confirm.cancelAllKeep')}
          onCancel={close}
          onConfirm={() => {
            close();
            void cancelUploads('all');
          }}
        >
          <p>{t('confirm.cancelAllBody')}</p>
        </DialogFrame>
      );
    case 'copy-to-stores':
      return <CopyToStoresDialog imageId={confirmation.imageId} onClose={close} />;
    case 'abort-uploads':
      return <AbortUploadsDialog uploadIds={confirmation.uploadIds} onClose={close} />;
    case 'cancel-uploaded':
      return (
        <DialogFrame
          title={t('confirm.uploadedTitle')}
          confirmLabel={t('confirm.uploadedConfirm')}
          cancelLabel={t('confirm.uploadedKeep')}
          onCancel={close}
          onConfirm={() => {
            close();
            void cancelUploads([confirmation.uploadId]);
          }}
        >
          <UploadedNote id={confirmation.uploadId} />
        </DialogFrame>
      );
  }
}

function UploadedNote({ id }: { id: string }) {
  const { t } = useTranslation();
  const job = useAppStore((s) => s.uploads[id]);
  return (
    <p>
      {t('confirm.uploadedBefore')} <strong>{job?.fileName ?? id}</strong> {t('confirm.uploadedMiddle')}
      {job?.imageId ? (
        <>
          {' '}
          <code>{job.imageId}</code>
        </>
      ) : null}{' '}
      {t('confirm.uploadedAfter')}
    </p>
  );
}

function RecreateList({ ids }: { ids: readonly string[] }) {
  const { t } = useTranslation();
  const jobs = useAppStore(useShallow((s) => ids.map((id) => s.uploads[id])));
  return (
    <>
      <p>{t('confirm.recreateBody')}</p>
      <ul>
        {jobs.map((job, i) =>
          job ? (
            <li key={job.id}>
              <strong>{job.fileName}</strong>: {resumeText(job.resume)}
            </li>
          ) : (
            <li key={ids[i]}>{ids[i]}</li>
          ),
        )}
      </ul>
    </>
  );
}

interface DialogFrameProps {
  title: string;
  confirmLabel: string;
  cancelLabel?: string;
  /** 'danger' (the default) for what cannot be undone; 'primary' for an action that adds. */
  confirmTone?: 'danger' | 'primary';
  confirmDisabled?: boolean;
  onConfirm(): void;
  onCancel(): void;
  children: ReactNode;
}

export function DialogFrame({
  title,
  confirmLabel,
  cancelLabel,
  confirmTone = 'danger',
  confirmDisabled = false,
  onConfirm,
  onCancel,
  children,
}: DialogFrameProps) {
  const { t } = useTranslation();
  const dialogRef = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useDialogFocus(dialogRef, cancelRef);

  return (
    <div className="dialog-backdrop">
      <div
        ref={dialogRef}
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        aria-describedby="confirm-body"
        onKeyDown={(e) => dialogKeyDown(e, dialogRef.current, onCancel)}
      >
        <h2 id="confirm-title">{title}</h2>
        <div id="confirm-body">{children}</div>
        <div className="dialog-actions">
          <button ref={cancelRef} type="button" onClick={onCancel}>
            {cancelLabel ?? t('confirm.cancel')}
          </button>
          <button
            type="button"
            className={confirmTone === 'danger' ? 'danger' : 'primary'}
            onClick={onConfirm}
            disabled={confirmDisabled}
          >
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
