// Once connected: who, which project and region, which image service and why, which endpoint,
// how IMS calls are signed and whether object storage is ready, warnings; and Disconnect.
import { useTranslation } from 'react-i18next';
import type { SessionInfo } from '../../../../shared/session.ts';
import { disconnect } from '../../bridge.ts';
import { formatDateTime, formatSize } from '../../format/display.ts';
import { useAppStore } from '../../store/index.ts';

export function SessionDetails({ session }: { session: SessionInfo }) {
  const { t } = useTranslation('connect');
  const busy = useAppStore((s) => s.connection === 'disconnecting');
  const setView = useAppStore((s) => s.setView);
  const ims = session.ims;
  return (
    <>
      <h2 id="connect-heading">{t('session.heading')}</h2>
      <dl className="facts" aria-label={t('session.label')}>
        <dt>{t('session.user')}</dt>
        <dd>
          {session.user.name}{' '}
          {session.user.domain ? (
            <span className="muted">{t('session.inDomain', { domain: session.user.domain })}</span>
          ) : null}
        </dd>
        <dt>{t('session.project')}</dt>
        <dd>
          {session.project.name}{' '}
          {session.project.domain ? (
            <span className="muted">{t('session.inDomain', { domain: session.project.domain })}</span>
          ) : null}
        </dd>
        <dt>{t('session.region')}</dt>
        <dd>{session.region ?? t('session.defaultRegion')}</dd>
        <dt>{t('session.imageService')}</dt>
        <dd>
          {t(`service.${session.imageService.kind}`)}{' '}
          <span className="muted">
            ({session.imageService.inferred ? t('session.inferred') : t('session.configured')}:{' '}
            {session.imageService.reason})
          </span>
        </dd>
        <dt>{t('session.imageEndpoint')}</dt>
        <dd>
          <code>{session.imageEndpoint}</code>
          {session.imageApiVersion ? (
            <span className="muted"> {t('session.api', { version: session.imageApiVersion })}</span>
          ) : null}{' '}
          <span className="muted">{t('session.interface', { name: session.interface })}</span>
        </dd>
        {ims ? (
          <>
            <dt>{t('session.signedWith')}</dt>
            <dd>{ims.auth === 'token' ? t('session.token') : t('session.accessKey')}</dd>
            <dt>{t('session.objectStorage')}</dt>
            <dd>
              {ims.objectStorage
                ? ims.bucket
                  ? t('session.obsBucket', { bucket: ims.bucket })
                  : t('session.obsNoBucket')
                : t('session.obsNone', { limit: formatSize(ims.nativeLimit) })}
            </dd>
          </>
        ) : null}
        <dt>{t('session.authUrl')}</dt>
        <dd>
          <code>{session.authUrl}</code>
          {session.cloud ? <span className="muted"> {t('session.cloud', { cloud: session.cloud })}</span> : null}
        </dd>
        <dt>{t('session.expires')}</dt>
        <dd>{formatDateTime(session.expiresAt)}</dd>
      </dl>
      {session.warnings.length > 0 ? (
        <div className="warning-box" role="note" aria-labelledby="session-warnings-heading">
          <h3 id="session-warnings-heading">{t('session.warnings')}</h3>
          <ul>
            {session.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="actions">
        <button type="button" className="primary" onClick={() => setView('add')}>
          {t('session.addImages')}
        </button>
        <button type="button" onClick={() => void disconnect()} disabled={busy}>
          {busy ? t('session.disconnecting') : t('session.disconnect')}
        </button>
      </div>
    </>
  );
}
