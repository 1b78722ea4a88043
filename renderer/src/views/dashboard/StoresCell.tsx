// Where an image's data is: its stores, and while a copy or an import runs, each target store's
// progress (from this app's copy, else from what Glance reports on the image), until it ends.
import { useTranslation } from 'react-i18next';
import type { ImageSummary } from '../../../../shared/ipc.ts';
import type { StoreOutcome } from '../../../../shared/upload.ts';
import { imageLabel } from '../../format/display.ts';
import { useAppStore } from '../../store/index.ts';

/** The per-store states to show: this app's copy while it runs or just ended, else Glance's own. */
export function storeProgress(image: ImageSummary, copyStores: readonly StoreOutcome[] | null): StoreOutcome[] {
  if (copyStores) return [...copyStores];
  return [
    ...image.importingToStores.map((store) => ({ store, state: 'importing' as const })),
    ...image.failedImportStores.map((store) => ({ store, state: 'failed' as const })),
  ];
}

export function StoresCell({ image }: { image: ImageSummary }) {
  const { t } = useTranslation('dashboard');
  const copy = useAppStore((s) => s.copies[image.id]);
  // This app's copy shows while it runs, and once it has ended, with each store's outcome (a failed
  // store stays in sight); the stores column says where the image is now.
  const shown = copy ?? null;
  const progress = storeProgress(image, shown ? shown.stores : null);
  return (
    <>
      <span>{image.stores.length > 0 ? image.stores.join(', ') : t('table.none')}</span>
      {progress.length > 0 ? (
        <ul
          className="store-progress"
          aria-label={t('copy.progressLabel', { name: imageLabel(image.name, image.id) })}
          aria-live="polite"
        >
          {progress.map((p) => (
            <li key={p.store} className={`store-state store-${p.state}`}>
              {p.store}: {t(`copy.state.${p.state}`)}
            </li>
          ))}
        </ul>
      ) : null}
      {shown?.error ? <p className="field-error">{shown.error.message}</p> : null}
    </>
  );
}
