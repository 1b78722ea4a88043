// The details typed in: the image service, the auth URL, that service's own fields (from
// SERVICE_FIELDS), then what every kind shares: the CA file and "Remember this connection".
import { useTranslation } from 'react-i18next';
import { pickCaFile } from '../../bridge.ts';
import { CheckboxField, TextField } from '../../components/fields.tsx';
import {
  authUrlWarning,
  rememberChecked,
  type ManualAuth,
  type ManualFields,
  type ServiceKind,
} from '../../store/connect-form.ts';
import { useAppStore } from '../../store/index.ts';
import { Radios } from './Radios.tsx';
import type { FieldErrors, ServiceFieldsProps } from './service-fields.ts';
import { SERVICE_FIELDS } from './services.ts';

const KINDS = Object.keys(SERVICE_FIELDS) as ServiceKind[];

export function ManualForm(props: {
  service: ServiceKind;
  setService(service: ServiceKind): void;
  fields: ManualFields;
  errors: FieldErrors;
  set: ServiceFieldsProps['set'];
  auth: ManualAuth;
  setAuth(auth: ManualAuth): void;
  clearProblems(): void;
}) {
  const { t } = useTranslation('connect');
  const canRemember = useAppStore((s) => s.canRememberSecrets);
  const { service, fields, errors, set } = props;
  const kind = SERVICE_FIELDS[service];
  const httpWarning = authUrlWarning(service, props.auth, fields);
  const remember = rememberChecked(fields, canRemember);
  const part: ServiceFieldsProps = {
    fields,
    errors,
    set,
    auth: props.auth,
    setAuth: props.setAuth,
    clearProblems: props.clearProblems,
  };
  return (
    <div className="form-block">
      <Radios
        legend={t('form.service')}
        name="image-service"
        value={service}
        onChange={(s) => {
          props.setService(s);
          props.clearProblems();
        }}
        options={KINDS.map((k) => [k, SERVICE_FIELDS[k].label(t)] as const)}
      />
      <TextField
        label={t('form.authUrl')}
        type="url"
        inputMode="url"
        value={fields.authUrl}
        onChange={(v) => set('authUrl', v)}
        error={errors.authUrl}
        hint={
          httpWarning ? (
            <span className="field-warning">{httpWarning}</span>
          ) : kind.authUrlHint ? (
            kind.authUrlHint(t)
          ) : undefined
        }
        placeholder={kind.authUrlPlaceholder}
        required
      />
      <kind.Fields {...part} />
      <div className="field-grid">
        {kind.ConnectionFields ? <kind.ConnectionFields {...part} /> : null}
        <TextField
          label={t('form.caFile')}
          value={fields.cacertPath}
          onChange={(v) => set('cacertPath', v)}
          readOnly
          hint={t('form.caHint')}
          placeholder={t('form.caNone')}
          action={
            <span className="field-actions">
              <button
                type="button"
                className="field-action"
                aria-label={t('form.caChoose')}
                onClick={() =>
                  void pickCaFile().then((picked) => {
                    if (picked) set('cacertPath', picked);
                  })
                }
              >
                {t('form.choose')}
              </button>
              {fields.cacertPath !== '' ? (
                <button
                  type="button"
                  className="field-action"
                  aria-label={t('form.caClear')}
                  onClick={() => set('cacertPath', '')}
                >
                  {t('form.clear')}
                </button>
              ) : null}
            </span>
          }
        />
      </div>
      <CheckboxField
        label={t('form.remember')}
        checked={remember}
        disabled={canRemember === false}
        onChange={(v) => set('remember', v)}
        hint={canRemember === false ? t('form.rememberUnavailable') : kind.rememberHint(t)}
      />
      {remember ? (
        <TextField
          label={t('form.rememberAs')}
          value={fields.label}
          onChange={(v) => set('label', v)}
          error={errors.label}
        />
      ) : null}
    </div>
  );
}
