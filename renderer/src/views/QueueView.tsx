// The queue: a sticky summary (total progress, speed and its graph, ETA, elapsed), the commands
// for every job, tabs by state with counts, Find, sort, the bulk commands for ticked rows, and
// the rows themselves, virtualized (queue/QueueList.tsx). Details open in a side drawer at every
// width: beside the list on a wide window, over it on a narrow one — never below it.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../store/index.ts';
import { LifecyclePanel } from './LifecyclePanel.tsx';
import { QueueBulkBar, QueueFilters, QueueToolbar } from './queue/QueueControls.tsx';
import { QueueList, rowAnchor } from './queue/QueueList.tsx';
import { QueueQuestionDialog } from './queue/QueueQuestionDialog.tsx';
import { QueueSummary } from './queue/QueueSummary.tsx';

export function QueueView() {
  const { t } = useTranslation('queue');
  const empty = useAppStore((s) => s.uploadOrder.length === 0);
  const loaded = useAppStore((s) => s.uploadsLoaded);
  const drawerOpen = useAppStore((s) => s.selectedUploadId !== null && s.uploads[s.selectedUploadId] !== undefined);
  const setView = useAppStore((s) => s.setView);
  return (
    <section aria-labelledby="queue-heading" className={`view queue-view${drawerOpen ? ' has-drawer' : ''}`}>
      <h2 id="queue-heading">{t('heading')}</h2>
      {empty ? (
        <p className="empty">
          {loaded ? t('empty') : t('loading')}{' '}
          <button type="button" className="link" onClick={() => setView('add')}>
            {t('addImages')}
          </button>
        </p>
      ) : (
        <>
          <QueueSummary />
          <QueueToolbar />
          <QueueFilters />
          <QueueBulkBar />
          <QueueList />
          <p className="queue-keys muted">{t('keys')}</p>
        </>
      )}
      <QueueDrawer />
      <QueueQuestionDialog />
    </section>
  );
}

/**
 * The details drawer. Opening it moves the focus to its heading; Escape or Close shuts it and
 * gives the focus back to the job's row (its tick box, the row's keyboard anchor).
 */
function QueueDrawer() {
  const { t } = useTranslation('queue');
  const id = useAppStore((s) =>
    s.selectedUploadId !== null && s.uploads[s.selectedUploadId] ? s.selectedUploadId : null,
  );
  const selectUpload = useAppStore((s) => s.selectUpload);
  const drawer = useRef<HTMLElement>(null);
  const lastId = useRef<string | null>(null);

  useEffect(() => {
    if (id !== null) {
      lastId.current = id;
      drawer.current?.querySelector<HTMLElement>('#lifecycle-heading')?.focus();
      return;
    }
    const was = lastId.current;
    lastId.current = null;
    if (was === null) return;
    // Only when the focus was in the drawer (now gone) or nowhere: never take it from elsewhere.
    const active = document.activeElement;
    if (active !== null && active !== document.body) return;
    rowAnchor(document, was)?.focus();
  }, [id]);

  if (id === null) return null;
  return (
    <aside
      ref={drawer}
      className="queue-drawer"
      aria-label={t('drawer.label')}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          selectUpload(null);
        }
      }}
    >
      <LifecyclePanel />
    </aside>
  );
}
