/**
 * Categorical drift: the reference's categories plus one "unseen" bucket (always last) that
 * collects current values the reference never had. PSI and JS use the same formulas as numeric
 * bins; the Pearson chi-square test runs on the 2×K table with empty columns dropped.
 */
import {
  chiSquareVerdict,
  DEFAULT_DRIFT_THRESHOLDS,
  jsVerdict,
  psiVerdict,
  windowDrift,
  type DriftThresholds,
  type MetricVerdict,
} from './decision.js';
import { gTest, nonEmptyColumns, pearsonChiSquare, type TestResult } from './homogeneity.js';
import { jensenShannonFromCounts } from './jensen-shannon.js';
import { psiFromCounts, total } from './psi.js';

export interface CategoricalCounts {
  /** Reference categories in ascending code-unit order; the unseen bucket is not listed. */
  readonly categories: readonly string[];
  /** Length categories.length + 1; the last entry (unseen) is always 0. */
  readonly referenceCounts: Float64Array;
  /** Length categories.length + 1; the last entry counts current values unseen in the reference. */
  readonly currentCounts: Float64Array;
}

/** Counts both samples over the reference's categories plus the unseen bucket. */
export function categoricalCounts(
  reference: Iterable<string>,
  current: Iterable<string>,
): CategoricalCounts {
  const referenceTally = new Map<string, number>();
  for (const value of reference) referenceTally.set(value, (referenceTally.get(value) ?? 0) + 1);
  const categories = [...referenceTally.keys()].sort();
  const index = new Map(categories.map((c, i) => [c, i] as const));
  const unseen = categories.length;
  const referenceCounts = new Float64Array(categories.length + 1);
  categories.forEach((c, i) => (referenceCounts[i] = referenceTally.get(c) ?? 0));
  const currentCounts = new Float64Array(categories.length + 1);
  for (const value of current) currentCounts[index.get(value) ?? unseen]! += 1;
  return { categories, referenceCounts, currentCounts };
}

export interface CategoricalDrift {
  readonly psi: number;
  readonly psiContributions: Float64Array;
  readonly jsDivergence: number;
  readonly jsDistance: number;
  readonly chi2: TestResult;
  /** Share of the current window in categories the reference never had. */
  readonly unseenRatio: number;
  readonly verdicts: readonly MetricVerdict[];
  /** The decision metric's verdict for this window ('psi', 'js' or 'chi2'). */
  readonly drift: boolean;
}

/** All categorical statistics from the counts of `categoricalCounts`. */
export function categoricalDrift(
  counts: CategoricalCounts,
  options: { readonly thresholds?: Partial<DriftThresholds> } = {},
): CategoricalDrift {
  const thresholds = { ...DEFAULT_DRIFT_THRESHOLDS, ...options.thresholds };
  const { referenceCounts, currentCounts } = counts;
  const n = total(referenceCounts);
  const m = total(currentCounts);
  if (n === 0 || m === 0) throw new RangeError('both samples need at least one value');
  const psi = psiFromCounts(referenceCounts, currentCounts);
  const js = jensenShannonFromCounts(referenceCounts, currentCounts);
  const chi2 = pearsonChiSquare(referenceCounts, currentCounts);
  const bins = nonEmptyColumns(referenceCounts, currentCounts);
  const verdicts = [
    psiVerdict(psi.psi, bins, n, m, thresholds),
    jsVerdict(js.distance, gTest(referenceCounts, currentCounts), n, m, thresholds),
    chiSquareVerdict(chi2, n, m, thresholds),
  ];
  return {
    psi: psi.psi,
    psiContributions: psi.contributions,
    jsDivergence: js.divergence,
    jsDistance: js.distance,
    chi2,
    unseenRatio: (currentCounts[currentCounts.length - 1] as number) / m,
    verdicts,
    drift: windowDrift(verdicts, thresholds),
  };
}
