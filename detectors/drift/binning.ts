/**
 * Reference binning for numeric drift (design: "Detectors: conventions").
 * Edges are the reference quantiles at i/B, i = 1..B-1, by linear interpolation (type 7, the
 * numpy/R default), duplicates removed; the bin of x is the number of edges <= x, so bins are
 * (-inf, e1), [e1, e2), ..., [e_last, +inf). Edges are frozen when a reference is registered.
 */

/** Type-7 quantile of an ascending-sorted array, p in [0, 1]. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of an empty sample');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile probability ${p} is outside [0, 1]`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (h - lo) * (b - a);
}

/** Frozen bin edges from a reference sample (finite values only; need not be sorted). */
export function referenceEdges(values: ArrayLike<number>, binCount: number): Float64Array {
  if (!Number.isInteger(binCount) || binCount < 2) {
    throw new RangeError(`binCount must be an integer >= 2, got ${binCount}`);
  }
  const sorted = Float64Array.from(values).sort();
  const edges: number[] = [];
  for (let i = 1; i < binCount; i++) {
    const edge = quantileSorted(sorted, i / binCount);
    if (edges.length === 0 || edge !== edges[edges.length - 1]) edges.push(edge);
  }
  return Float64Array.from(edges);
}

/** Number of edges <= x (binary search): the bin index in 0..edges.length. */
export function binIndex(edges: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts per bin (length edges.length + 1) of finite values; non-finite values are skipped. */
export function binCounts(edges: ArrayLike<number>, values: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (Number.isFinite(x)) counts[binIndex(edges, x)]! += 1;
  }
  return counts;
}
