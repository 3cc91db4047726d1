/**
 * Two-sample Kolmogorov–Smirnov test on raw values, two-sided, as scipy's
 * `ks_2samp(method='auto')`: the exact null law when max(N, M) <= 10000 (falling back to the
 * asymptotic law if the exact recursion fails), otherwise `kstwo.sf(D, round(NM/(N+M)))`.
 */
import { gcd, ksTwoSampleExactSf } from './ks-exact.js';
import { kolmogorovSf } from './kolmogorov.js';

/** Largest max(N, M) for which the exact p-value is computed (scipy's MAX_AUTO_N). */
export const KS_EXACT_MAX_N = 10000;

export interface KsResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly method: 'exact' | 'asymptotic';
}

/**
 * The statistic as an exact integer numerator: D = maxGap/(N·M) with
 * maxGap = max over x of |M·#{a <= x} − N·#{b <= x}|. Inputs sorted ascending, finite.
 */
export function ksMaxGapSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) throw new RangeError('both samples need at least one value');
  let i = 0;
  let j = 0;
  let maxGap = 0;
  while (i < n && j < m) {
    const ai = a[i] as number;
    const bj = b[j] as number;
    const x = ai <= bj ? ai : bj;
    // Step past every copy of x on both sides so ties move the two CDFs together.
    while (i < n && (a[i] as number) === x) i++;
    while (j < m && (b[j] as number) === x) j++;
    const gap = Math.abs(i * m - j * n);
    if (gap > maxGap) maxGap = gap;
  }
  // Once one side is exhausted the gap only shrinks towards 0.
  return maxGap;
}

/** KS statistic D for sorted samples. */
export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return ksMaxGapSorted(a, b) / (a.length * b.length);
}

/** Two-sided p-value for D = maxGap/(N·M). */
export function ksPvalue(n: number, m: number, maxGap: number): KsResult {
  const statistic = maxGap / (n * m);
  if (Math.max(n, m) <= KS_EXACT_MAX_N) {
    const g = gcd(n, m);
    // h = D·lcm(N, M), an integer: the lattice-path boundary.
    const pvalue = ksTwoSampleExactSf(n, m, Math.round(maxGap / g));
    if (!Number.isNaN(pvalue)) return { statistic, pvalue, method: 'exact' };
  }
  const en = roundHalfEven((n * m) / (n + m));
  return { statistic, pvalue: kolmogorovSf(en, statistic), method: 'asymptotic' };
}

/** The full test on sorted samples. */
export function ksTestSorted(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  return ksPvalue(a.length, b.length, ksMaxGapSorted(a, b));
}

/** numpy's `round`: halves go to the even neighbour (N = M odd gives NM/(N+M) = N/2 exactly). */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}
