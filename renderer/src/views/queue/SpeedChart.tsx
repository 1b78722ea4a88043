// Speed over time as a small inline SVG (the graph a file-copy dialog shows): the samples the
// store kept for a job or for the whole queue, scaled to their peak. The picture is decoration
// for sighted users; its name says the same in words (peak and latest speed).
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatSpeed } from '../../../../shared/format.ts';
import { peakOf, type SpeedSeries } from '../../store/uploads-slice-throughput.ts';

export const CHART_WIDTH = 240;
export const CHART_HEIGHT = 48;

/** The SVG path of a series in a width × height box (time left to right, speed bottom to top). */
export function chartPath(series: SpeedSeries, width = CHART_WIDTH, height = CHART_HEIGHT): string {
  const samples = series.samples;
  if (samples.length === 0) return '';
  const first = samples[0]!.t;
  const span = Math.max(1, samples[samples.length - 1]!.t - first);
  const peak = Math.max(1, peakOf(series));
  const point = (t: number, bps: number) =>
    `${((samples.length === 1 ? 1 : (t - first) / span) * width).toFixed(1)},${(height - (bps / peak) * (height - 2) - 1).toFixed(1)}`;
  return samples.map((s, i) => `${i === 0 ? 'M' : 'L'}${point(s.t, s.bps)}`).join(' ');
}

export const SpeedChart = memo(function SpeedChart({ series, label }: { series: SpeedSeries; label: string }) {
  const { t } = useTranslation('queue');
  const samples = series.samples;
  const latest = samples[samples.length - 1];
  const name =
    samples.length === 0
      ? t('chart.empty', { label })
      : t('chart.described', { label, peak: formatSpeed(peakOf(series)), latest: formatSpeed(latest?.bps ?? 0) });
  const path = chartPath(series);
  return (
    <svg
      className="speed-chart"
      role="img"
      aria-label={name}
      viewBox={`0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`}
      width={CHART_WIDTH}
      height={CHART_HEIGHT}
      preserveAspectRatio="none"
    >
      <rect className="speed-chart-frame" x="0" y="0" width={CHART_WIDTH} height={CHART_HEIGHT} />
      {path ? (
        <>
          <path className="speed-chart-area" d={`${path} L${CHART_WIDTH},${CHART_HEIGHT} L0,${CHART_HEIGHT} Z`} />
          <path className="speed-chart-line" d={path} />
        </>
      ) : null}
    </svg>
  );
});
