// The operator dashboard: every image of the project, filtered by status and text, sorted by a
// column, refreshed every 15 s, with its stores, owner, minimum disk and relative dates. Every
// Glance status has its own colour and icon; images stuck in queued, saving, uploading or
// importing stand out, and those and killed ones the project owns can be deleted after a
// confirmation. Active images can be copied to more stores (Glance), each store's progress shown
// in the row. The listed images and this app's upload history export as CSV or JSON. On an IMS
// cloud, this app's running IMS jobs and the unfinished multipart uploads (with Abort) follow.
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../../shared/format.ts';
import { GLANCE_IMAGE_STATUSES } from '../../../shared/glance.ts';
import type { ImageSummary } from '../../../shared/ipc.ts';
import { loadImageCopies, loadImages } from '../bridge.ts';
import { SelectField, TextField } from '../components/fields.tsx';
import { useNow } from '../components/use-now.ts';
import { formatAgo, formatElapsed, imageLabel } from '../format/display.ts';
import { COPY_POLL_MS, DASHBOARD_REFRESH_MS, type ImageSortKey, type StatusFilter } from '../store/dashboard-slice.ts';
import { useAppStore } from '../store/index.ts';
import { countByStatus, filterAndSortImages, isDead, isDeletable, isStuck } from '../store/selectors.ts';
import { ExportBar } from './dashboard/ExportBar.tsx';
import { ImsPanel } from './dashboard/ImsPanel.tsx';
import { RelativeTime } from './dashboard/RelativeTime.tsx';
import { StatusBadge } from './dashboard/StatusBadge.tsx';
import { StoresCell } from './dashboard/StoresCell.tsx';
import { UsageMeter } from './add/UsageMeter.tsx';

export function DashboardView() {
  const { t } = useTranslation('dashboard');
  const connected = useAppStore((s) => s.session !== null);
  const setView = useAppStore((s) => s.setView);
  return (
    <section aria-labelledby="dashboard-heading" className="view">
      <h2 id="dashboard-heading">{t('heading')}</h2>
      {connected ? (
        <ConnectedDashboard />
      ) : (
        <p className="empty">
          {t('notConnected')}{' '}
          <button type="button" className="link" onClick={() => setView('connect')}>
            {t('connect')}
          </button>
        </p>
      )}
    </section>
  );
}

const SORT_COLUMNS: readonly ImageSortKey[] = ['name', 'status', 'size', 'createdAt', 'updatedAt'];
const SORT_LABEL_KEYS = {
  name: 'table.name',
  status: 'table.status',
  size: 'table.size',
  createdAt: 'table.created',
  updatedAt: 'table.updated',
} as const satisfies Record<ImageSortKey, string>;

/** While a copy to more stores runs, its stores are read every second until it ends. */
function useCopyPolling(): void {
  const copying = useAppStore((s) => Object.values(s.copies).some((c) => c.state === 'copying'));
  useEffect(() => {
    if (!copying) return;
    const timer = setInterval(() => void loadImageCopies(), COPY_POLL_MS);
    return () => clearInterval(timer);
  }, [copying]);
}

function ConnectedDashboard() {
  const { t } = useTranslation('dashboard');
  useEffect(() => {
    void loadImages();
    void loadImageCopies();
    const timer = setInterval(() => void loadImages(), DASHBOARD_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  useCopyPolling();

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
  const ims = useAppStore((s) => s.session?.imageService.kind === 'ims');
  // Relative dates move on every half minute, in one place for the whole table.
  const now = useNow(30_000);

  // Stuck is judged against the moment the list was read, so the table changes only on refresh.
  const asOf = fetchedAt ?? 0;
  const stuckAfterMs = stuckAfterMinutes * 60_000;
  const visible = useMemo(
    () => filterAndSortImages(images, statusFilter, textFilter, sort),
    [images, statusFilter, textFilter, sort],
  );
  const visibleIds = useMemo(() => visible.map((i) => i.id), [visible]);
  const counts = useMemo(() => countByStatus(images), [images]);
  const stuckCount = useMemo(
    () => images.filter((i) => isStuck(i, asOf, stuckAfterMs)).length,
    [images, asOf, stuckAfterMs],
  );

  return (
    <>
      <UsageMeter />
      <div className="dashboard-bar">
        <button type="button" onClick={() => void loadImages()} disabled={loading}>
          {loading ? t('refreshing') : t('refresh')}
        </button>
        <RefreshedAgo fetchedAt={fetchedAt} />
      </div>
      {error ? (
        <div className="error-box" role="alert">
          <p className="error-message">{error.message}</p>
          {error.detail ? <p className="error-detail">{error.detail}</p> : null}
        </div>
      ) : null}
      <div className="filters" role="search" aria-label={t('filters.label')}>
        <SelectField
          label={t('filters.status')}
          value={statusFilter}
          onChange={(v) => setStatusFilter(v as StatusFilter)}
          options={[
            { value: 'all', label: t('filters.allStatuses', { count: images.length }) },
            ...GLANCE_IMAGE_STATUSES.map((s) => ({
              value: s,
              label: t('filters.statusCount', { status: s, count: counts[s] }),
            })),
          ]}
        />
        <TextField
          label={t('filters.search')}
          type="search"
          value={textFilter}
          onChange={setTextFilter}
          placeholder={t('filters.searchPlaceholder')}
        />
        <StuckThreshold />
      </div>
      <p className="summary" aria-live="polite">
        {t('summary.showing', { shown: visible.length, count: images.length })}
        {stuckCount > 0 ? t('summary.stuck', { count: stuckCount, minutes: stuckAfterMinutes }) : ''}
        {counts.killed > 0 ? t('summary.killed', { count: counts.killed }) : ''}.
      </p>
      <ExportBar listedIds={visibleIds} />
      <DeleteBar visible={visible} asOf={asOf} stuckAfterMs={stuckAfterMs} />
      <div className="table-wrap">
        <table className="images" aria-busy={loading || undefined} aria-label={t('table.label')}>
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">{t('table.select')}</span>
              </th>
              {SORT_COLUMNS.map((key) => (
                <th
                  key={key}
                  scope="col"
                  aria-sort={sort.key === key ? (sort.direction === 'asc' ? 'ascending' : 'descending') : undefined}
                >
                  <SortButton column={key} label={t(SORT_LABEL_KEYS[key])} />
                </th>
              ))}
              <th scope="col">{t('table.diskFormat')}</th>
              <th scope="col">{t('table.minDisk')}</th>
              {ims ? <th scope="col">{t('table.osVersion')}</th> : <th scope="col">{t('table.stores')}</th>}
              <th scope="col">{t('table.owner')}</th>
              <th scope="col">{t('table.visibility')}</th>
              <th scope="col">{t('table.byImagedrop')}</th>
              <th scope="col">{t('table.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {visible.map((image) => (
              <ImageRow key={image.id} image={image} asOf={asOf} stuckAfterMs={stuckAfterMs} now={now} ims={ims} />
            ))}
          </tbody>
        </table>
        {visible.length === 0 ? (
          <p className="empty">
            {fetchedAt === null
              ? t('table.loading')
              : statusFilter === 'deleted'
                ? t('table.deletedNotListed')
                : t('table.noMatch')}
          </p>
        ) : null}
      </div>
      <DeleteOutcomes />
      {ims ? <ImsPanel now={now} /> : null}
    </>
  );
}

function RefreshedAgo({ fetchedAt }: { fetchedAt: number | null }) {
  const { t } = useTranslation('dashboard');
  const now = useNow(1000);
  return (
    <p className="muted refreshed">
      {fetchedAt === null ? t('notLoaded') : t('updatedAgo', { ago: formatAgo(now - fetchedAt) })} ·{' '}
      {t('refreshesEvery', { seconds: DASHBOARD_REFRESH_MS / 1000 })}
    </p>
  );
}

function StuckThreshold() {
  const { t } = useTranslation('dashboard');
  const minutes = useAppStore((s) => s.stuckAfterMinutes);
  const setMinutes = useAppStore((s) => s.setStuckAfterMinutes);
  const [text, setText] = useState(String(minutes));
  const valid = /^\d+$/.test(text.trim()) && Number(text) >= 1;
  return (
    <TextField
      label={t('filters.stuckAfter')}
      inputMode="numeric"
      value={text}
      onChange={(v) => {
        setText(v);
        if (/^\d+$/.test(v.trim()) && Number(v) >= 1) setMinutes(Number(v));
      }}
      error={valid ? undefined : t('filters.stuckAfterError')}
    />
  );
}

function SortButton({ column, label }: { column: ImageSortKey; label: string }) {
  const { t } = useTranslation('dashboard');
  const sort = useAppStore((s) => s.sort);
  const sortBy = useAppStore((s) => s.sortImagesBy);
  const active = sort.key === column;
  return (
    <button
      type="button"
      className="sort-button"
      onClick={() => sortBy(column)}
      aria-label={t('table.sortBy', { column: label })}
    >
      {label}
      <span aria-hidden="true" className="sort-arrow">
        {active ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}
      </span>
    </button>
  );
}

/** Copy to stores is offered for an active Glance image when the cloud has a store it is not in yet. */
function useCanCopy(image: ImageSummary): boolean {
  const stores = useAppStore((s) => s.session?.capabilities.stores);
  const copyImage = useAppStore((s) => s.session?.capabilities.importMethods.includes('copy-image') ?? false);
  const copying = useAppStore((s) => s.copies[image.id]?.state === 'copying');
  return (
    copyImage &&
    !copying &&
    image.status === 'active' &&
    image.importingToStores.length === 0 &&
    (stores ?? []).some((s) => !image.stores.includes(s.id))
  );
}

interface RowProps {
  image: ImageSummary;
  asOf: number;
  stuckAfterMs: number;
  now: number;
  ims: boolean;
}

function ImageRow({ image, asOf, stuckAfterMs, now, ims }: RowProps) {
  const { t } = useTranslation('dashboard');
  const selected = useAppStore((s) => s.selectedImageIds.includes(image.id));
  const toggle = useAppStore((s) => s.toggleImageSelected);
  const ask = useAppStore((s) => s.askConfirmation);
  const project = useAppStore((s) => s.session?.project.name ?? null);
  const canCopy = useCanCopy(image);
  const stuck = isStuck(image, asOf, stuckAfterMs);
  const dead = isDead(image);
  const deletable = isDeletable(image, asOf, stuckAfterMs);
  const label = imageLabel(image.name, image.id);
  return (
    <tr className={stuck ? 'stuck' : dead ? 'dead' : undefined}>
      <td>
        {deletable ? (
          <input
            type="checkbox"
            checked={selected}
            onChange={() => toggle(image.id)}
            aria-label={t('table.selectForDeletion', { name: label })}
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
            {t('stuckFor', { elapsed: formatElapsed(asOf - Date.parse(image.updatedAt)) })}
          </span>
        ) : null}
        {dead && image.ownedByProject && !image.protected ? (
          <span className="badge badge-bad stuck-badge">{t('dead')}</span>
        ) : null}
        {(stuck || dead) && image.protected ? <span className="muted"> {t('protected')}</span> : null}
        {image.uploadingHere ? <span className="badge uploading-here-badge">{t('inQueue')}</span> : null}
      </td>
      <td>{formatBytes(image.size)}</td>
      <td>
        <RelativeTime value={image.createdAt} now={now} />
      </td>
      <td>
        <RelativeTime value={image.updatedAt} now={now} />
      </td>
      <td>{image.diskFormat ?? t('table.none')}</td>
      <td>{image.minDisk === null ? t('table.none') : t('table.gb', { count: image.minDisk })}</td>
      <td>{ims ? (image.osVersion ?? t('table.none')) : <StoresCell image={image} />}</td>
      <td>
        {image.ownedByProject && project ? (
          <span title={image.owner ?? undefined}>{project}</span>
        ) : (
          <code className="image-id">{image.owner ?? t('table.none')}</code>
        )}
      </td>
      <td>{image.visibility}</td>
      <td>{image.createdByImagedrop ? t('table.yes') : t('table.no')}</td>
      <td>
        {canCopy ? (
          <button type="button" onClick={() => ask({ kind: 'copy-to-stores', imageId: image.id })}>
            {t('copy.action')}
            {/* The row's image, for a screen reader's list of buttons; the visible text starts the name. */}
            <span className="visually-hidden">{` ${label}`}</span>
          </button>
        ) : null}
      </td>
    </tr>
  );
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
  const { t } = useTranslation('dashboard');
  const selectedIds = useAppStore((s) => s.selectedImageIds);
  const images = useAppStore((s) => s.images);
  const deleting = useAppStore((s) => s.deleting);
  const setSelected = useAppStore((s) => s.setSelectedImages);
  const ask = useAppStore((s) => s.askConfirmation);
  const deletableVisible = visible.filter((i) => isDeletable(i, asOf, stuckAfterMs)).map((i) => i.id);
  // Only what is still deletable and owned can be sent, even if it was ticked before a refresh.
  const stillDeletable = new Set(images.filter((i) => isDeletable(i, asOf, stuckAfterMs)).map((i) => i.id));
  const chosen = selectedIds.filter((id) => stillDeletable.has(id));
  if (deletableVisible.length === 0 && chosen.length === 0) return null;
  return (
    <div className="toolbar delete-bar" role="group" aria-label={t('deleteBar.label')}>
      <button type="button" onClick={() => setSelected(deletableVisible)} disabled={deletableVisible.length === 0}>
        {t('deleteBar.selectAll')}
      </button>
      <button type="button" onClick={() => setSelected([])} disabled={chosen.length === 0}>
        {t('deleteBar.clear')}
      </button>
      <button
        type="button"
        className="danger"
        disabled={chosen.length === 0 || deleting}
        onClick={() => ask({ kind: 'delete-images', imageIds: chosen })}
      >
        {deleting ? t('deleteBar.deleting') : t('deleteBar.delete', { count: chosen.length })}
      </button>
    </div>
  );
}

function DeleteOutcomes() {
  const { t } = useTranslation('dashboard');
  const outcomes = useAppStore((s) => s.deleteOutcomes);
  if (outcomes.length === 0) return null;
  return (
    <section className="outcomes" aria-labelledby="outcomes-heading">
      <h3 id="outcomes-heading">{t('outcomes.heading')}</h3>
      <ul aria-live="polite">
        {outcomes.map((o) => (
          <li key={o.id} className={o.ok ? 'outcome-ok' : 'outcome-failed'}>
            <strong>{imageLabel(o.name, o.id)}</strong>:{' '}
            {o.ok ? t('outcomes.deleted') : t('outcomes.notDeleted', { message: o.error.message })}
          </li>
        ))}
      </ul>
    </section>
  );
}
