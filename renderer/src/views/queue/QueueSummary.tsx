// The queue's sticky summary: total progress, how many are done (failed ones are not "finished"),
// failed and verified, the overall speed with its graph, the overall ETA ("estimating…" until the
// first speed sample, never "— left") and the time since the first job started.
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { formatSpeed, percentOf } from '../../../../shared/format.ts';
import { useNow } from '../../components/use-now.ts';
import { formatDurationIn, formatPercent, formatProgressBytes } from '../../format/display.ts';
import { currentLocale } from '../../i18n/index.ts';
import { useAppStore } from '../../store/index.ts';
import { selectQueueTotals } from '../../store/selectors.ts';
import { SpeedChart } from './SpeedChart.tsx';

export function QueueSummary() {
  const { t } = useTranslation('queue');
  const totals = useAppStore(useShallow(selectQueueTotals));
  const series = useAppStore((s) => s.queueThroughput);
  const percent = percentOf(totals.bytesSent, totals.bytesTotal);
  const locale = currentLocale();
  return (
    <section className="queue-summary" aria-label={t('summary.label')}>
      <div className="queue-summary-progress">
        <progress max={100} value={percent} aria-label={t('summary.totalProgress')} />
        <p>
          <strong>{formatPercent(percent)}</strong> {formatProgressBytes(totals.bytesSent, totals.bytesTotal)} ·{' '}
          <span className="summary-finished">
            {t('summary.finished', { count: totals.jobs, done: totals.finished })}
          </span>
          {totals.failed > 0 ? (
            <>
              {' · '}
              <span className="summary-failed">{t('summary.failed', { count: totals.failed })}</span>
            </>
          ) : null}
          {' · '}
          {t('summary.verified', { count: totals.verified })}
        </p>
      </div>
      <dl className="queue-summary-facts">
        <div>
          <dt>{t('summary.speed')}</dt>
          <dd>{totals.bytesPerSecond > 0 ? formatSpeed(totals.bytesPerSecond) : t('summary.noSpeed')}</dd>
        </div>
        <div>
          <dt>{t('summary.eta')}</dt>
          <dd className="summary-eta">
            {totals.eta === 'estimating'
              ? t('summary.estimating')
              : totals.eta === 'held'
                ? t('summary.held')
                : totals.eta === 'none'
                  ? t('summary.noneLeft')
                  : t('summary.left', { duration: formatDurationIn(locale, totals.eta) })}
          </dd>
        </div>
        <div>
          <dt>{t('summary.elapsed')}</dt>
          <dd>
            <Elapsed from={totals.firstStartedAt} to={totals.lastEndedAt} />
          </dd>
        </div>
      </dl>
      <SpeedChart series={series} label={t('summary.chart')} />
    </section>
  );
}

/** Time since the queue's first job started (to the last end, once nothing runs); its own 1 s clock. */
function Elapsed({ from, to }: { from: number | null; to: number | null }) {
  const now = useNow(1000);
  if (from === null) return <>—</>;
  return <>{formatDurationIn(currentLocale(), Math.max(0, ((to ?? now) - from) / 1000))}</>;
}
