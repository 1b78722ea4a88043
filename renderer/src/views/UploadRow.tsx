// One job in the queue. It takes an id and selects only that job's snapshot, so a progress
// batch re-renders only the rows whose snapshot changed. Inside a row, the parts that a progress
// tick does not touch (title, notes, buttons) are memoised on primitive props, so a tick
// reconciles only the progress line. Buttons follow the phases.ts predicates; a click calls main,
// and the new phase comes back as a snapshot (no optimistic UI). A button that cannot work now
// (another cloud's job, nothing left to pause) says why beside the row; a button that disables
// itself when pressed hands the keyboard focus to another one in the row, never to the page.
import { memo, useEffect, useId, useRef, type FocusEvent } from 'react';
import { formatBytes, formatDuration, formatSpeed, percentOf, phaseLabel, resumeText } from '../../../shared/format.ts';
import type { GlanceImageStatus } from '../../../shared/glance.ts';
import type { UploadId, UploadPhase } from '../../../shared/upload.ts';
import { cancelUploads, pauseUploads, requestResume, retryUploads } from '../bridge.ts';
import { formatClock, formatPercent, formatProgressBytes } from '../format/display.ts';
import { useAppStore } from '../store/index.ts';
import { rowAbilities } from '../store/selectors.ts';
import { noteRender } from './render-probe.ts';

export const UploadRow = memo(function UploadRow({ id }: { id: UploadId }) {
  const s = useAppStore((state) => state.uploads[id]);
  const selected = useAppStore((state) => state.selectedUploadId === id);
  const sessionCloudKey = useAppStore((state) => state.session?.cloudKey ?? null);
  const titleId = useId();
  noteRender('UploadRow', id);
  if (!s) return null;

  const done = s.phase === 'done';
  const can = rowAbilities(s, sessionCloudKey);
  return (
    <li
      className={`upload-row phase-${s.phase}${selected ? ' selected' : ''}`}
      aria-labelledby={titleId}
      aria-current={selected ? 'true' : undefined}
    >
      <RowHead
        titleId={titleId}
        fileName={s.fileName}
        imageName={s.imageName}
        phase={s.phase}
        imageStatus={s.imageStatus}
        verified={s.verified}
      />
      <RowProgress
        fileName={s.fileName}
        percent={done ? 100 : percentOf(s.bytesSent, s.bytesTotal)}
        bytesSent={done ? s.bytesTotal : s.bytesSent}
        bytesTotal={s.bytesTotal}
        moving={s.phase === 'uploading'}
        bytesPerSecond={s.bytesPerSecond}
        etaSeconds={s.etaSeconds}
        attempt={s.attempt}
        retryAt={s.retryAt}
        virtualSize={s.virtualSize}
      />
      <RowNotes
        resume={resumeText(s.resume)}
        errorMessage={s.error?.message ?? null}
        errorDetail={s.error?.detail ?? null}
      />
      <RowActions
        id={id}
        fileName={s.fileName}
        phase={s.phase}
        selected={selected}
        canPause={can.canPause}
        pauseBlocked={can.pauseBlocked}
        canResume={can.canResume}
        resumeBlocked={can.resumeBlocked}
        canRetry={can.canRetry}
        retryBlocked={can.retryBlocked}
        canCancel={can.canCancel}
        cancelDeletesUpload={can.cancelDeletesUpload}
      />
    </li>
  );
});

const RowHead = memo(function RowHead(props: {
  titleId: string;
  fileName: string;
  imageName: string;
  phase: UploadPhase;
  imageStatus: GlanceImageStatus | null;
  verified: boolean;
}) {
  return (
    <>
      <div className="row-head">
        <h3 id={props.titleId} className="row-title">
          {props.fileName}
        </h3>
        <span className={`badge phase-badge phase-badge-${props.phase}`}>{phaseLabel(props.phase)}</span>
        {props.imageStatus ? <span className="badge badge-status">Image {props.imageStatus}</span> : null}
        {props.verified ? <span className="badge badge-good">Verified</span> : null}
      </div>
      {props.imageName !== props.fileName ? <p className="muted row-sub">as “{props.imageName}”</p> : null}
    </>
  );
});

const RowProgress = memo(function RowProgress(props: {
  fileName: string;
  percent: number;
  bytesSent: number;
  bytesTotal: number;
  moving: boolean;
  bytesPerSecond: number | null;
  etaSeconds: number | null;
  attempt: number;
  retryAt: number | null;
  virtualSize: number | null;
}) {
  return (
    <>
      <progress className="row-progress" max={100} value={props.percent} aria-label={`Progress of ${props.fileName}`} />
      <p className="row-stats">
        <span>{formatPercent(props.percent)}</span>
        <span>{formatProgressBytes(props.bytesSent, props.bytesTotal)}</span>
        {props.moving ? <span>{formatSpeed(props.bytesPerSecond)}</span> : null}
        {props.moving ? <span>{formatDuration(props.etaSeconds)} left</span> : null}
        {props.attempt > 1 ? <span>attempt {props.attempt}</span> : null}
        {props.retryAt !== null ? <span>retrying at {formatClock(props.retryAt)}</span> : null}
        {props.virtualSize !== null ? <span className="muted">virtual {formatBytes(props.virtualSize)}</span> : null}
      </p>
    </>
  );
});

const RowNotes = memo(function RowNotes(props: {
  resume: string;
  errorMessage: string | null;
  errorDetail: string | null;
}) {
  return (
    <>
      {props.resume ? <p className="row-resume">Resume {props.resume}.</p> : null}
      {props.errorMessage ? (
        <p className="row-error">
          {props.errorMessage}
          {props.errorDetail ? <span className="muted"> ({props.errorDetail})</span> : null}
        </p>
      ) : null}
    </>
  );
});

type Action = 'pause' | 'resume' | 'cancel' | 'retry' | 'details';

/** Where the focus goes when the focused button disables itself: its counterpart, else Details. */
const FOCUS_NEXT: Readonly<Record<Action, readonly Action[]>> = {
  pause: ['resume', 'details'],
  resume: ['pause', 'details'],
  cancel: ['details'],
  retry: ['details'],
  details: ['details'],
};

const RowActions = memo(function RowActions(props: {
  id: UploadId;
  fileName: string;
  phase: UploadPhase;
  selected: boolean;
  canPause: boolean;
  pauseBlocked: string | null;
  canResume: boolean;
  resumeBlocked: string | null;
  canRetry: boolean;
  retryBlocked: string | null;
  canCancel: boolean;
  cancelDeletesUpload: boolean;
}) {
  const { id, fileName: name, selected } = props;
  const selectUpload = useAppStore((s) => s.selectUpload);
  const ask = useAppStore((s) => s.askConfirmation);
  const reasonId = useId();
  const buttons = useRef(new Map<Action, HTMLButtonElement>());
  // The action button that last had the focus, while the focus is still in this row (or lost).
  const focused = useRef<Action | null>(null);
  const reasons = [props.pauseBlocked, props.resumeBlocked, props.retryBlocked].filter((r): r is string => !!r);

  useEffect(() => {
    const last = focused.current;
    const lastButton = last === null ? undefined : buttons.current.get(last);
    if (last === null || !lastButton?.disabled) return;
    const active = document.activeElement;
    if (active !== null && active !== document.body && active !== lastButton) return;
    const next = FOCUS_NEXT[last].map((a) => buttons.current.get(a)).find((b) => b !== undefined && !b.disabled);
    next?.focus();
  });

  const ref = (action: Action) => (el: HTMLButtonElement | null) => {
    if (el) buttons.current.set(action, el);
    else buttons.current.delete(action);
  };
  const onFocus = (action: Action) => () => {
    focused.current = action;
  };
  // Focus that moved to something else is not ours to move again; focus lost to nothing (a
  // button that became disabled) is.
  const onBlur = (event: FocusEvent<HTMLDivElement>) => {
    if (event.relatedTarget !== null) focused.current = null;
  };
  const describedBy = (blocked: string | null) => (blocked ? reasonId : undefined);

  return (
    <>
      <div className="row-actions" role="group" aria-label={`Actions for ${name}`} onBlur={onBlur}>
        <button
          ref={ref('pause')}
          type="button"
          disabled={!props.canPause}
          onFocus={onFocus('pause')}
          onClick={() => void pauseUploads([id])}
          aria-label={`Pause ${name}`}
          aria-describedby={describedBy(props.pauseBlocked)}
          title={props.pauseBlocked ?? undefined}
        >
          Pause
        </button>
        <button
          ref={ref('resume')}
          type="button"
          disabled={!props.canResume}
          onFocus={onFocus('resume')}
          onClick={() => void requestResume([id])}
          aria-label={`Resume ${name}`}
          aria-describedby={describedBy(props.resumeBlocked)}
          title={props.resumeBlocked ?? undefined}
        >
          Resume
        </button>
        <button
          ref={ref('cancel')}
          type="button"
          disabled={!props.canCancel}
          onFocus={onFocus('cancel')}
          onClick={() =>
            props.cancelDeletesUpload ? ask({ kind: 'cancel-uploaded', uploadId: id }) : void cancelUploads([id])
          }
          aria-label={`Cancel ${name}`}
        >
          Cancel
        </button>
        <button
          ref={ref('retry')}
          type="button"
          disabled={!props.canRetry}
          onFocus={onFocus('retry')}
          onClick={() => void retryUploads([id])}
          aria-label={`Retry ${name}`}
          aria-describedby={describedBy(props.retryBlocked)}
          title={props.retryBlocked ?? undefined}
        >
          Retry
        </button>
        <button
          ref={ref('details')}
          type="button"
          className="link"
          aria-pressed={selected}
          onFocus={onFocus('details')}
          onClick={() => selectUpload(selected ? null : id)}
          aria-label={`Details of ${name}`}
        >
          Details
        </button>
      </div>
      {reasons.length > 0 ? (
        <p id={reasonId} className="row-blocked muted">
          {reasons.join(' ')}
        </p>
      ) : null}
    </>
  );
});
