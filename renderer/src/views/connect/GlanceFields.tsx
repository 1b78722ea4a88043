// OpenStack Keystone + Glance: a user and password in a project (with their domains), or an
// application credential; the region and the endpoint interface join the connection grid.
import { useTranslation } from 'react-i18next';
import type { EndpointInterface } from '../../../../shared/session.ts';
import { SelectField, TextField } from '../../components/fields.tsx';
import { Radios } from './Radios.tsx';
import type { ServiceFieldsProps } from './service-fields.ts';

export function GlanceFields({ fields, errors, set, auth, setAuth }: ServiceFieldsProps) {
  const { t } = useTranslation('connect');
  return (
    <>
      <Radios
        legend={t('form.signIn')}
        name="auth-type"
        value={auth.glance}
        onChange={(glance) => setAuth({ ...auth, glance })}
        options={[
          ['password', t('form.userPassword')],
          ['application-credential', t('form.appCred')],
        ]}
      />
      {auth.glance === 'password' ? (
        <div className="field-grid">
          <TextField
            label={t('form.username')}
            value={fields.username}
            onChange={(v) => set('username', v)}
            error={errors.username}
            autoComplete="username"
            required
          />
          <TextField
            label={t('form.password')}
            type="password"
            value={fields.password}
            onChange={(v) => set('password', v)}
            error={errors.password}
            autoComplete="current-password"
            required
          />
          <TextField
            label={t('form.project')}
            value={fields.projectName}
            onChange={(v) => set('projectName', v)}
            error={errors.projectName}
            required
          />
          <TextField
            label={t('form.userDomain')}
            value={fields.userDomainName}
            onChange={(v) => set('userDomainName', v)}
          />
          <TextField
            label={t('form.projectDomain')}
            value={fields.projectDomainName}
            onChange={(v) => set('projectDomainName', v)}
          />
        </div>
      ) : (
        <div className="field-grid">
          <TextField
            label={t('form.appCredId')}
            value={fields.applicationCredentialId}
            onChange={(v) => set('applicationCredentialId', v)}
            error={errors.applicationCredentialId}
            required
          />
          <TextField
            label={t('form.appCredSecret')}
            type="password"
            value={fields.secret}
            onChange={(v) => set('secret', v)}
            error={errors.secret}
            required
          />
        </div>
      )}
    </>
  );
}

/** The region and the endpoint interface, in the connection grid. */
export function GlanceConnectionFields({ fields, errors, set }: ServiceFieldsProps) {
  const { t } = useTranslation('connect');
  return (
    <>
      <TextField
        label={t('form.region')}
        value={fields.regionName}
        onChange={(v) => set('regionName', v)}
        error={errors.regionName}
        hint={t('form.regionHint')}
      />
      <SelectField
        label={t('form.interface')}
        value={fields.interface}
        onChange={(v) => set('interface', v as EndpointInterface)}
        options={[
          { value: 'public', label: 'public' },
          { value: 'internal', label: 'internal' },
          { value: 'admin', label: 'admin' },
        ]}
      />
    </>
  );
}
