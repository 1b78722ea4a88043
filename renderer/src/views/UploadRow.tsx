// One job in the queue. It takes an id and selects only that job's snapshot, so a progress
// batch re-renders only the rows whose snapshot changed. Inside a row, the parts that a progress
// tick does not touch (title, notes, buttons) are memoised on primitive props, so a tick
// reconciles only the progress line. Buttons follow the phases.ts predicates; a click calls main,
// and the new phase comes back as a snapshot (no optimistic UI).
import { memo, useId } from 'react';
import { formatBytes, formatDuration, formatSpeed, percentOf, phaseLabel, resumeText } from '../../../shared/format.ts';
import type { GlanceImageStatus } from '../../../shared/glance.ts';
import { canCancel, canPause, canResume, canRetry } from '../../../shared/phases.ts';
import type { UploadId, UploadPhase } from '../../../shared/upload.ts';
import { cancelUploads, pauseUploads, requestResume, retryUploads } from '../bridge.ts';
import { formatClock, formatPercent, formatProgressBytes } from '../format/display.ts';
import { useAppStore } from '../store/index.ts';
import { noteRender } from './render-probe.ts';

export const UploadRow = memo(function UploadRow({ id }: { id: UploadId }) {
  const s = useAppStore((state) => state.uploads[id]);
  const selected = useAppStore((state) => state.selectedUploadId === id);
  const titleId = useId();
  noteRender('UploadRow', id);
  if (!s) return null;

  const done = s.phase === 'done';
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
        glanceStatus={s.glanceStatus}
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
      <RowActions id={id} fileName={s.fileName} phase={s.phase} selected={selected} />
    </li>
  );
});

const RowHead = memo(function RowHead(props: {
  titleId: string;
  fileName: string;
  imageName: string;
  phase: UploadPhase;
  glanceStatus: GlanceImageStatus | null;
  verified: boolean;
}) {
  return (
    <>
      <div className="row-head">
        <h3 id={props.titleId} className="row-title">
          {props.fileName}
        </h3>
        <span className={`badge phase-badge phase-badge-${props.phase}`}>{phaseLabel(props.phase)}</span>
        {props.glanceStatus ? <span className="badge badge-status">Image {props.glanceStatus}</span> : null}
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

const RowActions = memo(function RowActions(props: {
  id: UploadId;
  fileName: string;
  phase: UploadPhase;
  selected: boolean;
}) {
  const { id, fileName: name, phase, selected } = props;
  const selectUpload = useAppStore((s) => s.selectUpload);
  return (
    <div className="row-actions" role="group" aria-label={`Actions for ${name}`}>
      <button
        type="button"
        disabled={!canPause(phase)}
        onClick={() => void pauseUploads([id])}
        aria-label={`Pause ${name}`}
      >
        Pause
      </button>
      <button
        type="button"
        disabled={!canResume(phase)}
        onClick={() => void requestResume([id])}
        aria-label={`Resume ${name}`}
      >
        Resume
      </button>
      <button
        type="button"
        disabled={!canCancel(phase)}
        onClick={() => void cancelUploads([id])}
        aria-label={`Cancel ${name}`}
      >
        Cancel
      </button>
      <button
        type="button"
        disabled={!canRetry(phase)}
        onClick={() => void retryUploads([id])}
        aria-label={`Retry ${name}`}
      >
        Retry
      </button>
      <button
        type="button"
        className="link"
        aria-pressed={selected}
        onClick={() => selectUpload(selected ? null : id)}
        aria-label={`Details of ${name}`}
      >
        Details
      </button>
    </div>
  );
});
