/**
 * Tests of homogeneity on the 2×K table (reference row, current row). Columns empty on both
 * sides are dropped, so the degrees of freedom are (non-empty columns − 1); no continuity
 * correction: scipy's `chi2_contingency(table, correction=False)` and its log-likelihood form.
 */
import { chiSquareSf } from './chi-square.js';
import { gStatisticFromCounts } from './jensen-shannon.js';
import { assertSameLength, total } from './psi.js';

export interface TestResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly degreesOfFreedom: number;
}

/** Pearson chi-square test of homogeneity. */
export function pearsonChiSquare(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
): TestResult {
  const k = assertSameLength(referenceCounts, currentCounts);
  const n = total(referenceCounts);
  const m = total(currentCounts);
  if (n === 0 || m === 0) throw new RangeError('both samples need at least one value');
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const a = referenceCounts[i] as number;
    const b = currentCounts[i] as number;
    const column = a + b;
    if (column === 0) continue;
    const expectedA = (column * n) / (n + m);
    const expectedB = (column * m) / (n + m);
    statistic += (a - expectedA) ** 2 / expectedA + (b - expectedB) ** 2 / expectedB;
  }
  const degreesOfFreedom = nonEmptyColumns(referenceCounts, currentCounts) - 1;
  return { statistic, pvalue: chiSquareSf(statistic, degreesOfFreedom), degreesOfFreedom };
}

/** G-test (log-likelihood ratio) of homogeneity: G = 2(N + M)·JS with size weights. */
export function gTest(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
): TestResult {
  const statistic = gStatisticFromCounts(referenceCounts, currentCounts);
  const degreesOfFreedom = nonEmptyColumns(referenceCounts, currentCounts) - 1;
  return { statistic, pvalue: chiSquareSf(statistic, degreesOfFreedom), degreesOfFreedom };
}

/** Number of bins with a count on at least one side: K in the χ²(K − 1) null laws. */
export function nonEmptyColumns(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let columns = 0;
  for (let i = 0; i < a.length; i++) if ((a[i] as number) + (b[i] as number) > 0) columns++;
  return columns;
}
