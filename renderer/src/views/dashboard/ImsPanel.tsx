// On a Huawei IMS cloud: this app's IMS jobs still running on it (from the queue's snapshots: the
// IMS job id once registered, its percent, the image), and the unfinished multipart uploads this
// app left in the cloud's OBS bucket, each with Abort (after a confirmation saying what is lost).
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { isFinished } from '../../../../shared/phases.ts';
import type { UploadId } from '../../../../shared/upload.ts';
import { loadMultipartUploads } from '../../bridge.ts';
import { formatPercent, imageLabel } from '../../format/display.ts';
import { useAppStore } from '../../store/index.ts';
import { RelativeTime } from './RelativeTime.tsx';

export function ImsPanel({ now }: { now: number }) {
  return (
    <>
      <ImsJobs />
      <MultipartUploads now={now} />
    </>
  );
}

function ImsJobs() {
  const { t } = useTranslation('dashboard');
  const ids = useAppStore(
    useShallow((s) =>
      s.uploadOrder.filter((id) => {
        const u = s.uploads[id];
        return (
          u !== undefined && u.target.startsWith('ims-') && u.cloudKey === s.session?.cloudKey && !isFinished(u.phase)
        );
      }),
    ),
  );
  return (
    <section className="ims-section" aria-labelledby="ims-jobs-heading">
      <h3 id="ims-jobs-heading">{t('ims.jobsHeading')}</h3>
      {ids.length === 0 ? (
        <p className="muted">{t('ims.jobsEmpty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="images ims-jobs" aria-label={t('ims.jobsLabel')}>
            <thead>
              <tr>
                <th scope="col">{t('ims.file')}</th>
                <th scope="col">{t('ims.job')}</th>
                <th scope="col">{t('ims.jobStatus')}</th>
                <th scope="col">{t('ims.progress')}</th>
                <th scope="col">{t('ims.image')}</th>
              </tr>
            </thead>
            <tbody>
              {ids.map((id) => (
                <ImsJobRow key={id} id={id} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ImsJobRow({ id }: { id: UploadId }) {
  const { t } = useTranslation('dashboard');
  const { t: tq } = useTranslation('queue');
  const job = useAppStore((s) => s.uploads[id]);
  if (!job) return null;
  const registering = job.steps.find((s) => s.step === 'registering');
  const percent = job.remoteJob?.percent ?? registering?.percent ?? null;
  return (
    <tr>
      <th scope="row">{job.fileName}</th>
      <td>{job.remoteJob ? <code>{job.remoteJob.id}</code> : <span className="muted">{t('ims.noJobYet')}</span>}</td>
      <td>{job.remoteJob?.status ?? tq(`phase.${job.phase}`)}</td>
      <td>
        {percent === null ? (
          t('table.none')
        ) : (
          <>
            <progress max={100} value={percent} aria-label={`${t('ims.progress')} ${job.fileName}`} />{' '}
            {formatPercent(percent)}
          </>
        )}
      </td>
      <td>
        {imageLabel(job.imageName, job.imageId ?? id)}
        {job.imageId ? (
          <>
            <br />
            <code className="muted image-id">{job.imageId}</code>
          </>
        ) : null}
      </td>
    </tr>
  );
}

function MultipartUploads({ now }: { now: number }) {
  const { t } = useTranslation('dashboard');
  const list = useAppStore((s) => s.multipart);
  const error = useAppStore((s) => s.multipartError);
  const aborting = useAppStore((s) => s.aborting);
  const outcomes = useAppStore((s) => s.abortOutcomes);
  const ask = useAppStore((s) => s.askConfirmation);
  useEffect(() => {
    void loadMultipartUploads();
  }, []);
  return (
    <section className="ims-section" aria-labelledby="multipart-heading">
      <h3 id="multipart-heading">{t('ims.uploadsHeading')}</h3>
      <p className="muted">{t('ims.uploadsIntro')}</p>
      <div className="toolbar">
        <button type="button" onClick={() => void loadMultipartUploads()}>
          {t('ims.uploadsRefresh')}
        </button>
        {list?.bucket ? (
          <span className="muted">{t('ims.uploadsIn', { bucket: list.bucket, prefix: list.prefix })}</span>
        ) : null}
      </div>
      {error ? (
        <div className="error-box" role="alert">
          <p className="error-message">{error.message}</p>
        </div>
      ) : null}
      {list?.reason ? <p className="muted">{list.reason}</p> : null}
      {list && list.bucket && list.uploads.length === 0 ? <p>{t('ims.uploadsEmpty')}</p> : null}
      {list && list.uploads.length > 0 ? (
        <div className="table-wrap">
          <table className="images multipart-uploads" aria-label={t('ims.uploadsLabel')}>
            <thead>
              <tr>
                <th scope="col">{t('ims.key')}</th>
                <th scope="col">{t('ims.initiated')}</th>
                <th scope="col">{t('ims.uploadId')}</th>
                <th scope="col">{t('table.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.uploads.map((u) => (
                <tr key={u.uploadId}>
                  <th scope="row">{u.key}</th>
                  <td>
                    <RelativeTime value={u.initiated} now={now} />
                  </td>
                  <td>
                    <code className="image-id">{u.uploadId}</code>
                  </td>
                  <td>
                    {u.jobId ? (
                      <span className="muted">{t('ims.heldBy', { job: u.jobId })}</span>
                    ) : (
                      <button
                        type="button"
                        className="danger"
                        disabled={aborting}
                        aria-label={t('ims.abortFor', { key: u.key })}
                        onClick={() => ask({ kind: 'abort-uploads', uploadIds: [u.uploadId] })}
                      >
                        {t('ims.abort')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {outcomes.length > 0 ? (
        <section className="outcomes" aria-labelledby="abort-outcomes-heading">
          <h4 id="abort-outcomes-heading">{t('ims.outcomesHeading')}</h4>
          <ul aria-live="polite">
            {outcomes.map((o) => (
              <li key={o.uploadId} className={o.ok ? 'outcome-ok' : 'outcome-failed'}>
                <code>{o.uploadId}</code>: {o.ok ? t('ims.aborted') : t('ims.notAborted', { message: o.error.message })}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </section>
  );
}
