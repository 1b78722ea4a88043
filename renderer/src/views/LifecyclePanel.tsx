// The details of the selected job, shown in the queue's side drawer: its lifecycle step by step
// as its target names them (shared/targets.ts: for Glance checked → record created → uploading →
// saving → active → verified; IMS uploads to object storage and registers; a Glance import stages
// and imports store by store), each step with its state from stepViews (a step is done only once
// it ended) and its time; the speed graph of this upload; for a finished one, the results
// (duration, average speed, what was verified); the object's parts and the IMS job; each store
// of an import; the image id (copyable), sizes and both checksums; and, on failure, the error as
// main words it with its code and HTTP status, and Copy details.
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes, formatSpeed } from '../../../shared/format.ts';
import type { StepState, TargetKind, UploadSnapshot } from '../../../shared/upload.ts';
import { copyText } from '../bridge.ts';
import { formatClock, formatDurationIn, formatErrorCode, formatPercent } from '../format/display.ts';
import { currentLocale } from '../i18n/index.ts';
import { useAppStore } from '../store/index.ts';
import { selectSelectedUpload } from '../store/selectors.ts';
import { EMPTY_SERIES } from '../store/uploads-slice-throughput.ts';
import { SpeedChart } from './queue/SpeedChart.tsx';
import { noteRender } from './render-probe.ts';
import { StateChip } from './queue/StateChip.tsx';

/** Routes whose bytes go to object storage first (IMS register, create, quick). */
const OBJECT_ROUTES: ReadonlySet<TargetKind> = new Set(['ims-register', 'ims-create', 'ims-quick']);

/** The text Copy details puts on the clipboard: what an operator quotes in a ticket (English, as the core words errors). */
export function errorDetails(s: UploadSnapshot): string {
  const e = s.error;
  const lines = [
    `file: ${s.file}`,
    `image: ${s.imageName}${s.imageId ? ` (${s.imageId})` : ''}`,
    `cloud: ${s.cloudName ?? s.cloudKey ?? 'unknown'}`,
    `target: ${s.target}`,
    `phase: ${s.phase}${s.imageStatus ? `, image ${s.imageStatus}` : ''}`,
  ];
  if (e) {
    lines.push(`error: ${formatErrorCode(e)}`, `message: ${e.message}`);
    if (e.serverMessage) lines.push(`server said: ${e.serverMessage}`);
    if (e.detail) lines.push(`detail: ${e.detail}`);
    lines.push(`retryable: ${e.retryable ? 'yes' : 'no'}`);
  }
  return lines.join('\n');
}

/** Snapshot fields that change on every progress tick and that the panel does not show. */
const TICK_ONLY: ReadonlySet<keyof UploadSnapshot> = new Set([
  'bytesSent',
  'bytesPerSecond',
  'etaSeconds',
  'updatedAt',
]);

/** Same panel for both snapshots: every shown field equal (the steps by value: main sends new arrays). */
export function samePanel(a: UploadSnapshot, b: UploadSnapshot): boolean {
  if (a === b) return true;
  for (const key of Object.keys(a) as (keyof UploadSnapshot)[]) {
    if (TICK_ONLY.has(key) || a[key] === b[key]) continue;
    if (
      key === 'steps' ||
      key === 'checksums' ||
      key === 'object' ||
      key === 'remoteJob' ||
      key === 'stores' ||
      key === 'error' ||
      key === 'resume'
    ) {
      if (JSON.stringify(a[key]) === JSON.stringify(b[key])) continue;
    }
    return false;
  }
  return true;
}

export function LifecyclePanel() {
  const s = useAppStore(selectSelectedUpload);
  if (!s) return null;
  return <PanelBody s={s} />;
}

/** The panel itself: a progress tick (bytes, speed) does not re-render it; its speed graph follows on its own. */
const PanelBody = memo(
  function PanelBody({ s }: { s: UploadSnapshot }) {
    return <PanelContent s={s} />;
  },
  (before, after) => samePanel(before.s, after.s),
);

function PanelChart({ id, name }: { id: string; name: string }) {
  const { t } = useTranslation('queue');
  const series = useAppStore((st) => st.throughput[id]) ?? EMPTY_SERIES;
  return <SpeedChart series={series} label={t('panel.chart', { name })} />;
}

function PanelContent({ s }: { s: UploadSnapshot }) {
  const { t } = useTranslation('queue');
  noteRender('LifecyclePanel', s.id);
  const selectUpload = useAppStore((st) => st.selectUpload);
  const c = s.checksums;
  const locale = currentLocale();
  const stateText = (state: StepState) => t(`stepState.${state}`);
  const duration = s.startedAt !== null && s.finishedAt !== null ? (s.finishedAt - s.startedAt) / 1000 : null;
  return (
    <section className="lifecycle" aria-labelledby="lifecycle-heading">
      <div className="lifecycle-head">
        <h3 id="lifecycle-heading" tabIndex={-1}>
          {t('panel.title', { name: s.fileName })}
        </h3>
        <button type="button" className="link" onClick={() => selectUpload(null)} aria-label={t('panel.closeLabel')}>
          {t('panel.close')}
        </button>
      </div>
      <p>
        <StateChip t={t} phase={s.phase} imageStatus={s.imageStatus} verified={false} />{' '}
        {s.verified ? (
          <span className="badge badge-good verified-badge">
            {s.verifiedBy === 'etag' ? t('panel.verifiedEtag') : t('panel.verified')}
          </span>
        ) : (
          <span className="badge badge-pending">{t('panel.notVerified')}</span>
        )}
      </p>
      <p className="muted panel-route">
        {t(`target.${s.target}`)} · {s.cloudName ?? t('row.unknownCloud')}
      </p>
      <ol className="steps" aria-label={t('panel.steps')}>
        {s.steps.map((step) => (
          <li
            key={step.step}
            className={`step step-${step.state === 'running' ? 'current' : step.state}`}
            aria-current={step.state === 'running' ? 'step' : undefined}
          >
            <span className="step-label">
              {step.step === 'uploading' && OBJECT_ROUTES.has(s.target)
                ? t('stepsObject.uploading')
                : t(`steps.${step.step}`)}
            </span>{' '}
            <span className="step-state">({stateText(step.state)})</span>
            {step.percent !== null && step.state !== 'done' ? (
              <span className="step-percent"> {formatPercent(step.percent)}</span>
            ) : null}{' '}
            <time className="step-time">{formatClock(step.endedAt ?? step.startedAt)}</time>
          </li>
        ))}
      </ol>

      {s.error ? (
        <div className="error-box" role="group" aria-label={t('panel.error')}>
          <p className="error-code">{formatErrorCode(s.error)}</p>
          <p className="error-message">{s.error.message}</p>
          {s.error.serverMessage ? (
            <p className="error-detail">{t('panel.serverSaid', { message: s.error.serverMessage })}</p>
          ) : null}
          {s.error.detail ? <p className="error-detail">{s.error.detail}</p> : null}
          <p className="error-detail">{s.error.retryable ? t('panel.retryable') : t('panel.notRetryable')}</p>
          <button type="button" onClick={() => void copyText(errorDetails(s), t('panel.detailsWhat'))}>
            {t('panel.copyDetails')}
          </button>
        </div>
      ) : null}

      <h4>{t('panel.speed')}</h4>
      <PanelChart id={s.id} name={s.fileName} />

      {s.phase === 'done' ? (
        <>
          <h4>{t('panel.results')}</h4>
          <dl className="facts results">
            <dt>{t('panel.duration')}</dt>
            <dd>{formatDurationIn(locale, duration)}</dd>
            <dt>{t('panel.averageSpeed')}</dt>
            <dd>{formatSpeed(s.averageSpeed)}</dd>
            <dt>{t('panel.verifiedHow')}</dt>
            <dd>{verifiedText(s, t)}</dd>
          </dl>
        </>
      ) : null}

      {s.object || s.remoteJob ? (
        <>
          <h4>{t('panel.objectStorage')}</h4>
          <dl className="facts">
            {s.object ? (
              <>
                <dt>{t('panel.object')}</dt>
                <dd className="path">
                  {s.object.bucket}:{s.object.key}
                </dd>
                <dt>{t('panel.parts')}</dt>
                <dd>
                  {s.object.parts
                    ? t('panel.partsOf', { done: s.object.parts.done, total: s.object.parts.total })
                    : t('panel.partsUnknown')}
                </dd>
                {s.object.etag ? (
                  <>
                    <dt>{t('panel.etag')}</dt>
                    <dd>
                      <code>{s.object.etag}</code>
                    </dd>
                  </>
                ) : null}
              </>
            ) : null}
            {s.remoteJob ? (
              <>
                <dt>{t('panel.job')}</dt>
                <dd>
                  <code>{s.remoteJob.id}</code> {s.remoteJob.status}
                  {s.remoteJob.percent !== null ? ` · ${formatPercent(s.remoteJob.percent)}` : ''}
                </dd>
              </>
            ) : null}
          </dl>
        </>
      ) : null}

      {s.stores && s.stores.length > 0 ? (
        <>
          <h4>{t('panel.stores')}</h4>
          <ul className="store-list" aria-label={t('panel.stores')}>
            {s.stores.map((store) => (
              <li key={store.store} className={`store store-${store.state}`}>
                {t(`store.${store.state}`, { store: store.store })}
              </li>
            ))}
          </ul>
        </>
      ) : null}

      <dl className="facts">
        <dt>{t('panel.imageId')}</dt>
        <dd>
          {s.imageId ? (
            <>
              <code className="image-id">{s.imageId}</code>{' '}
              <button type="button" onClick={() => void copyText(s.imageId ?? '', t('panel.imageIdWhat'))}>
                {t('panel.copyImageId')}
              </button>
            </>
          ) : (
            t('panel.notCreated')
          )}
        </dd>
        <dt>{t('panel.imageName')}</dt>
        <dd>{s.imageName}</dd>
        <dt>{t('panel.size')}</dt>
        <dd>{formatBytes(s.bytesTotal)}</dd>
        <dt>{t('panel.virtualSize')}</dt>
        <dd>{formatBytes(s.virtualSize)}</dd>
        <dt>{t('panel.formats')}</dt>
        <dd>
          {s.diskFormat} / {s.containerFormat}
          {s.store ? ` ${t('panel.inStore', { store: s.store })}` : ''}
        </dd>
        <dt>{t('panel.file')}</dt>
        <dd className="path">{s.file}</dd>
      </dl>

      <h4>{t('panel.checksums')}</h4>
      <dl className="facts checksums">
        <dt>{t('panel.hashLocal', { algorithm: c.algorithm ?? t('panel.unknownAlgorithm') })}</dt>
        <dd>
          <code>{c.local ?? '—'}</code>
        </dd>
        <dt>{t('panel.hashServer', { algorithm: c.algorithm ?? t('panel.unknownAlgorithm') })}</dt>
        <dd>
          <code>{c.server ?? '—'}</code> <MatchNote a={c.local} b={c.server} />
        </dd>
        <dt>{t('panel.md5Local')}</dt>
        <dd>
          <code>{c.md5Local ?? '—'}</code>
        </dd>
        <dt>{t('panel.md5Server')}</dt>
        <dd>
          <code>{c.md5Server ?? '—'}</code> <MatchNote a={c.md5Local} b={c.md5Server} />
        </dd>
      </dl>
    </section>
  );
}

function verifiedText(s: UploadSnapshot, t: ReturnType<typeof useTranslation<'queue'>>['t']): string {
  if (!s.verified) return t('panel.verifiedNothing');
  if (s.verifiedBy === 'etag') return t('panel.verifiedByEtag');
  if (s.verifiedBy) return t('panel.verifiedByHash', { algorithm: s.verifiedBy });
  return t('panel.verifiedUnknown');
}

function MatchNote({ a, b }: { a: string | null; b: string | null }) {
  const { t } = useTranslation('queue');
  if (a === null || b === null) return null;
  return a.toLowerCase() === b.toLowerCase() ? (
    <span className="badge badge-good">{t('panel.match')}</span>
  ) : (
    <span className="badge badge-bad">{t('panel.differ')}</span>
  );
}
