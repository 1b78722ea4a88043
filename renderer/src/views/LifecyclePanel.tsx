// The lifecycle of the selected job, step by step as its target names them (for Glance: checked →
// record created → uploading → saving → active → verified), each with its own state and time;
// the image id (copyable), size and both checksums; and, on failure, the error as main words it
// (it already says what to do next).
import { formatBytes, phaseLabel } from '../../../shared/format.ts';
import type { StepState } from '../../../shared/upload.ts';
import { copyText } from '../bridge.ts';
import { LIFECYCLE_LABELS, formatClock } from '../format/display.ts';
import { useAppStore } from '../store/index.ts';
import { selectSelectedUpload } from '../store/selectors.ts';

const STATE_TEXT: Readonly<Record<StepState, string>> = {
  done: 'done',
  running: 'in progress',
  paused: 'paused',
  stopped: 'stopped',
  failed: 'failed',
  pending: 'not yet',
  skipped: 'skipped',
};

export function LifecyclePanel() {
  const s = useAppStore(selectSelectedUpload);
  const selectUpload = useAppStore((st) => st.selectUpload);
  if (!s) {
    return (
      <section className="lifecycle lifecycle-empty" aria-labelledby="lifecycle-heading">
        <h3 id="lifecycle-heading">Lifecycle</h3>
        <p className="muted">Choose “Details” on an upload to follow its image from check to verified.</p>
      </section>
    );
  }
  const c = s.checksums;
  return (
    <section className="lifecycle" aria-labelledby="lifecycle-heading">
      <div className="lifecycle-head">
        <h3 id="lifecycle-heading">Lifecycle of {s.fileName}</h3>
        <button type="button" className="link" onClick={() => selectUpload(null)} aria-label="Close details">
          Close
        </button>
      </div>
      <p>
        <span className={`badge phase-badge phase-badge-${s.phase}`}>{phaseLabel(s.phase)}</span>{' '}
        {s.verified ? (
          <span className="badge badge-good verified-badge">Verified: size and checksum match</span>
        ) : (
          <span className="badge badge-pending">Not verified yet</span>
        )}
      </p>
      <ol className="steps" aria-label="Steps">
        {s.steps.map((step) => (
          <li
            key={step.step}
            className={`step step-${step.state === 'running' ? 'current' : step.state}`}
            aria-current={step.state === 'running' ? 'step' : undefined}
          >
            <span className="step-label">{LIFECYCLE_LABELS[step.step]}</span>{' '}
            <span className="step-state">({STATE_TEXT[step.state]})</span>{' '}
            <time className="step-time">{formatClock(step.endedAt ?? step.startedAt)}</time>
          </li>
        ))}
      </ol>

      {s.error ? (
        <div className="error-box" role="group" aria-label="Error">
          <p className="error-message">{s.error.message}</p>
          {s.error.serverMessage ? <p className="error-detail">Server said: {s.error.serverMessage}</p> : null}
          {s.error.detail ? <p className="error-detail">{s.error.detail}</p> : null}
        </div>
      ) : null}

      <dl className="facts">
        <dt>Image ID</dt>
        <dd>
          {s.imageId ? (
            <>
              <code className="image-id">{s.imageId}</code>{' '}
              <button type="button" onClick={() => void copyText(s.imageId ?? '', 'image ID')}>
                Copy image ID
              </button>
            </>
          ) : (
            'not created yet'
          )}
        </dd>
        <dt>Image name</dt>
        <dd>{s.imageName}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(s.bytesTotal)}</dd>
        <dt>Virtual size</dt>
        <dd>{formatBytes(s.virtualSize)}</dd>
        <dt>Formats</dt>
        <dd>
          {s.diskFormat} / {s.containerFormat}
          {s.store ? ` in store ${s.store}` : ''}
        </dd>
        <dt>File</dt>
        <dd className="path">{s.file}</dd>
      </dl>

      <h4>Checksums</h4>
      <dl className="facts checksums">
        <dt>os_hash ({c.algorithm ?? 'unknown algorithm'}), local</dt>
        <dd>
          <code>{c.local ?? '—'}</code>
        </dd>
        <dt>os_hash ({c.algorithm ?? 'unknown algorithm'}), server</dt>
        <dd>
          <code>{c.server ?? '—'}</code> <MatchNote a={c.local} b={c.server} />
        </dd>
        <dt>md5, local</dt>
        <dd>
          <code>{c.md5Local ?? '—'}</code>
        </dd>
        <dt>md5, server</dt>
        <dd>
          <code>{c.md5Server ?? '—'}</code> <MatchNote a={c.md5Local} b={c.md5Server} />
        </dd>
      </dl>
    </section>
  );
}

function MatchNote({ a, b }: { a: string | null; b: string | null }) {
  if (a === null || b === null) return null;
  return a.toLowerCase() === b.toLowerCase() ? (
    <span className="badge badge-good">match</span>
  ) : (
    <span className="badge badge-bad">differ</span>
  );
}
