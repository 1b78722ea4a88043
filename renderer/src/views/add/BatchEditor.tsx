// Metadata for many files at once (issue 12): visibility, min RAM, tags, properties, store and
// protected, applied to every file that has a form or to the selected ones; presets save the
// fields under a name in this browser, to fill them in again later.
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { VISIBILITIES, type Visibility } from '../../../../shared/glance.ts';
import { SelectField, TextField } from '../../components/fields.tsx';
import { batchProblems, isBatchEmpty, type ProtectedChoice } from '../../store/draft-form.batch.ts';
import { draftVerdict, isImsSession } from '../../store/draft-form.ts';
import { messageText } from '../../store/draft-message.ts';
import { MAX_PRESET_NAME } from '../../store/drafts-slice.presets.ts';
import { useAppStore } from '../../store/index.ts';
import { PropertiesEditor } from './PropertiesEditor.tsx';

/** The store select's value for "leave each file's store". */
const LEAVE = '\u0000leave';

export function BatchEditor() {
  const { t } = useTranslation('add');
  const headingId = useId();
  const batch = useAppStore((s) => s.batch);
  const update = useAppStore((s) => s.updateBatch);
  const clear = useAppStore((s) => s.clearBatch);
  const applyBatch = useAppStore((s) => s.applyBatch);
  const notify = useAppStore((s) => s.notify);
  const session = useAppStore((s) => s.session);
  const selected = useAppStore((s) => s.selectedDrafts.length);
  const withForm = useAppStore((s) =>
    s.draftOrder.reduce((n, id) => {
      const d = s.drafts[id];
      const kind = d ? draftVerdict(d, s.session).kind : 'blocked';
      return kind === 'ready' || kind === 'invalid' ? n + 1 : n;
    }, 0),
  );
  const problems = batchProblems(batch);
  const empty = isBatchEmpty(batch);
  const blocked = empty || Object.keys(problems).length > 0;
  const stores = session?.capabilities.stores ?? [];
  const defaultStore = stores.find((s) => s.isDefault);

  function apply(scope: 'all' | 'selected') {
    const count = applyBatch(scope);
    notify(t('batch.applied', { count }));
  }

  return (
    <section className="batch-editor" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('batch.heading')}</h3>
      <p className="field-hint">{t('batch.intro')}</p>
      <div className="field-grid">
        <SelectField
          label={t('batch.visibility')}
          value={batch.visibility}
          onChange={(v) => update({ visibility: v as Visibility | '' })}
          options={[
            { value: '', label: t('batch.leave') },
            ...VISIBILITIES.map((v) => ({ value: v, label: t(`visibility.${v}`) })),
          ]}
        />
        <TextField
          label={t('batch.minRam')}
          inputMode="numeric"
          value={batch.minRam}
          onChange={(minRam) => update({ minRam })}
          error={problems.minRam ? messageText(problems.minRam, t) : undefined}
        />
        <TextField
          label={t('batch.tags')}
          value={batch.tags}
          onChange={(tags) => update({ tags })}
          hint={t('form.tagsHint')}
        />
        {stores.length > 1 && !isImsSession(session) ? (
          <SelectField
            label={t('batch.store')}
            value={batch.store ?? LEAVE}
            onChange={(v) => update({ store: v === LEAVE ? null : v })}
            options={[
              { value: LEAVE, label: t('batch.leave') },
              {
                value: '',
                label: defaultStore ? t('form.defaultStoreNamed', { store: defaultStore.id }) : t('form.defaultStore'),
              },
              ...stores.map((s) => ({ value: s.id, label: s.description ? `${s.id}: ${s.description}` : s.id })),
            ]}
          />
        ) : null}
        <SelectField
          label={t('batch.protected')}
          value={batch.protected}
          onChange={(v) => update({ protected: v as ProtectedChoice })}
          options={[
            { value: 'leave', label: t('batch.leave') },
            { value: 'yes', label: t('batch.protectedYes') },
            { value: 'no', label: t('batch.protectedNo') },
          ]}
        />
      </div>
      <PropertiesEditor
        rows={batch.properties}
        error={problems.properties ? messageText(problems.properties, t) : undefined}
        onChange={(properties) => update({ properties })}
        addLabel={t('batch.addProperty')}
      />
      <div className="batch-actions">
        <button type="button" className="primary" disabled={blocked || withForm === 0} onClick={() => apply('all')}>
          {t('batch.applyAll', { count: withForm })}
        </button>
        <button type="button" disabled={blocked || selected === 0} onClick={() => apply('selected')}>
          {t('batch.applySelected', { count: selected })}
        </button>
        <button type="button" className="link" disabled={empty} onClick={clear}>
          {t('batch.clear')}
        </button>
        {empty ? <p className="field-hint">{t('batch.empty')}</p> : null}
      </div>
      <PresetsBar />
    </section>
  );
}

function PresetsBar() {
  const { t } = useTranslation('add');
  const presets = useAppStore((s) => s.presets);
  const corrupt = useAppStore((s) => s.presetsCorrupt);
  const loadPresets = useAppStore((s) => s.loadPresets);
  const savePreset = useAppStore((s) => s.savePreset);
  const applyPreset = useAppStore((s) => s.applyPreset);
  const deletePreset = useAppStore((s) => s.deletePreset);
  const notify = useAppStore((s) => s.notify);
  const batchEmpty = useAppStore((s) => isBatchEmpty(s.batch));
  const [chosen, setChosen] = useState('');
  const [name, setName] = useState('');
  useEffect(() => loadPresets(), [loadPresets]);
  const exists = presets.some((p) => p.name === chosen);
  const trimmed = name.trim();

  return (
    <fieldset className="presets">
      <legend>{t('presets.legend')}</legend>
      {corrupt ? (
        <p className="note" role="status">
          {t('presets.corrupt')}
        </p>
      ) : null}
      <div className="preset-row">
        <SelectField
          label={t('presets.choose')}
          value={exists ? chosen : ''}
          onChange={setChosen}
          options={[{ value: '', label: t('presets.none') }, ...presets.map((p) => ({ value: p.name, label: p.name }))]}
        />
        <button type="button" disabled={!exists} onClick={() => applyPreset(chosen)}>
          {t('presets.apply')}
        </button>
        <button
          type="button"
          disabled={!exists}
          onClick={() => {
            if (deletePreset(chosen)) notify(t('presets.deleted', { name: chosen }));
            else notify(t('presets.notSaved'));
            setChosen('');
          }}
        >
          {t('presets.delete')}
        </button>
      </div>
      <div className="preset-row">
        <TextField label={t('presets.name')} value={name} onChange={(v) => setName(v.slice(0, MAX_PRESET_NAME))} />
        <button
          type="button"
          disabled={trimmed === '' || batchEmpty}
          onClick={() => {
            if (savePreset(trimmed)) {
              notify(t('presets.saved', { name: trimmed }));
              setChosen(trimmed);
              setName('');
            } else notify(t('presets.notSaved'));
          }}
        >
          {t('presets.save')}
        </button>
      </div>
    </fieldset>
  );
}
