// The project's image usage against its quota, in one line: "3 files, 4.2 GiB; the project uses
// 6.1 GiB of 8.0 GiB", with a meter where the quota is known and where the numbers come from.
// Reads getUsage once per session (and again on Refresh, and after uploads start). Add images
// shows it above Upload with what is about to be added; the dashboard can place it as it is.
import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../../../shared/format.ts';
import { isFinished } from '../../../../shared/phases.ts';
import { loadUsage } from '../../bridge.ts';
import { NO_USAGE } from '../../store/drafts-slice.ts';
import { useAppStore } from '../../store/index.ts';

/** How long after an upload ends the usage is read again (one read for a burst of endings). */
export const USAGE_AFTER_UPLOADS_MS = 1500;

export interface UsageMeterProps {
  /** What the user is about to upload (Add images): said first, and drawn on the meter. */
  adding?: { readonly count: number; readonly bytes: number };
}

export function UsageMeter({ adding }: UsageMeterProps) {
  const { t } = useTranslation('add');
  const textId = useId();
  const session = useAppStore((s) => s.session);
  const stored = useAppStore((s) => s.usage);
  const cloudKey = session?.cloudKey ?? null;
  const usage = stored.cloudKey === cloudKey ? stored : NO_USAGE;
  const needsRead = cloudKey !== null && usage.cloudKey === null && !usage.loading;
  useEffect(() => {
    if (needsRead) void loadUsage();
  }, [needsRead]);
  // An upload of this cloud that ends moves its bytes from pending to used (or frees them): read
  // again shortly after, once for a burst of them.
  const finished = useAppStore((s) => {
    let n = 0;
    for (const id of s.uploadOrder) {
      const u = s.uploads[id];
      if (u && u.cloudKey === cloudKey && isFinished(u.phase)) n += 1;
    }
    return n;
  });
  const seen = useRef(finished);
  useEffect(() => {
    if (finished === seen.current) return;
    seen.current = finished;
    const timer = setTimeout(() => void loadUsage(), USAGE_AFTER_UPLOADS_MS);
    return () => clearTimeout(timer);
  }, [finished]);
  if (!session) return null;

  const report = usage.report;
  let line: string | null = null;
  let source: string | null = null;
  if (report) {
    const used = formatBytes(report.usedBytes);
    let text: string =
      report.limitBytes !== null
        ? t('usage.usedOf', { used, limit: formatBytes(report.limitBytes) })
        : t('usage.usedNoLimit', { used });
    if (report.pendingBytes > 0)
      text = t('usage.join', {
        first: text,
        second: t('usage.pending', { pending: formatBytes(report.pendingBytes) }),
      });
    if (adding && adding.count > 0)
      text = t('usage.join', {
        first: t('usage.adding', { count: adding.count, size: formatBytes(adding.bytes) }),
        second: text,
      });
    line = t('usage.end', { text });
    source =
      report.service === 'ims'
        ? t('usage.imsNoQuota')
        : report.limitFrom === 'usage-api'
          ? t('usage.fromUsageApi')
          : report.limitFrom === 'configured'
            ? t('usage.fromConfigured')
            : t('usage.fromImageSum');
    if (report.images)
      source = t('usage.join', {
        first: source,
        second: t('usage.imsImages', { used: report.images.used, limit: report.images.limit }),
      });
  }
  const limit = report?.limitBytes ?? null;
  const taken = report ? report.usedBytes + report.pendingBytes + (adding?.bytes ?? 0) : 0;

  return (
    <section className="usage-meter" aria-label={t('usage.label')} aria-busy={usage.loading || undefined}>
      {report && limit !== null && limit > 0 ? (
        <meter
          min={0}
          max={limit}
          value={Math.min(taken, limit)}
          high={limit * 0.9}
          optimum={0}
          aria-labelledby={textId}
        />
      ) : null}
      {line ? (
        <p id={textId} className="usage-line">
          {line}
        </p>
      ) : usage.loading ? (
        <p id={textId} className="muted">
          {t('usage.loading')}
        </p>
      ) : null}
      {source ? <p className="muted usage-source">{source}</p> : null}
      {usage.error ? (
        <p className="field-error" role="status">
          {t('usage.failed', { message: usage.error.message })}
        </p>
      ) : null}
      <button type="button" className="link" onClick={() => void loadUsage()} disabled={usage.loading}>
        {t('usage.refresh')}
      </button>
    </section>
  );
}
