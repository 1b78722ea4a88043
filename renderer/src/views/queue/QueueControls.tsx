// The queue's controls: the commands for every job ("… all"), the tabs by state with their
// counts, Find (by name; the menu's Find focuses #queue-find), the sort, "select all shown", and
// the bulk commands for the ticked rows.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { clearUploads, pauseUploads, requestResume, retryUploads } from '../../bridge.ts';
import { useAppStore } from '../../store/index.ts';
import {
  checkedIds,
  finishedUploadIds,
  resumableUploadIds,
  retryableUploadIds,
  selectCheckedAbilities,
  selectQueueAbilities,
  selectQueueCounts,
  visibleUploadIds,
} from '../../store/selectors.ts';
import { QUEUE_FILTERS, QUEUE_SORT_KEYS, type QueueSortKey } from '../../store/uploads-slice.ts';
import { pauseChecked, requestCancelChecked, requestRemove, resumeChecked, retryChecked } from './queue-commands.ts';

export function QueueToolbar() {
  const { t } = useTranslation('queue');
  const can = useAppStore(useShallow(selectQueueAbilities));
  const ask = useAppStore((s) => s.askConfirmation);
  return (
    <div className="toolbar" role="group" aria-label={t('all.label')}>
      <button type="button" disabled={!can.anyPausable} onClick={() => void pauseUploads('all')}>
        {t('all.pause')}
      </button>
      <button
        type="button"
        disabled={!can.anyResumable}
        onClick={() => void requestResume(resumableUploadIds(useAppStore.getState()))}
      >
        {t('all.resume')}
      </button>
      <button type="button" disabled={!can.anyCancellable} onClick={() => ask({ kind: 'cancel-all' })}>
        {t('all.cancel')}
      </button>
      <button
        type="button"
        disabled={!can.anyRetryable}
        onClick={() => void retryUploads(retryableUploadIds(useAppStore.getState()))}
      >
        {t('all.retry')}
      </button>
      <button
        type="button"
        disabled={!can.anyFinished}
        onClick={() => void clearUploads(finishedUploadIds(useAppStore.getState()))}
      >
        {t('all.clear')}
      </button>
    </div>
  );
}

export function QueueFilters() {
  const { t } = useTranslation('queue');
  const counts = useAppStore(useShallow(selectQueueCounts));
  const filter = useAppStore((s) => s.queueFilter);
  const setFilter = useAppStore((s) => s.setQueueFilter);
  const find = useAppStore((s) => s.queueFind);
  const setFind = useAppStore((s) => s.setQueueFind);
  const sort = useAppStore((s) => s.queueSort);
  const setSort = useAppStore((s) => s.setQueueSort);
  return (
    <div className="queue-filters">
      <div className="queue-tabs" role="group" aria-label={t('filter.label')}>
        {QUEUE_FILTERS.map((f) => (
          <button
            key={f}
            type="button"
            className={`queue-tab queue-tab-${f}`}
            aria-pressed={filter === f}
            onClick={() => setFilter(f)}
          >
            {t(`filter.${f}`)} <span className="queue-tab-count">({counts[f]})</span>
          </button>
        ))}
      </div>
      <div className="queue-find-sort">
        <input
          id="queue-find"
          type="search"
          value={find}
          onChange={(e) => setFind(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && find !== '') {
              e.preventDefault();
              setFind('');
            }
          }}
          aria-label={t('find.label')}
          placeholder={t('find.placeholder')}
        />
        <label className="queue-sort">
          {t('sort.label')}{' '}
          <select value={sort.key} onChange={(e) => setSort(e.target.value as QueueSortKey, sort.direction)}>
            {QUEUE_SORT_KEYS.map((key) => (
              <option key={key} value={key}>
                {t(`sort.${key}`)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          onClick={() => setSort(sort.key, sort.direction === 'asc' ? 'desc' : 'asc')}
          aria-label={t(sort.direction === 'asc' ? 'sort.ascendingNow' : 'sort.descendingNow')}
        >
          {t(sort.direction === 'asc' ? 'sort.ascending' : 'sort.descending')}
        </button>
      </div>
    </div>
  );
}

/** "Select all shown" and the commands for the ticked rows. */
export function QueueBulkBar() {
  const { t } = useTranslation('queue');
  const can = useAppStore(useShallow(selectCheckedAbilities));
  const shown = useAppStore(
    useShallow((s) => {
      const ids = visibleUploadIds(s);
      const ticked = ids.filter((id) => s.checkedUploadIds[id] === true).length;
      return { count: ids.length, ticked };
    }),
  );
  const setChecked = useAppStore((s) => s.setChecked);
  const clearChecked = useAppStore((s) => s.clearChecked);
  const all = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (all.current) all.current.indeterminate = shown.ticked > 0 && shown.ticked < shown.count;
  }, [shown.ticked, shown.count]);
  const ids = () => checkedIds(useAppStore.getState());
  return (
    <div className="queue-bulk" role="group" aria-label={t('bulk.label')}>
      <label className="queue-select-all">
        <input
          ref={all}
          type="checkbox"
          checked={shown.count > 0 && shown.ticked === shown.count}
          disabled={shown.count === 0}
          onChange={(e) => setChecked(visibleUploadIds(useAppStore.getState()), e.target.checked)}
        />{' '}
        {t('bulk.selectShown', { count: shown.count })}
      </label>
      <span className="queue-bulk-count" aria-live="polite">
        {t('bulk.selected', { count: can.count })}
      </span>
      <button type="button" disabled={!can.anyPausable} onClick={() => void pauseChecked(ids())}>
        {t('bulk.pause')}
      </button>
      <button type="button" disabled={!can.anyResumable} onClick={() => void resumeChecked(ids())}>
        {t('bulk.resume')}
      </button>
      <button type="button" disabled={!can.anyCancellable} onClick={() => requestCancelChecked(ids())}>
        {t('bulk.cancel')}
      </button>
      <button type="button" disabled={!can.anyRetryable} onClick={() => void retryChecked(ids())}>
        {t('bulk.retry')}
      </button>
      <button type="button" disabled={can.count === 0} onClick={() => void requestRemove(ids())}>
        {t('bulk.remove')}
      </button>
      <button type="button" className="link" disabled={can.count === 0} onClick={clearChecked}>
        {t('bulk.clear')}
      </button>
    </div>
  );
}
