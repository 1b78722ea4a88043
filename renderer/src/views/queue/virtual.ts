// Row virtualization for the queue, written for its one case: rows of one fixed height in a
// scrolling box. Only the rows in view, plus OVERSCAN_ROWS above and below, are in the DOM; the
// list's padding stands in for the rest, so the scrollbar is true to the whole queue.

/** Every queue row is exactly this tall (px); app.css sets the same height. */
export const ROW_HEIGHT = 60;
/** Rows rendered beyond each edge of the view, so a quick scroll shows no gap. */
export const OVERSCAN_ROWS = 4;
/** The view's height before it has been measured (and in a DOM without layout). */
export const FALLBACK_VIEWPORT = 600;

export interface RowRange {
  /** First rendered row (inclusive). */
  readonly start: number;
  /** Past the last rendered row (exclusive). */
  readonly end: number;
}

/** The rows to render for a scroll position: those in view plus the overscan, within [0, count). */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  count: number,
  rowHeight = ROW_HEIGHT,
  overscan = OVERSCAN_ROWS,
): RowRange {
  const view = viewportHeight > 0 ? viewportHeight : FALLBACK_VIEWPORT;
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + view) / rowHeight);
  return { start: Math.max(0, Math.min(count, first - overscan)), end: Math.max(0, Math.min(count, last + overscan)) };
}

/** The scrollTop that brings row `index` fully into view (unchanged when it already is). */
export function scrollToShow(index: number, scrollTop: number, viewportHeight: number, rowHeight = ROW_HEIGHT): number {
  const view = viewportHeight > 0 ? viewportHeight : FALLBACK_VIEWPORT;
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + view) return top + rowHeight - view;
  return scrollTop;
}
