/**
 * Jensen–Shannon divergence of two count vectors over the same bins, raw proportions, natural
 * log, as scipy's `jensenshannon` (distance = √divergence). Also the size-weighted variant
 * behind the G-test: with π = (N, M)/(N + M), G = 2(N + M)·JS_π ~ χ²(K − 1) under no drift.
 */
import { assertSameLength, total } from './psi.js';

export interface JsResult {
  readonly divergence: number;
  readonly distance: number;
}

/** Equal-weight JS divergence (½KL(p‖m) + ½KL(q‖m), m = (p + q)/2) and its square root. */
export function jensenShannonFromCounts(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
): JsResult {
  const divergence = weightedJs(referenceCounts, currentCounts, 0.5);
  return { divergence, distance: Math.sqrt(divergence) };
}

/**
 * G statistic of the 2×K homogeneity table (reference row, current row): 2(N + M)·JS_π with
 * size weights. Equal to scipy's `chi2_contingency(..., lambda_='log-likelihood')` statistic.
 */
export function gStatisticFromCounts(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
): number {
  const n = total(referenceCounts);
  const m = total(currentCounts);
  return 2 * (n + m) * weightedJs(referenceCounts, currentCounts, n / (n + m));
}

/** JS_π(p, q) = π·KL(p‖mix) + (1 − π)·KL(q‖mix), mix = πp + (1 − π)q; 0·ln 0 = 0. */
function weightedJs(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
  weight: number,
): number {
  const k = assertSameLength(referenceCounts, currentCounts);
  const n = total(referenceCounts);
  const m = total(currentCounts);
  if (n === 0 || m === 0) throw new RangeError('both samples need at least one value');
  let left = 0;
  let right = 0;
  for (let i = 0; i < k; i++) {
    const p = (referenceCounts[i] as number) / n;
    const q = (currentCounts[i] as number) / m;
    const mix = weight * p + (1 - weight) * q;
    if (p > 0) left += p * Math.log(p / mix);
    if (q > 0) right += q * Math.log(q / mix);
  }
  // Rounding can leave a tiny negative value for identical inputs.
  return Math.max(0, weight * left + (1 - weight) * right);
}
