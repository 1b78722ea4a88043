// The one modal question the app asks before something destructive or costly: resuming by
// deleting a stuck image record, deleting stuck images, cancelling every upload, cancelling an
// upload whose bytes have all been sent. Focus moves to
// the safe choice, stays inside the dialog, Escape cancels, and focus returns where it was.
import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { resumeText } from '../../../shared/format.ts';
import { cancelUploads, resumeUploads } from '../bridge.ts';
import { useAppStore } from '../store/index.ts';
import type { Confirmation } from '../store/ui-slice.ts';
import { AbortUploadsDialog } from '../views/dashboard/AbortUploadsDialog.tsx';
import { CopyToStoresDialog } from '../views/dashboard/CopyToStoresDialog.tsx';
import { DeleteImagesDialog } from '../views/dashboard/DeleteImagesDialog.tsx';

export function ConfirmDialog() {
  const confirmation = useAppStore((s) => s.confirmation);
  if (confirmation === null) return null;
  return <ConfirmationContent confirmation={confirmation} />;
}

function ConfirmationContent({ confirmation }: { confirmation: Confirmation }) {
  const close = useAppStore((s) => s.closeConfirmation);
  switch (confirmation.kind) {
    case 'resume-recreate':
      return (
        <DialogFrame
          title="Start again with a new image record?"
          confirmLabel="Delete the old record and start again"
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
          title="Cancel every upload?"
          confirmLabel="Cancel all uploads"
          cancelLabel="Keep uploading"
          onCancel={close}
          onConfirm={() => {
            close();
            void cancelUploads('all');
          }}
        >
          <p>Unfinished uploads stop, and the image records they created are deleted from the cloud.</p>
        </DialogFrame>
      );
    case 'copy-to-stores':
      return <CopyToStoresDialog imageId={confirmation.imageId} onClose={close} />;
    case 'abort-uploads':
      return <AbortUploadsDialog uploadIds={confirmation.uploadIds} onClose={close} />;
    case 'cancel-uploaded':
      return (
        <DialogFrame
          title="Delete the uploaded image?"
          confirmLabel="Cancel and delete the image"
          cancelLabel="Keep the upload"
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
  const job = useAppStore((s) => s.uploads[id]);
  return (
    <p>
      Every byte of <strong>{job?.fileName ?? id}</strong> has been sent, and the image service is storing and checking
      it. Cancelling now deletes its image record
      {job?.imageId ? (
        <>
          {' '}
          <code>{job.imageId}</code>
        </>
      ) : null}{' '}
      from the cloud, and the file would have to be uploaded again.
    </p>
  );
}

function RecreateList({ ids }: { ids: readonly string[] }) {
  const jobs = useAppStore(useShallow((s) => ids.map((id) => s.uploads[id])));
  return (
    <>
      <p>
        The image service cannot continue these uploads. Resuming deletes their current image record and uploads the
        whole file again into a new one:
      </p>
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
  cancelLabel = 'Cancel',
  confirmTone = 'danger',
  confirmDisabled = false,
  onConfirm,
  onCancel,
  children,
}: DialogFrameProps) {
  const dialogRef = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    cancelRef.current?.focus();
    return () => {
      if (previous && previous.isConnected) previous.focus();
    };
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      onCancel();
      return;
    }
    if (event.key !== 'Tab' || !dialogRef.current) return;
    const focusable = [...dialogRef.current.querySelectorAll<HTMLElement>('button, [href], input, select, textarea')];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <div className="dialog-backdrop">
      <div
        ref={dialogRef}
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        aria-describedby="confirm-body"
        onKeyDown={onKeyDown}
      >
        <h2 id="confirm-title">{title}</h2>
        <div id="confirm-body">{children}</div>
        <div className="dialog-actions">
          <button ref={cancelRef} type="button" onClick={onCancel}>
            {cancelLabel}
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
