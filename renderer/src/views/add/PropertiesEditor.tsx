// Key/value rows of image properties, for one file's form or the batch editor. Horizon's
// well-known keys are suggested while typing (a <datalist>), and each one's usual values for its
// value field; both stay free text.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../components/fields.tsx';
import type { PropertyRow } from '../../store/draft-form.ts';
import { WELL_KNOWN_KEYS, suggestedValues } from './well-known.ts';

export interface PropertiesEditorProps {
  rows: readonly PropertyRow[];
  error: string | undefined;
  onChange(rows: PropertyRow[]): void;
  /** The add button's accessible name (says whose properties these are). */
  addLabel: string;
}

export function PropertiesEditor({ rows, error, onChange, addLabel }: PropertiesEditorProps) {
  const { t } = useTranslation('add');
  const errorId = useId();
  const hintId = useId();
  const keysId = useId();
  const replace = (index: number, patch: Partial<PropertyRow>) =>
    onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <fieldset className="properties" aria-describedby={`${hintId}${error ? ` ${errorId}` : ''}`}>
      <legend>{t('properties.legend')}</legend>
      <p id={hintId} className="field-hint">
        {t('properties.hint')}
      </p>
      <datalist id={keysId}>
        {WELL_KNOWN_KEYS.map((k) => (
          <option key={k} value={k} />
        ))}
      </datalist>
      {rows.map((row, i) => (
        <PropertyRowFields
          key={i}
          index={i}
          row={row}
          keysId={keysId}
          onChange={(patch) => replace(i, patch)}
          onRemove={() => onChange(rows.filter((_, j) => j !== i))}
        />
      ))}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
      <button type="button" onClick={() => onChange([...rows, { key: '', value: '' }])} aria-label={addLabel}>
        {t('properties.add')}
      </button>
    </fieldset>
  );
}

function PropertyRowFields({
  index,
  row,
  keysId,
  onChange,
  onRemove,
}: {
  index: number;
  row: PropertyRow;
  keysId: string;
  onChange(patch: Partial<PropertyRow>): void;
  onRemove(): void;
}) {
  const { t } = useTranslation('add');
  const valuesId = useId();
  const values = suggestedValues(row.key);
  const n = index + 1;
  return (
    <div className="property-row">
      <TextField
        label={t('properties.key', { n })}
        value={row.key}
        list={keysId}
        onChange={(key) => onChange({ key })}
      />
      {values.length > 0 ? (
        <datalist id={valuesId}>
          {values.map((v) => (
            <option key={v} value={v} />
          ))}
        </datalist>
      ) : null}
      <TextField
        label={t('properties.value', { n })}
        value={row.value}
        {...(values.length > 0 ? { list: valuesId } : {})}
        onChange={(value) => onChange({ value })}
      />
      <button type="button" className="link" aria-label={t('properties.removeLabel', { n })} onClick={onRemove}>
        {t('properties.remove')}
      </button>
    </div>
  );
}
