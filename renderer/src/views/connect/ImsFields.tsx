// Huawei Cloud IMS (Huawei Cloud, Open Telekom Cloud, Flexible Engine): the IAM user with its
// account, or an access key only; the project, its id or the region; the keys for OBS; the bucket
// and the endpoint overrides.
import { useTranslation } from 'react-i18next';
import { TextField, type TextFieldProps } from '../../components/fields.tsx';
import type { ManualFields } from '../../store/connect-form.ts';
import { Radios } from './Radios.tsx';
import type { ServiceFieldsProps } from './service-fields.ts';

type TextKey = {
  [K in keyof ManualFields]: ManualFields[K] extends string ? K : never;
}[keyof ManualFields];

export function ImsFields({ fields, errors, set, auth, setAuth, clearProblems }: ServiceFieldsProps) {
  const { t } = useTranslation('connect');
  const keyOnly = auth.ims === 'access-key';
  const text = (key: TextKey, label: string, extra: Partial<TextFieldProps> = {}) => (
    <TextField label={label} value={fields[key]} onChange={(v) => set(key, v)} error={errors[key]} {...extra} />
  );
  return (
    <>
      <Radios
        legend={t('form.signIn')}
        name="ims-auth-type"
        value={auth.ims}
        onChange={(ims) => {
          setAuth({ ...auth, ims });
          clearProblems();
        }}
        options={[
          ['password', t('form.iamUser')],
          ['access-key', t('form.akOnly')],
        ]}
      />
      {auth.ims === 'password' ? (
        <div className="field-grid">
          {text('username', t('form.iamUserName'), { autoComplete: 'username', required: true })}
          {text('password', t('form.password'), {
            type: 'password',
            autoComplete: 'current-password',
            required: true,
          })}
          {text('accountName', t('form.account'), { hint: t('form.accountHint'), required: true })}
        </div>
      ) : null}
      <div className="field-grid">
        {text('projectName', t('form.imsProject'), { hint: t('form.imsProjectHint') })}
        {text('projectId', t('form.projectId'), { hint: t('form.projectIdHint') })}
        {text('regionName', t('form.region'), { hint: t('form.imsRegionHint') })}
      </div>
      <fieldset className="field-set">
        <legend>{t('form.accessKeys')}</legend>
        <p className="field-hint">{keyOnly ? t('form.akOnlyHint') : t('form.akHint')}</p>
        <div className="field-grid">
          {text('accessKey', t('form.ak'), { required: keyOnly })}
          {text('secretKey', t('form.sk'), { type: 'password', required: keyOnly })}
          {text('securityToken', t('form.securityToken'), {
            type: 'password',
            hint: t('form.securityTokenHint'),
          })}
        </div>
      </fieldset>
      <div className="field-grid">
        {text('obsBucket', t('form.bucket'), { hint: t('form.bucketHint') })}
        {text('imageEndpointOverride', t('form.imageEndpoint'), {
          type: 'url',
          inputMode: 'url',
          hint: t('form.imageEndpointHint'),
        })}
        {text('obsEndpointOverride', t('form.obsEndpoint'), {
          type: 'url',
          inputMode: 'url',
          hint: t('form.obsEndpointHint'),
        })}
      </div>
    </>
  );
}
