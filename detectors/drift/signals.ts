/**
 * Data-quality drift signals beside the distribution metrics: the null rate of each side and
 * the out-of-range mass (share of current values outside the reference's [min, max]).
 */
import { pearsonChiSquare, type TestResult } from './homogeneity.js';

/** Nulls ÷ all rows (nulls included); 0 for an empty window. */
export function nullRate(nullCount: number, rowCount: number): number {
  if (!(nullCount >= 0 && rowCount >= nullCount)) {
    throw new RangeError(`null count ${nullCount} must be in [0, rows = ${rowCount}]`);
  }
  return rowCount === 0 ? 0 : nullCount / rowCount;
}

/**
 * Whether the null rate changed: Pearson chi-square on the 2×2 table (null, non-null) ×
 * (reference, current), no continuity correction.
 */
export function nullRateTest(
  reference: { readonly nullCount: number; readonly rowCount: number },
  current: { readonly nullCount: number; readonly rowCount: number },
): TestResult {
  return pearsonChiSquare(
    [reference.nullCount, reference.rowCount - reference.nullCount],
    [current.nullCount, current.rowCount - current.nullCount],
  );
}

/** Share of `current` values below `referenceMin` or above `referenceMax` (non-finite skipped). */
export function outOfRangeRatio(
  current: ArrayLike<number>,
  referenceMin: number,
  referenceMax: number,
): number {
  let outside = 0;
  let finite = 0;
  for (let i = 0; i < current.length; i++) {
    const x = current[i] as number;
    if (!Number.isFinite(x)) continue;
    finite++;
    if (x < referenceMin || x > referenceMax) outside++;
  }
  return finite === 0 ? 0 : outside / finite;
}
