// Speed over time, kept from the snapshots the store receives (main sends no history): one series
// per job and one for the whole queue. A series is bounded: once it holds MAX_SPEED_SAMPLES it
// keeps every other sample and doubles its spacing, so it always spans the whole transfer at a
// coarser grain, in constant memory (a file-copy dialog's graph does the same).
import type { UploadSnapshot } from '../../../shared/upload.ts';

export const MAX_SPEED_SAMPLES = 120;
/** Samples closer than this (ms, at the series' finest grain) are dropped: main sends ≤ 4 batches a second. */
export const MIN_SAMPLE_GAP_MS = 500;

export interface SpeedSample {
  /** Main's clock (the snapshot's updatedAt), epoch ms. */
  readonly t: number;
  /** Bytes per second. */
  readonly bps: number;
}

export interface SpeedSeries {
  readonly samples: readonly SpeedSample[];
  /** The least spacing between two samples now (grows as the series is thinned). */
  readonly gapMs: number;
}

export const EMPTY_SERIES: SpeedSeries = { samples: [], gapMs: MIN_SAMPLE_GAP_MS };

/** The series with one more sample, or the same object when the sample is too close to the last one. */
export function addSample(series: SpeedSeries, sample: SpeedSample, force = false): SpeedSeries {
  const last = series.samples[series.samples.length - 1];
  if (last !== undefined && (sample.t <= last.t || (!force && sample.t - last.t < series.gapMs))) return series;
  if (series.samples.length < MAX_SPEED_SAMPLES) return { ...series, samples: [...series.samples, sample] };
  const thinned = series.samples.filter((_, i) => i % 2 === 0);
  return { samples: [...thinned, sample], gapMs: series.gapMs * 2 };
}

/**
 * The sample a new snapshot of a job adds to its series: its speed while uploading, and a zero
 * when it stops uploading (so the graph drops instead of holding its last value). Null: nothing.
 */
export function sampleOf(snapshot: UploadSnapshot, before: UploadSnapshot | undefined): SpeedSample | null {
  if (snapshot.phase === 'uploading' && snapshot.bytesPerSecond !== null)
    return { t: snapshot.updatedAt, bps: Math.max(0, snapshot.bytesPerSecond) };
  if (before?.phase === 'uploading' && snapshot.phase !== 'uploading') return { t: snapshot.updatedAt, bps: 0 };
  return null;
}

/** The peak of a series (0 when empty): the chart's scale. */
export function peakOf(series: SpeedSeries): number {
  let peak = 0;
  for (const s of series.samples) if (s.bps > peak) peak = s.bps;
  return peak;
}
