// Splitting a long query_range window into chunks Prometheus accepts, and merging the answers.
//
// Prometheus refuses a range query when (end - start) / step > 11,000 ("exceeded maximum resolution
// of 11,000 points per timeseries"). A 14-day window at KRR's 75 s step is 16,128 steps, so it is
// asked in pieces. Chunks are cut on the step grid and never share an evaluation time, so the merge
// only concatenates; it still drops a repeated timestamp in case a server answers one twice.

import type { Labels, Sample, Series } from './types.ts';

/** Prometheus' per-series limit on points in one range query. */
export const MAX_POINTS_PER_SERIES = 11_000;

export interface TimeChunk {
  /** Unix seconds, inclusive. */
  start: number;
  /** Unix seconds, inclusive; always on the grid start + k·step. */
  end: number;
}

/**
 * Cuts [start, end] into chunks of at most `maxPoints` evaluation times each, on the grid
 * start, start+step, ... The last chunk ends on the last grid time ≤ end.
 */
export function splitRange(
  start: number,
  end: number,
  stepSeconds: number,
  maxPoints: number = MAX_POINTS_PER_SERIES,
): TimeChunk[] {
  if (!(stepSeconds > 0) || !Number.isFinite(stepSeconds)) throw new RangeError('step must be > 0');
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError('start and end must be finite');
  if (end < start) throw new RangeError('end must not be before start');
  if (!Number.isInteger(maxPoints) || maxPoints < 1)
    throw new RangeError('maxPoints must be a positive integer');
  const totalPoints = Math.floor((end - start) / stepSeconds + 1e-9) + 1;
  const chunks: TimeChunk[] = [];
  for (let first = 0; first < totalPoints; first += maxPoints) {
    const last = Math.min(totalPoints - 1, first + maxPoints - 1);
    chunks.push({ start: gridTime(start, stepSeconds, first), end: gridTime(start, stepSeconds, last) });
  }
  return chunks;
}

// Multiplying (not adding step repeatedly) keeps the grid free of accumulated float error;
// millisecond rounding matches Prometheus' own timestamp precision.
function gridTime(start: number, step: number, index: number): number {
  return Math.round((start + step * index) * 1000) / 1000;
}

/** A stable key for a label set (sorted names), used to join one series across chunks. */
export function seriesKey(metric: Labels): string {
  return JSON.stringify(
    Object.keys(metric)
      .sort()
      .map((name) => [name, metric[name]]),
  );
}

/**
 * Joins the chunks' answers series by series, in time order, keeping the first sample of any
 * timestamp seen twice. Series keep the order in which they first appear.
 */
export function mergeSeries(parts: ReadonlyArray<ReadonlyArray<Series>>): Series[] {
  const byKey = new Map<string, { metric: Labels; values: Sample[] }>();
  for (const part of parts) {
    for (const series of part) {
      const key = seriesKey(series.metric);
      let merged = byKey.get(key);
      if (!merged) {
        merged = { metric: series.metric, values: [] };
        byKey.set(key, merged);
      }
      merged.values.push(...series.values);
    }
  }
  const out: Series[] = [];
  for (const { metric, values } of byKey.values()) {
    values.sort((a, b) => a[0] - b[0]);
    const unique: Sample[] = [];
    for (const sample of values) {
      const previous = unique[unique.length - 1];
      if (previous === undefined || previous[0] !== sample[0]) unique.push(sample);
    }
    out.push({ metric, values: unique });
  }
  return out;
}
