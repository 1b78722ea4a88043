// A cloud from clouds.yaml or one remembered: the choice, its auth URL and image service, Forget
// for a remembered one, and the cloud's warnings.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CloudEntry } from '../../../../shared/session.ts';
import { forgetConnection } from '../../bridge.ts';
import { SelectField } from '../../components/fields.tsx';
import { cloudKey } from '../../store/connect-form.ts';
import { useAppStore } from '../../store/index.ts';

export function CloudList(props: {
  cloud: CloudEntry | undefined;
  onChoose(key: string): void;
  error: string | undefined;
}) {
  const { t } = useTranslation('connect');
  const clouds = useAppStore((s) => s.clouds);
  const cloudsLoaded = useAppStore((s) => s.cloudsLoaded);
  const cloudsError = useAppStore((s) => s.cloudsError);
  const [forgetting, setForgetting] = useState(false);
  const { cloud } = props;
  return (
    <div className="form-block">
      {cloudsError ? <p className="field-error">{cloudsError.message}</p> : null}
      {cloudsLoaded && clouds.length === 0 ? <p>{t('form.noClouds')}</p> : null}
      {clouds.length > 0 ? (
        <SelectField
          label={t('form.cloud')}
          value={cloud ? cloudKey(cloud, clouds) : ''}
          onChange={props.onChoose}
          options={clouds.map((c) => ({ value: cloudKey(c, clouds), label: `${c.name} (${c.source})` }))}
          error={props.error}
          hint={
            cloud?.authUrl ? (
              <>
                {t('form.cloudAuthUrl', { url: cloud.authUrl })}
                {cloud.imageService ? ` · ${t(`service.${cloud.imageService}`)}` : ''}
              </>
            ) : undefined
          }
        />
      ) : null}
      {cloud?.source === 'remembered' ? (
        <button
          type="button"
          disabled={forgetting}
          onClick={() => {
            setForgetting(true);
            void forgetConnection(cloud.name).finally(() => setForgetting(false));
          }}
        >
          {t('form.forget', { name: cloud.name })}
        </button>
      ) : null}
      {cloud && cloud.warnings.length > 0 ? (
        <ul className="warning-list" aria-label={t('form.warningsFor', { name: cloud.name })}>
          {cloud.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
