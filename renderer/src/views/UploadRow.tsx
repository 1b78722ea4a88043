// One job in the queue: one compact row of fixed height (the list is virtualized), which takes
// an id and selects only that job's snapshot, so a progress batch re-renders only the rows whose
// snapshot changed. Inside a row the parts a progress tick does not touch (title, chip, buttons)
// are memoised on primitive props, so a tick reconciles only the progress and its small print.
//
// Line one: the tick box, the file name and its cloud, the state chip, the progress. Line two,
// in small print: bytes, speed and ETA (or "estimating…"), the object-storage parts and the IMS
// job's percent, each store of a Glance import, a retry countdown, what Resume will do, the
// error's code and HTTP status with its sentence, and why a button is off. Buttons follow the
// phases.ts predicates and the error's `retryable`; a click calls main and the new phase comes
// back as a snapshot (no optimistic UI). A button that disables itself when pressed hands the
// keyboard focus to another one in the row, never to the page.
import { memo, useEffect, useId, useRef, type FocusEvent } from 'react';
import { useTranslation } from 'react-i18next';

type QueueT = ReturnType<typeof useTranslation<'queue'>>['t'];
import { formatSpeed, percentOf } from '../../../shared/format.ts';
import type { ObjectUpload, RemoteJob, ResumePlan, StoreOutcome, UploadId } from '../../../shared/upload.ts';
import { cancelUploads, pauseUploads, requestResume, retryUploads } from '../bridge.ts';
import { currentLocale } from '../i18n/index.ts';
import {
  formatDurationIn,
  formatErrorCode,
  formatPercent,
  formatProgressBytes,
  secondsUntil,
} from '../format/display.ts';
import { useNow } from '../components/use-now.ts';
import { useAppStore } from '../store/index.ts';
import { isOnCloud, rowAbilities } from '../store/selectors.ts';
import { fixAndUploadAgain, requestRemove } from './queue/queue-commands.ts';
import { StateChip } from './queue/StateChip.tsx';
import { noteRender } from './render-probe.ts';

export interface UploadRowProps {
  id: UploadId;
  /** 1-based position in the list as shown, and the list's length (the DOM holds only some rows). */
  position?: number;
  setSize?: number;
}

export const UploadRow = memo(function UploadRow({ id, position, setSize }: UploadRowProps) {
  const exists = useAppStore((state) => state.uploads[id] !== undefined);
  const selected = useAppStore((state) => state.selectedUploadId === id);
  const titleId = `${useId()}-title`;
  if (!exists) return null;
  // The item itself holds only what the list decides (its place in the list) and the drawer's
  // selection; what the job's snapshot says is in RowBody, which a list change does not re-render.
  return (
    <li
      className={`upload-row${selected ? ' selected' : ''}`}
      aria-labelledby={titleId}
      aria-current={selected ? 'true' : undefined}
      aria-posinset={position}
      aria-setsize={setSize}
      data-upload-id={id}
    >
      <RowBody id={id} titleId={titleId} selected={selected} />
    </li>
  );
});

const RowBody = memo(function RowBody({ id, titleId, selected }: { id: UploadId; titleId: string; selected: boolean }) {
  const s = useAppStore((state) => state.uploads[id]);
  const checked = useAppStore((state) => state.checkedUploadIds[id] === true);
  const sessionCloudKey = useAppStore((state) => state.session?.cloudKey ?? null);
  // One translation hook per row (it subscribes to language changes); the parts get its `t`.
  const { t } = useTranslation('queue');
  noteRender('UploadRow', id);
  if (!s) return null;

  const done = s.phase === 'done';
  const can = rowAbilities(s, sessionCloudKey);
  return (
    <div className={`row-body phase-${s.phase}${checked ? ' checked' : ''}`}>
      <RowCheck t={t} id={id} fileName={s.fileName} checked={checked} />
      <div className="row-main">
        <RowHead
          t={t}
          titleId={titleId}
          fileName={s.fileName}
          imageName={s.imageName}
          cloudName={s.cloudName}
          elsewhere={!isOnCloud(s, sessionCloudKey)}
        />
        <StateChip t={t} phase={s.phase} imageStatus={s.imageStatus} verified={s.verified} />
        <div className="row-line2">
          <RowProgress
            t={t}
            fileName={s.fileName}
            percent={done ? 100 : percentOf(s.bytesSent, s.bytesTotal)}
            remoteJobPercent={s.remoteJob?.percent ?? null}
          />
          <p className="row-small">
            <RowStats
              t={t}
              bytesSent={done ? s.bytesTotal : s.bytesSent}
              bytesTotal={s.bytesTotal}
              moving={s.phase === 'uploading'}
              bytesPerSecond={s.bytesPerSecond}
              etaSeconds={s.etaSeconds}
              attempt={s.attempt}
              durationMs={done && s.startedAt !== null && s.finishedAt !== null ? s.finishedAt - s.startedAt : null}
              averageSpeed={done ? s.averageSpeed : null}
            />
            <TargetProgress t={t} object={s.object} remoteJob={s.remoteJob} stores={s.stores} />
            {s.retryAt !== null ? <RetryCountdown t={t} retryAt={s.retryAt} /> : null}
            <RowNotes
              t={t}
              resumeText={resumeTextOf(t, s.resume)}
              errorCode={s.error?.code ?? null}
              httpStatus={s.error?.httpStatus ?? null}
              errorMessage={s.error?.message ?? null}
              errorDetail={s.error?.detail ?? null}
              pauseBlocked={can.pauseBlocked}
              resumeBlocked={can.resumeBlocked}
              retryBlocked={can.retryBlocked}
              cloudName={s.cloudName}
              reasonId={`${titleId}-why`}
            />
          </p>
        </div>
      </div>
      <RowActions
        t={t}
        id={id}
        fileName={s.fileName}
        selected={selected}
        canPause={can.canPause}
        pauseBlocked={can.pauseBlocked}
        canResume={can.canResume}
        resumeBlocked={can.resumeBlocked}
        canRetry={can.canRetry}
        retryBlocked={can.retryBlocked}
        needsFix={can.needsFix}
        canCancel={can.canCancel}
        cancelDeletesUpload={can.cancelDeletesUpload}
        reasonId={`${titleId}-why`}
      />
    </div>
  );
});

const RowCheck = memo(function RowCheck(props: { t: QueueT; id: UploadId; fileName: string; checked: boolean }) {
  const { t } = props;
  const toggle = useAppStore((s) => s.toggleChecked);
  return (
    <input
      type="checkbox"
      className="row-check"
      checked={props.checked}
      onChange={() => toggle(props.id)}
      aria-label={t('row.check', { name: props.fileName })}
    />
  );
});

const RowHead = memo(function RowHead(props: {
  t: QueueT;
  titleId: string;
  fileName: string;
  imageName: string;
  cloudName: string | null;
  elsewhere: boolean;
}) {
  const { t } = props;
  const cloud = props.cloudName ?? t('row.unknownCloud');
  return (
    <div className="row-head">
      <h3 id={props.titleId} className="row-title" title={props.fileName}>
        {props.fileName}
      </h3>
      {props.imageName !== props.fileName && props.imageName !== props.fileName.replace(/\.[^.]+$/, '') ? (
        <span className="row-sub muted" title={props.imageName}>
          {t('row.as', { name: props.imageName })}
        </span>
      ) : null}
      <span className={`row-cloud${props.elsewhere ? ' row-cloud-elsewhere' : ''}`}>
        {props.elsewhere ? t('row.otherCloud', { cloud }) : cloud}
      </span>
    </div>
  );
});

const RowProgress = memo(function RowProgress(props: {
  t: QueueT;
  fileName: string;
  percent: number;
  remoteJobPercent: number | null;
}) {
  const { t } = props;
  return (
    <>
      <progress
        className="row-progress"
        max={100}
        value={props.percent}
        aria-label={t('row.progress', { name: props.fileName })}
      />
      <span className="row-percent">{formatPercent(props.percent)}</span>
      {props.remoteJobPercent !== null ? (
        <span className="row-job-percent">
          {t('row.jobPercent', { percent: formatPercent(props.remoteJobPercent) })}
        </span>
      ) : null}
    </>
  );
});

const RowStats = memo(function RowStats(props: {
  t: QueueT;
  bytesSent: number;
  bytesTotal: number;
  moving: boolean;
  bytesPerSecond: number | null;
  etaSeconds: number | null;
  attempt: number;
  durationMs: number | null;
  averageSpeed: number | null;
}) {
  const { t } = props;
  const locale = currentLocale();
  return (
    <>
      <span>{formatProgressBytes(props.bytesSent, props.bytesTotal)}</span>
      {props.moving && props.bytesPerSecond !== null ? <span>{formatSpeed(props.bytesPerSecond)}</span> : null}
      {props.moving ? (
        <span>
          {props.etaSeconds === null
            ? t('row.estimating')
            : t('row.left', { duration: formatDurationIn(locale, props.etaSeconds) })}
        </span>
      ) : null}
      {props.durationMs !== null ? (
        <span>{t('row.took', { duration: formatDurationIn(locale, props.durationMs / 1000) })}</span>
      ) : null}
      {props.averageSpeed !== null ? <span>{t('row.average', { speed: formatSpeed(props.averageSpeed) })}</span> : null}
      {props.attempt > 1 ? <span>{t('row.attempt', { attempt: props.attempt })}</span> : null}
    </>
  );
});

/** IMS: the object's parts and the job's status; Glance import: each store. */
export const TargetProgress = memo(function TargetProgress(props: {
  t: QueueT;
  object: ObjectUpload | null;
  remoteJob: RemoteJob | null;
  stores: readonly StoreOutcome[] | null;
}) {
  const { t } = props;
  const parts = props.object?.parts;
  return (
    <>
      {parts ? <span className="row-parts">{t('row.parts', { done: parts.done, total: parts.total })}</span> : null}
      {props.remoteJob ? <span className="row-job">{t('row.job', { status: props.remoteJob.status })}</span> : null}
      {props.stores?.map((store) => (
        <span key={store.store} className={`row-store store-${store.state}`}>
          {t(`store.${store.state}`, { store: store.store })}
        </span>
      ))}
    </>
  );
});

function RetryCountdown({ retryAt, t }: { retryAt: number; t: QueueT }) {
  const now = useNow(1000);
  return (
    <span className="row-retry">
      {t('row.retryIn', { duration: formatDurationIn(currentLocale(), secondsUntil(retryAt, now)) })}
    </span>
  );
}

/** What Resume will really do, in the engine's honest words (shared/format.ts resumeText, translated). */
export function resumeTextOf(t: QueueT, plan: ResumePlan): string {
  switch (plan.kind) {
    case 'none':
      return '';
    case 'continue':
      return t('resume.continue', { percent: plan.percent });
    case 'restart':
      return t('resume.restart');
    case 'recreate':
      return plan.imageStatus === 'unknown'
        ? t('resume.recreateUnknown')
        : t('resume.recreate', { status: plan.imageStatus });
    case 'verify':
      return t('resume.verify');
  }
}

const RowNotes = memo(function RowNotes(props: {
  t: QueueT;
  /** What Resume will do (resumeTextOf), '' when nothing: a string, so a new snapshot with the same plan re-renders nothing. */
  resumeText: string;
  errorCode: string | null;
  httpStatus: number | null;
  errorMessage: string | null;
  errorDetail: string | null;
  pauseBlocked: boolean;
  resumeBlocked: boolean;
  retryBlocked: boolean;
  cloudName: string | null;
  reasonId: string;
}) {
  const { t } = props;
  const { resumeText } = props;
  const cloud = props.cloudName ?? t('row.startedOnCloud');
  const reasons: string[] = [];
  for (const reason of [
    props.pauseBlocked ? t('blocked.pause') : null,
    props.resumeBlocked ? t('blocked.resume', { cloud }) : null,
    props.retryBlocked ? t('blocked.retry', { cloud }) : null,
  ])
    if (reason !== null) reasons.push(reason);
  return (
    <>
      {resumeText ? <span className="row-resume">{t('resume.sentence', { plan: resumeText })}</span> : null}
      {props.errorCode ? (
        <span className="row-error-code">
          {formatErrorCode({ code: props.errorCode, httpStatus: props.httpStatus ?? undefined })}
        </span>
      ) : null}
      {props.errorMessage ? (
        <span className="row-error">
          {props.errorMessage}
          {props.errorDetail ? <span className="muted"> ({props.errorDetail})</span> : null}
        </span>
      ) : null}
      {reasons.length > 0 ? (
        <span id={props.reasonId} className="row-blocked">
          {reasons.join(' ')}
        </span>
      ) : null}
    </>
  );
});

type Action = 'pause' | 'resume' | 'cancel' | 'retry' | 'fix' | 'remove' | 'details';

/** Where the focus goes when the focused button disables itself: its counterpart, else Details. */
const FOCUS_NEXT: Readonly<Record<Action, readonly Action[]>> = {
  pause: ['resume', 'details'],
  resume: ['pause', 'details'],
  cancel: ['details'],
  retry: ['details'],
  fix: ['details'],
  remove: ['details'],
  details: ['details'],
};

const RowActions = memo(function RowActions(props: {
  t: QueueT;
  id: UploadId;
  fileName: string;
  selected: boolean;
  canPause: boolean;
  pauseBlocked: boolean;
  canResume: boolean;
  resumeBlocked: boolean;
  canRetry: boolean;
  retryBlocked: boolean;
  needsFix: boolean;
  canCancel: boolean;
  cancelDeletesUpload: boolean;
  reasonId: string;
}) {
  const { t } = props;
  const { id, fileName: name, selected } = props;
  const selectUpload = useAppStore((s) => s.selectUpload);
  const ask = useAppStore((s) => s.askConfirmation);
  const cloudName = useAppStore((s) => s.uploads[id]?.cloudName ?? null);
  const group = useRef<HTMLDivElement>(null);
  // The action button that last had the focus, while the focus is still in this row (or lost).
  const focused = useRef<Action | null>(null);

  useEffect(() => {
    const button = (action: Action) =>
      group.current?.querySelector<HTMLButtonElement>(`button[data-action="${action}"]`) ?? undefined;
    const last = focused.current;
    const lastButton = last === null ? undefined : button(last);
    if (last === null || (lastButton !== undefined && !lastButton.disabled)) return;
    const active = document.activeElement;
    if (active !== null && active !== document.body && active !== lastButton) return;
    const next = FOCUS_NEXT[last].map(button).find((b) => b !== undefined && !b.disabled);
    next?.focus();
  });

  const onFocus = (event: FocusEvent<HTMLDivElement>) => {
    const action = (event.target as HTMLElement).dataset.action as Action | undefined;
    if (action !== undefined) focused.current = action;
  };
  // Focus that moved to something else is not ours to move again; focus lost to nothing (a
  // button that became disabled or left) is.
  const onBlur = (event: FocusEvent<HTMLDivElement>) => {
    if (event.relatedTarget !== null) focused.current = null;
  };
  const describedBy = (blocked: boolean) => (blocked ? props.reasonId : undefined);
  const cloud = cloudName ?? t('row.startedOnCloud');

  return (
    <div
      ref={group}
      className="row-actions"
      role="group"
      aria-label={t('row.actions', { name })}
      onFocus={onFocus}
      onBlur={onBlur}
    >
      <button
        data-action="pause"
        type="button"
        disabled={!props.canPause}
        onClick={() => void pauseUploads([id])}
        aria-label={t('action.pauseOne', { name })}
        aria-describedby={describedBy(props.pauseBlocked)}
        title={props.pauseBlocked ? t('blocked.pause') : undefined}
      >
        {t('action.pause')}
      </button>
      <button
        data-action="resume"
        type="button"
        disabled={!props.canResume}
        onClick={() => void requestResume([id])}
        aria-label={t('action.resumeOne', { name })}
        aria-describedby={describedBy(props.resumeBlocked)}
        title={props.resumeBlocked ? t('blocked.resume', { cloud }) : undefined}
      >
        {t('action.resume')}
      </button>
      <button
        data-action="cancel"
        type="button"
        disabled={!props.canCancel}
        onClick={() =>
          props.cancelDeletesUpload ? ask({ kind: 'cancel-uploaded', uploadId: id }) : void cancelUploads([id])
        }
        aria-label={t('action.cancelOne', { name })}
      >
        {t('action.cancel')}
      </button>
      {props.needsFix ? (
        <button
          data-action="fix"
          type="button"
          onClick={() => void fixAndUploadAgain(id)}
          aria-label={t('action.fixOne', { name })}
        >
          {t('action.fix')}
        </button>
      ) : (
        <button
          data-action="retry"
          type="button"
          disabled={!props.canRetry}
          onClick={() => void retryUploads([id])}
          aria-label={t('action.retryOne', { name })}
          aria-describedby={describedBy(props.retryBlocked)}
          title={props.retryBlocked ? t('blocked.retry', { cloud }) : undefined}
        >
          {t('action.retry')}
        </button>
      )}
      <button
        data-action="remove"
        type="button"
        onClick={() => void requestRemove([id])}
        aria-label={t('action.removeOne', { name })}
      >
        {t('action.remove')}
      </button>
      <button
        data-action="details"
        type="button"
        className="link"
        aria-pressed={selected}
        onClick={() => selectUpload(selected ? null : id)}
        aria-label={t('action.detailsOne', { name })}
      >
        {t('action.details')}
      </button>
    </div>
  );
});
