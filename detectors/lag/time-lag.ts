/**
 * Interpolated time lag from a per-partition table of (end offset, time seen) samples, in the
 * manner of kafka-lag-exporter and Datadog's agent, with two corrections they lack: the error
 * bound is reported next to the number, and extrapolation beyond the table is capped.
 *
 * Sample i says: at time t_i the log end offset was e_i, so offsets < e_i existed and offsets
 * >= e_i did not. Offset c with e_i <= c < e_j (i the last sample with e_i <= c, j the first
 * with e_j > c) was therefore appended inside (t_i, t_j]: the true time lag lies within
 * [now − t_j, now − t_i). Linear interpolation picks a point inside that interval; the error
 * bound is the distance to its farther end, at most the gap t_j − t_i (one poll interval when
 * the producer writes steadily).
 */

export interface EndOffsetSample {
  readonly endOffset: number;
  readonly atMs: number;
}

/** Samples oldest first, end offsets non-decreasing, times strictly increasing. */
export type EndOffsetTable = readonly EndOffsetSample[];

export type TimeLagMethod = 'interpolated' | 'extrapolated';

export interface TimeLag {
  readonly seconds: number;
  readonly method: TimeLagMethod;
  /** The true time lag is within ± this many seconds of `seconds` (see the module comment). */
  readonly errorSeconds: number;
}

/**
 * Adds a sample. The table is cleared when the end offset goes backwards (the topic was
 * recreated or truncated: old samples would map offsets to wrong times). Runs of equal end
 * offsets keep only their first and last sample: the last one is the tightest lower bracket,
 * the first one says when the end offset last moved. At most `maxPoints` samples are kept
 * (the oldest dropped).
 */
export function addEndOffsetSample(
  table: EndOffsetTable,
  sample: EndOffsetSample,
  maxPoints: number,
): EndOffsetTable {
  const last = table[table.length - 1];
  if (last !== undefined && sample.atMs <= last.atMs) return table;
  if (last !== undefined && sample.endOffset < last.endOffset) return [sample];
  const beforeLast = table[table.length - 2];
  let next: EndOffsetSample[];
  if (
    last !== undefined &&
    beforeLast !== undefined &&
    last.endOffset === sample.endOffset &&
    beforeLast.endOffset === sample.endOffset
  ) {
    next = [...table.slice(0, -1), sample];
  } else {
    next = [...table, sample];
  }
  return next.length > maxPoints ? next.slice(next.length - Math.max(2, maxPoints)) : next;
}

/**
 * Time lag of committed offset `committed` at `nowMs`. Undefined when the table has fewer
 * than two samples and the partition is not caught up (no rate to interpolate or extrapolate
 * with). Caught up (committed >= newest end offset): 0 seconds, method interpolated, error 0.
 * Below the oldest sample the lag is extrapolated with the table's mean produce rate and
 * capped at `extrapolationCapSeconds`: the record at `committed` is older than the oldest
 * sample, so the true lag is at least now − t_0; the error is the extrapolated part.
 */
export function interpolatedTimeLag(
  table: EndOffsetTable,
  committed: number,
  nowMs: number,
  extrapolationCapSeconds: number,
): TimeLag | undefined {
  const newest = table[table.length - 1];
  if (newest === undefined) return undefined;
  if (committed >= newest.endOffset) return { seconds: 0, method: 'interpolated', errorSeconds: 0 };
  const oldest = table[0]!;
  if (committed < oldest.endOffset)
    return extrapolate(table, committed, nowMs, extrapolationCapSeconds);
  // i: the last sample with e_i <= committed; j = i + 1 is then the first with e_j > committed.
  let lo = 0;
  let hi = table.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (table[mid]!.endOffset <= committed) lo = mid;
    else hi = mid;
  }
  const a = table[lo]!;
  const b = table[hi]!;
  const fraction = (committed - a.endOffset + 1) / (b.endOffset - a.endOffset);
  const appendedAtMs = a.atMs + fraction * (b.atMs - a.atMs);
  const errorMs = Math.max(appendedAtMs - a.atMs, b.atMs - appendedAtMs);
  return {
    seconds: Math.max(0, (nowMs - appendedAtMs) / 1000),
    method: 'interpolated',
    errorSeconds: errorMs / 1000,
  };
}

function extrapolate(
  table: EndOffsetTable,
  committed: number,
  nowMs: number,
  capSeconds: number,
): TimeLag | undefined {
  const oldest = table[0]!;
  const newest = table[table.length - 1]!;
  const lowerBoundSeconds = Math.max(0, (nowMs - oldest.atMs) / 1000);
  const ratePerMs = (newest.endOffset - oldest.endOffset) / (newest.atMs - oldest.atMs);
  if (!(ratePerMs > 0)) return undefined;
  const beforeOldestMs = (oldest.endOffset - committed) / ratePerMs;
  const seconds = Math.min(capSeconds, lowerBoundSeconds + beforeOldestMs / 1000);
  const capped = Math.max(seconds, lowerBoundSeconds);
  return { seconds: capped, method: 'extrapolated', errorSeconds: capped - lowerBoundSeconds };
}

/** Records per second appended over the samples no older than `windowMs` before the newest. */
export function produceRatePerSecond(table: EndOffsetTable, windowMs: number): number | undefined {
  const newest = table[table.length - 1];
  if (newest === undefined) return undefined;
  let first: EndOffsetSample | undefined;
  for (const s of table) {
    if (s.atMs >= newest.atMs - windowMs) {
      first = s;
      break;
    }
  }
  // Use the sample just before the window too when there is one: the rate then spans the window.
  const idx = first ? table.indexOf(first) : -1;
  const start = idx > 0 ? table[idx - 1]! : first;
  if (start === undefined || start.atMs === newest.atMs) return undefined;
  return ((newest.endOffset - start.endOffset) * 1000) / (newest.atMs - start.atMs);
}

/**
 * Seconds since the end offset last moved: now − the first time the current end offset was
 * seen. A lower bound of producer idleness (the last record came at or before that sample);
 * undefined on an empty table.
 */
export function producerIdleSeconds(table: EndOffsetTable, nowMs: number): number | undefined {
  const newest = table[table.length - 1];
  if (newest === undefined) return undefined;
  let firstSeen = newest;
  for (let i = table.length - 2; i >= 0; i--) {
    const s = table[i]!;
    if (s.endOffset !== newest.endOffset) break;
    firstSeen = s;
  }
  return Math.max(0, (nowMs - firstSeen.atMs) / 1000);
}
