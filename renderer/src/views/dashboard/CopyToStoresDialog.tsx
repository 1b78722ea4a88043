// "Copy to stores…": the stores of the cloud, those that already hold the image ticked and fixed,
// the others to choose; Copy starts Glance's copy-image through main (core/image-copy.ts).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { copyImageToStores } from '../../bridge.ts';
import { DialogFrame } from '../../components/ConfirmDialog.tsx';
import { imageLabel } from '../../format/display.ts';
import { useAppStore } from '../../store/index.ts';

export function CopyToStoresDialog({ imageId, onClose }: { imageId: string; onClose(): void }) {
  const { t } = useTranslation('dashboard');
  const image = useAppStore((s) => s.images.find((i) => i.id === imageId));
  const stores = useAppStore((s) => s.session?.capabilities.stores ?? []);
  const [chosen, setChosen] = useState<readonly string[]>([]);
  const [tried, setTried] = useState(false);
  const has = new Set(image?.stores ?? []);
  const open = stores.filter((s) => !has.has(s.id));
  const name = imageLabel(image?.name, imageId);
  const problem = open.length === 0 ? t('copy.noStores') : tried && chosen.length === 0 ? t('copy.chooseOne') : null;
  return (
    <DialogFrame
      title={t('copy.title', { name })}
      confirmLabel={t('copy.confirm')}
      cancelLabel={t('copy.cancel')}
      confirmTone="primary"
      confirmDisabled={open.length === 0}
      onCancel={onClose}
      onConfirm={() => {
        setTried(true);
        if (chosen.length === 0) return;
        onClose();
        void copyImageToStores(imageId, chosen);
      }}
    >
      <p>{t('copy.intro')}</p>
      <fieldset className="store-choice">
        <legend>{t('copy.storesLabel')}</legend>
        {stores.map((store) => {
          const already = has.has(store.id);
          return (
            <label key={store.id} className="checkbox">
              <input
                type="checkbox"
                checked={already || chosen.includes(store.id)}
                disabled={already}
                onChange={(e) =>
                  setChosen((c) => (e.target.checked ? [...c, store.id] : c.filter((x) => x !== store.id)))
                }
              />{' '}
              {store.id}
              {store.description ? ` (${store.description})` : ''}
              {already ? <span className="muted"> · {t('copy.already')}</span> : null}
            </label>
          );
        })}
      </fieldset>
      {problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
    </DialogFrame>
  );
}
