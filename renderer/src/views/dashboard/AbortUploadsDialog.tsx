// Aborting unfinished multipart uploads: says what is lost (every stored part; nothing can resume
// them) before main aborts them.
import { useTranslation } from 'react-i18next';
import { abortMultipartUploads } from '../../bridge.ts';
import { DialogFrame } from '../../components/ConfirmDialog.tsx';
import { useAppStore } from '../../store/index.ts';

export function AbortUploadsDialog({ uploadIds, onClose }: { uploadIds: readonly string[]; onClose(): void }) {
  const { t } = useTranslation('dashboard');
  const uploads = useAppStore((s) => s.multipart?.uploads ?? []);
  const byId = new Map(uploads.map((u) => [u.uploadId, u]));
  return (
    <DialogFrame
      title={t('ims.abortTitle', { count: uploadIds.length })}
      confirmLabel={t('ims.abortConfirm')}
      cancelLabel={t('ims.keep')}
      onCancel={onClose}
      onConfirm={() => {
        onClose();
        void abortMultipartUploads(uploadIds);
      }}
    >
      <p>{t('ims.abortBody')}</p>
      <ul>
        {uploadIds.map((id) => {
          const u = byId.get(id);
          return (
            <li key={id}>
              <strong>{u ? `${u.bucket}:${u.key}` : id}</strong> <code>{id}</code>
            </li>
          );
        })}
      </ul>
    </DialogFrame>
  );
}
