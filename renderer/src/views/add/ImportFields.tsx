// Glance's interoperable import for one file (issue 14), shown only where the cloud offers
// glance-direct: stage the file, then import it into the stores ticked (or all of them), failing
// as a whole unless failure is allowed. Staging cannot continue after a break, and it says so.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionInfo } from '../../../../shared/session.ts';
import { CheckboxField } from '../../components/fields.tsx';
import type { DraftForm } from '../../store/draft-form.ts';

export interface ImportFieldsProps {
  form: DraftForm;
  session: SessionInfo;
  set(patch: Partial<DraftForm>): void;
}

export function ImportFields({ form, session, set }: ImportFieldsProps) {
  const { t } = useTranslation('add');
  const restartId = useId();
  const stores = session.capabilities.stores;
  const toggle = (id: string, on: boolean) =>
    set({
      importStores: on ? [...form.importStores.filter((s) => s !== id), id] : form.importStores.filter((s) => s !== id),
    });
  return (
    <div className="import-fields">
      <CheckboxField
        label={t('import.use')}
        checked={form.useImport}
        onChange={(useImport) => set({ useImport })}
        hint={t('import.useHint')}
      />
      {form.useImport ? (
        <fieldset className="import-stores" aria-describedby={restartId}>
          <legend>{t('import.stores')}</legend>
          <p id={restartId} className="note">
            {t('import.restart')}
          </p>
          {stores.length > 0 ? (
            <>
              <CheckboxField
                label={t('import.allStores')}
                checked={form.allStores}
                onChange={(allStores) => set({ allStores })}
              />
              {stores.map((s) => (
                <CheckboxField
                  key={s.id}
                  label={s.isDefault ? t('import.storeDefault', { store: s.id }) : t('import.store', { store: s.id })}
                  checked={form.allStores || form.importStores.includes(s.id)}
                  disabled={form.allStores}
                  onChange={(on) => toggle(s.id, on)}
                />
              ))}
              {!form.allStores && form.importStores.length === 0 ? (
                <p className="field-hint">{t('import.noStoreChosen')}</p>
              ) : null}
            </>
          ) : null}
          <CheckboxField
            label={t('import.allowFailure')}
            checked={form.allowFailure}
            onChange={(allowFailure) => set({ allowFailure })}
          />
        </fieldset>
      ) : null}
    </div>
  );
}
