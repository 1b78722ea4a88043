// The operator dashboard: every image of the project, filtered by status and text, sorted by
// a column, refreshed every 15 s. Images stuck in queued or saving stand out, with whether
// Imagedrop made them; stuck images the project owns can be deleted after a confirmation.
import { useEffect, useMemo, useState } from 'react';
import { formatBytes } from '../../../shared/format.ts';
import { GLANCE_IMAGE_STATUSES, type GlanceImageStatus } from '../../../shared/glance.ts';
import type { ImageSummary } from '../../../shared/ipc.ts';
import { loadImages } from '../bridge.ts';
import { SelectField, TextField } from '../components/fields.tsx';
import { useNow } from '../components/use-now.ts';
import { formatAgo, formatCount, formatDateTime, formatElapsed, imageLabel } from '../format/display.ts';
import { DASHBOARD_REFRESH_MS, type ImageSortKey, type StatusFilter } from '../store/dashboard-slice.ts';
import { useAppStore } from '../store/index.ts';
import { countByStatus, filterAndSortImages, isDeletable, isStuck } from '../store/selectors.ts';

export function DashboardView() {
  const connected = useAppStore((s) => s.session !== null);
  const setView = useAppStore((s) => s.setView);
  return (
    <section aria-labelledby="dashboard-heading" className="view">
      <h2 id="dashboard-heading">Dashboard</h2>
      {connected ? (
        <ConnectedDashboard />
      ) : (
        <p className="empty">
          Connect to a cloud to see its images.{' '}
          <button type="button" className="link" onClick={() => setView('connect')}>
            Connect
          </button>
        </p>
      )}
    </section>
  );
}

const SORT_COLUMNS: readonly { key: ImageSortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'status', label: 'Status' },
  { key: 'size', label: 'Size' },
  { key: 'createdAt', label: 'Created' },
  { key: 'updatedAt', label: 'Updated' },
];

function ConnectedDashboard() {
  useEffect(() => {
    void loadImages();
    const timer = setInterval(() => void loadImages(), DASHBOARD_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const images = useAppStore((s) => s.images);
  const fetchedAt = useAppStore((s) => s.imagesFetchedAt);
  const error = useAppStore((s) => s.imagesError);
  const loading = useAppStore((s) => s.imagesLoading);
  const statusFilter = useAppStore((s) => s.statusFilter);
  const textFilter = useAppStore((s) => s.textFilter);
  const sort = useAppStore((s) => s.sort);
  const stuckAfterMinutes = useAppStore((s) => s.stuckAfterMinutes);
  const setStatusFilter = useAppStore((s) => s.setStatusFilter);
  const setTextFilter = useAppStore((s) => s.setTextFilter);

  // Stuck is judged against the moment the list was read, so the table changes only on refresh.
  const asOf = fetchedAt ?? 0;
  const stuckAfterMs = stuckAfterMinutes * 60_000;
  const visible = useMemo(
    () => filterAndSortImages(images, statusFilter, textFilter, sort),
    [images, statusFilter, textFilter, sort],
  );
  const counts = useMemo(() => countByStatus(images), [images]);
  const stuckCount = useMemo(
    () => images.filter((i) => isStuck(i, asOf, stuckAfterMs)).length,
    [images, asOf, stuckAfterMs],
  );

  return (
    <>
      <div className="dashboard-bar">
        <button type="button" onClick={() => void loadImages()} disabled={loading}>
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
        <RefreshedAgo fetchedAt={fetchedAt} />
      </div>
      {error ? (
        <div className="error-box" role="alert">
          <p className="error-message">{error.message}</p>
          {error.detail ? <p className="error-detail">{error.detail}</p> : null}
        </div>
      ) : null}
      <div className="filters" role="search" aria-label="Filter images">
        <SelectField
          label="Status"
          value={statusFilter}
          onChange={(v) => setStatusFilter(v as StatusFilter)}
          options={[
            { value: 'all', label: `All statuses (${images.length})` },
            ...GLANCE_IMAGE_STATUSES.map((s) => ({ value: s, label: `${s} (${counts[s]})` })),
          ]}
        />
        <TextField
          label="Search"
          type="search"
          value={textFilter}
          onChange={setTextFilter}
          placeholder="name, id or disk format"
        />
        <StuckThreshold />
      </div>
      <p className="summary" aria-live="polite">
        Showing {visible.length} of {formatCount(images.length, 'image')}
        {stuckCount > 0 ? `, ${stuckCount} stuck in queued or saving for more than ${stuckAfterMinutes} min` : ''}.
      </p>
      <DeleteBar visible={visible} asOf={asOf} stuckAfterMs={stuckAfterMs} />
      <div className="table-wrap">
        <table className="images" aria-busy={loading || undefined} aria-label="Images">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Select</span>
              </th>
              {SORT_COLUMNS.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  aria-sort={sort.key === c.key ? (sort.direction === 'asc' ? 'ascending' : 'descending') : undefined}
                >
                  <SortButton column={c.key} label={c.label} />
                </th>
              ))}
              <th scope="col">Disk format</th>
              <th scope="col">Visibility</th>
              <th scope="col">Created by Imagedrop</th>
            </tr>
          </thead>
          <tbody>
            {visible.map((image) => (
              <ImageRow key={image.id} image={image} asOf={asOf} stuckAfterMs={stuckAfterMs} />
            ))}
          </tbody>
        </table>
        {visible.length === 0 ? (
          <p className="empty">
            {fetchedAt === null
              ? 'Loading images…'
              : statusFilter === 'deleted'
                ? 'Glance does not list deleted images, so none can be shown here: a deleted image is gone from the list.'
                : 'No image matches these filters.'}
          </p>
        ) : null}
      </div>
      <DeleteOutcomes />
    </>
  );
}

function RefreshedAgo({ fetchedAt }: { fetchedAt: number | null }) {
  const now = useNow(1000);
  return (
    <p className="muted refreshed">
      {fetchedAt === null ? 'Not loaded yet' : `Updated ${formatAgo(now - fetchedAt)}`} · refreshes every{' '}
      {DASHBOARD_REFRESH_MS / 1000} s
    </p>
  );
}

function StuckThreshold() {
  const minutes = useAppStore((s) => s.stuckAfterMinutes);
  const setMinutes = useAppStore((s) => s.setStuckAfterMinutes);
  const [text, setText] = useState(String(minutes));
  const valid = /^\d+$/.test(text.trim()) && Number(text) >= 1;
  return (
    <TextField
      label="Stuck after (minutes)"
      inputMode="numeric"
      value={text}
      onChange={(v) => {
        setText(v);
        if (/^\d+$/.test(v.trim()) && Number(v) >= 1) setMinutes(Number(v));
      }}
      error={valid ? undefined : 'Enter a whole number of minutes, 1 or more.'}
    />
  );
}

function SortButton({ column, label }: { column: ImageSortKey; label: string }) {
  const sort = useAppStore((s) => s.sort);
  const sortBy = useAppStore((s) => s.sortImagesBy);
  const active = sort.key === column;
  return (
    <button type="button" className="sort-button" onClick={() => sortBy(column)} aria-label={`Sort by ${label}`}>
      {label}
      <span aria-hidden="true" className="sort-arrow">
        {active ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}
      </span>
    </button>
  );
}

function ImageRow({ image, asOf, stuckAfterMs }: { image: ImageSummary; asOf: number; stuckAfterMs: number }) {
  const selected = useAppStore((s) => s.selectedImageIds.includes(image.id));
  const toggle = useAppStore((s) => s.toggleImageSelected);
  const stuck = isStuck(image, asOf, stuckAfterMs);
  const deletable = isDeletable(image, asOf, stuckAfterMs);
  const label = imageLabel(image.name, image.id);
  return (
    <tr className={stuck ? 'stuck' : undefined}>
      <td>
        {deletable ? (
          <input
            type="checkbox"
            checked={selected}
            onChange={() => toggle(image.id)}
            aria-label={`Select ${label} for deletion`}
          />
        ) : null}
      </td>
      <th scope="row">
        <span className="image-name">{label}</span>
        <br />
        <code className="muted image-id">{image.id}</code>
      </th>
      <td>
        <StatusBadge status={image.status} />
        {stuck ? (
          <span className="badge badge-bad stuck-badge">
            Stuck for {formatElapsed(asOf - Date.parse(image.updatedAt))}
          </span>
        ) : null}
        {stuck && image.protected ? <span className="muted"> (protected)</span> : null}
        {image.uploadingHere ? (
          <span className="badge uploading-here-badge">In Imagedrop's queue: manage it there</span>
        ) : null}
      </td>
      <td>{formatBytes(image.size)}</td>
      <td>{formatDateTime(image.createdAt)}</td>
      <td>{formatDateTime(image.updatedAt)}</td>
      <td>{image.diskFormat ?? '—'}</td>
      <td>{image.visibility}</td>
      <td>{image.createdByImagedrop ? 'Yes' : 'No'}</td>
    </tr>
  );
}

function StatusBadge({ status }: { status: GlanceImageStatus }) {
  return <span className={`badge status-badge status-${status}`}>{status}</span>;
}

function DeleteBar({
  visible,
  asOf,
  stuckAfterMs,
}: {
  visible: readonly ImageSummary[];
  asOf: number;
  stuckAfterMs: number;
}) {
  const selectedIds = useAppStore((s) => s.selectedImageIds);
  const images = useAppStore((s) => s.images);
  const deleting = useAppStore((s) => s.deleting);
  const setSelected = useAppStore((s) => s.setSelectedImages);
  const ask = useAppStore((s) => s.askConfirmation);
  const deletableVisible = visible.filter((i) => isDeletable(i, asOf, stuckAfterMs)).map((i) => i.id);
  // Only what is still stuck and owned can be sent, even if it was ticked before a refresh.
  const stillDeletable = new Set(images.filter((i) => isDeletable(i, asOf, stuckAfterMs)).map((i) => i.id));
  const chosen = selectedIds.filter((id) => stillDeletable.has(id));
  if (deletableVisible.length === 0 && chosen.length === 0) return null;
  return (
    <div className="toolbar delete-bar" role="group" aria-label="Stuck images">
      <button type="button" onClick={() => setSelected(deletableVisible)} disabled={deletableVisible.length === 0}>
        Select all stuck
      </button>
      <button type="button" onClick={() => setSelected([])} disabled={chosen.length === 0}>
        Clear selection
      </button>
      <button
        type="button"
        className="danger"
        disabled={chosen.length === 0 || deleting}
        onClick={() => ask({ kind: 'delete-images', imageIds: chosen })}
      >
        {deleting ? 'Deleting…' : `Delete selected (${chosen.length})`}
      </button>
    </div>
  );
}

function DeleteOutcomes() {
  const outcomes = useAppStore((s) => s.deleteOutcomes);
  if (outcomes.length === 0) return null;
  return (
    <section className="outcomes" aria-labelledby="outcomes-heading">
      <h3 id="outcomes-heading">Deletion results</h3>
      <ul aria-live="polite">
        {outcomes.map((o) => (
          <li key={o.id} className={o.ok ? 'outcome-ok' : 'outcome-failed'}>
            <strong>{imageLabel(o.name, o.id)}</strong>: {o.ok ? 'deleted' : `not deleted. ${o.error.message}`}
          </li>
        ))}
      </ul>
    </section>
  );
}
