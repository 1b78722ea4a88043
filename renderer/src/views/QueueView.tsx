// The queue: total progress, commands for every job, one UploadRow per job, and the lifecycle
// of the selected one. The list selects only the order of ids; each row selects its own job.
import { useShallow } from 'zustand/react/shallow';
import { formatSpeed, percentOf } from '../../../shared/format.ts';
import { clearUploads, pauseUploads, requestResume, retryUploads } from '../bridge.ts';
import { formatCount, formatPercent, formatProgressBytes } from '../format/display.ts';
import { useAppStore } from '../store/index.ts';
import {
  finishedUploadIds,
  resumableUploadIds,
  retryableUploadIds,
  selectQueueAbilities,
  selectQueueTotals,
} from '../store/selectors.ts';
import { LifecyclePanel } from './LifecyclePanel.tsx';
import { UploadRow } from './UploadRow.tsx';

export function QueueView() {
  const order = useAppStore((s) => s.uploadOrder);
  const loaded = useAppStore((s) => s.uploadsLoaded);
  const setView = useAppStore((s) => s.setView);
  return (
    <section aria-labelledby="queue-heading" className="view">
      <h2 id="queue-heading">Queue</h2>
      {order.length === 0 ? (
        <p className="empty">
          {loaded ? 'No uploads yet.' : 'Loading the queue…'}{' '}
          <button type="button" className="link" onClick={() => setView('add')}>
            Add images
          </button>
        </p>
      ) : (
        <>
          <TotalProgress />
          <QueueToolbar />
          <div className="queue-layout">
            <ul className="upload-list" aria-label="Uploads">
              {order.map((id) => (
                <UploadRow key={id} id={id} />
              ))}
            </ul>
            <LifecyclePanel />
          </div>
        </>
      )}
    </section>
  );
}

function TotalProgress() {
  const t = useAppStore(useShallow(selectQueueTotals));
  const percent = percentOf(t.bytesSent, t.bytesTotal);
  return (
    <div className="total-progress">
      <progress max={100} value={percent} aria-label="Total progress" />
      <p>
        <strong>{formatPercent(percent)}</strong> {formatProgressBytes(t.bytesSent, t.bytesTotal)} · {t.finished} of{' '}
        {formatCount(t.jobs, 'upload')} finished · {t.verified} verified
        {t.bytesPerSecond > 0 ? ` · ${formatSpeed(t.bytesPerSecond)}` : ''}
      </p>
    </div>
  );
}

function QueueToolbar() {
  const can = useAppStore(useShallow(selectQueueAbilities));
  const ask = useAppStore((s) => s.askConfirmation);
  return (
    <div className="toolbar" role="group" aria-label="All uploads">
      <button type="button" disabled={!can.anyPausable} onClick={() => void pauseUploads('all')}>
        Pause all
      </button>
      <button
        type="button"
        disabled={!can.anyResumable}
        onClick={() => void requestResume(resumableUploadIds(useAppStore.getState()))}
      >
        Resume all
      </button>
      <button type="button" disabled={!can.anyCancellable} onClick={() => ask({ kind: 'cancel-all' })}>
        Cancel all
      </button>
      <button
        type="button"
        disabled={!can.anyRetryable}
        onClick={() => void retryUploads(retryableUploadIds(useAppStore.getState()))}
      >
        Retry all
      </button>
      <button
        type="button"
        disabled={!can.anyFinished}
        onClick={() => void clearUploads(finishedUploadIds(useAppStore.getState()))}
      >
        Clear finished
      </button>
    </div>
  );
}
