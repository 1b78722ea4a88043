// The queue's rows, virtualized (virtual.ts): a scrolling box of fixed-height rows in which only
// the rows in view plus a margin are in the DOM, so 500 jobs cost what 20 do.
//
// Keys. Every control stays a native one: a row's keyboard anchor is its tick box, so
//   Space   ticks or unticks the focused row (the tick box's own key; a button's Space presses it)
//   ↑ ↓ Home End PageUp PageDown  from anywhere in a row, move to another row's tick box
//           (scrolling it into view)
//   Delete  from anywhere in a row: remove the ticked rows if this one is ticked, else this row
//   Enter   on the tick box: open the row's details (on a button, Enter presses it)
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { UploadId } from '../../../../shared/upload.ts';
import { useAppStore } from '../../store/index.ts';
import { checkedIds, selectVisibleUploadIds } from '../../store/selectors.ts';
import { UploadRow } from '../UploadRow.tsx';
import { requestRemove } from './queue-commands.ts';
import { ROW_HEIGHT, scrollToShow, visibleRange, type RowRange } from './virtual.ts';

/** The rendered row of a job, if it is in the DOM. */
export function rowElement(root: ParentNode | null, id: UploadId): HTMLElement | undefined {
  if (!root) return undefined;
  return [...root.querySelectorAll<HTMLElement>('li[data-upload-id]')].find((li) => li.dataset.uploadId === id);
}

/** A row's keyboard anchor: its tick box. */
export function rowAnchor(root: ParentNode | null, id: UploadId): HTMLInputElement | null {
  return rowElement(root, id)?.querySelector<HTMLInputElement>('input.row-check') ?? null;
}

function sameRange(a: RowRange, b: RowRange): boolean {
  return a.start === b.start && a.end === b.end;
}

export function QueueList() {
  const { t } = useTranslation('queue');
  const ids = useAppStore(useShallow(selectVisibleUploadIds));
  const scroller = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const [range, setRange] = useState<RowRange>(() => visibleRange(0, 0, ids.length));
  const pendingFocus = useRef<UploadId | null>(null);

  const measure = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const next = visibleRange(el.scrollTop, el.clientHeight, ids.length);
    setRange((prev) => (sameRange(prev, next) ? prev : next));
  }, [ids.length]);

  useLayoutEffect(measure, [measure]);
  useEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [measure]);

  useEffect(() => {
    const id = pendingFocus.current;
    if (id === null) return;
    pendingFocus.current = null;
    rowAnchor(list.current, id)?.focus();
  });

  function moveTo(index: number) {
    const el = scroller.current;
    const id = ids[index];
    if (!el || id === undefined) return;
    const top = scrollToShow(index, el.scrollTop, el.clientHeight);
    if (top !== el.scrollTop) el.scrollTop = top;
    const next = visibleRange(top, el.clientHeight, ids.length);
    setRange((prev) => (sameRange(prev, next) ? prev : next));
    pendingFocus.current = id;
    // Already rendered (the common case): focus at once; else the effect does after the render.
    const anchor = rowAnchor(list.current, id);
    if (anchor) {
      pendingFocus.current = null;
      anchor.focus();
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLUListElement>) {
    const target = event.target as HTMLElement;
    const id = target.closest<HTMLElement>('li[data-upload-id]')?.dataset.uploadId;
    if (id === undefined) return;
    const onAnchor = target instanceof HTMLInputElement && target.classList.contains('row-check');
    const index = ids.indexOf(id);
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight || ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    const state = useAppStore.getState();
    let next: number;
    switch (event.key) {
      case 'ArrowDown':
        next = Math.min(ids.length - 1, index + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, index - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = ids.length - 1;
        break;
      case 'PageDown':
        next = Math.min(ids.length - 1, index + page);
        break;
      case 'PageUp':
        next = Math.max(0, index - page);
        break;
      case 'Delete': {
        event.preventDefault();
        const ticked = checkedIds(state);
        void requestRemove(state.checkedUploadIds[id] ? ticked : [id]);
        return;
      }
      case 'Enter':
        if (!onAnchor) return;
        event.preventDefault();
        state.selectUpload(id);
        return;
      default:
        return;
    }
    event.preventDefault();
    moveTo(next);
  }

  if (ids.length === 0) return <p className="empty queue-none">{t('list.noMatch')}</p>;
  const rows = ids.slice(range.start, range.end);
  return (
    <div className="queue-scroll" ref={scroller} onScroll={measure}>
      <ul
        ref={list}
        className="upload-list"
        aria-label={t('list.label')}
        onKeyDown={onKeyDown}
        style={{
          paddingTop: range.start * ROW_HEIGHT,
          paddingBottom: Math.max(0, ids.length - range.end) * ROW_HEIGHT,
        }}
      >
        {rows.map((id, i) => (
          <UploadRow key={id} id={id} position={range.start + i + 1} setSize={ids.length} />
        ))}
      </ul>
    </div>
  );
}
