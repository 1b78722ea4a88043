// Deleting stuck or killed images: names each one (status and id) and says it cannot be undone;
// main reads each again and deletes only what is still deletable.
import { useTranslation } from 'react-i18next';
import { deleteImages } from '../../bridge.ts';
import { DialogFrame } from '../../components/ConfirmDialog.tsx';
import { imageLabel } from '../../format/display.ts';
import { useAppStore } from '../../store/index.ts';

export function DeleteImagesDialog({ imageIds, onClose }: { imageIds: readonly string[]; onClose(): void }) {
  const { t } = useTranslation('dashboard');
  const images = useAppStore((s) => s.images);
  const byId = new Map(images.map((i) => [i.id, i]));
  return (
    <DialogFrame
      title={t('deleteDialog.title', { count: imageIds.length })}
      confirmLabel={t('deleteDialog.confirm', { count: imageIds.length })}
      cancelLabel={t('deleteDialog.cancel')}
      onCancel={onClose}
      onConfirm={() => {
        onClose();
        void deleteImages(imageIds);
      }}
    >
      <p>{t('deleteDialog.body')}</p>
      <ul>
        {imageIds.map((id) => {
          const image = byId.get(id);
          return (
            <li key={id}>
              <strong>{imageLabel(image?.name, id)}</strong> ({image?.status ?? t('deleteDialog.unknown')}){' '}
              <code>{id}</code>
            </li>
          );
        })}
      </ul>
    </DialogFrame>
  );
}
