/**
 * All numeric drift statistics for a reference and a current sample, on sorted raw values:
 * binned PSI and JS over frozen reference quantile edges, KS and Wasserstein-1 on the raw
 * values, out-of-range mass, and the sample-size-aware verdicts.
 */
import { quantileSorted } from './binning.js';
import {
  DEFAULT_DRIFT_THRESHOLDS,
  jsVerdict,
  ksVerdict,
  psiVerdict,
  windowDrift,
  type DriftThresholds,
  type MetricVerdict,
} from './decision.js';
import { gTest, nonEmptyColumns } from './homogeneity.js';
import { jensenShannonFromCounts } from './jensen-shannon.js';
import { ksTestSorted, type KsResult } from './ks.js';
import { psiFromCounts } from './psi.js';
import { outOfRangeRatio } from './signals.js';
import { wasserstein1Sorted } from './wasserstein.js';

export interface NumericDriftOptions {
  /** Number of reference quantile bins B (>= 2) when `edges` is not given. Default 10. */
  readonly binCount?: number;
  /** Frozen edges from `referenceEdges`; computed from the reference when absent. */
  readonly edges?: Float64Array;
  readonly thresholds?: Partial<DriftThresholds>;
}

export interface NumericDrift {
  readonly nReference: number;
  readonly nCurrent: number;
  readonly edges: Float64Array;
  readonly referenceCounts: Float64Array;
  readonly currentCounts: Float64Array;
  readonly psi: number;
  readonly psiContributions: Float64Array;
  readonly jsDivergence: number;
  readonly jsDistance: number;
  readonly ks: KsResult;
  readonly wasserstein: number;
  readonly outOfRangeRatio: number;
  readonly verdicts: readonly MetricVerdict[];
  /** The decision metric's verdict for this window. */
  readonly drift: boolean;
}

/** Compares two samples of finite values, each sorted ascending (Float64Array.sort()). */
export function numericDrift(
  referenceSorted: Float64Array,
  currentSorted: Float64Array,
  options: NumericDriftOptions = {},
): NumericDrift {
  assertSortedFinite(referenceSorted, 'reference');
  assertSortedFinite(currentSorted, 'current');
  const thresholds = { ...DEFAULT_DRIFT_THRESHOLDS, ...options.thresholds };
  const edges = options.edges ?? edgesOfSorted(referenceSorted, options.binCount ?? 10);
  assertEdges(edges);
  const referenceCounts = sortedBinCounts(edges, referenceSorted);
  const currentCounts = sortedBinCounts(edges, currentSorted);
  const n = referenceSorted.length;
  const m = currentSorted.length;
  const psi = psiFromCounts(referenceCounts, currentCounts);
  const js = jensenShannonFromCounts(referenceCounts, currentCounts);
  const ks = ksTestSorted(referenceSorted, currentSorted);
  const bins = nonEmptyColumns(referenceCounts, currentCounts);
  const verdicts = [
    psiVerdict(psi.psi, bins, n, m, thresholds),
    jsVerdict(js.distance, gTest(referenceCounts, currentCounts), n, m, thresholds),
    ksVerdict(ks, thresholds),
  ];
  return {
    nReference: n,
    nCurrent: m,
    edges,
    referenceCounts,
    currentCounts,
    psi: psi.psi,
    psiContributions: psi.contributions,
    jsDivergence: js.divergence,
    jsDistance: js.distance,
    ks,
    wasserstein: wasserstein1Sorted(referenceSorted, currentSorted),
    outOfRangeRatio: outOfRangeRatio(
      currentSorted,
      referenceSorted[0] as number,
      referenceSorted[n - 1] as number,
    ),
    verdicts,
    drift: windowDrift(verdicts, thresholds),
  };
}

function assertEdges(edges: Float64Array): void {
  for (let i = 0; i < edges.length; i++) {
    const edge = edges[i] as number;
    if (!Number.isFinite(edge) || (i > 0 && edge <= (edges[i - 1] as number))) {
      throw new RangeError(`bin edges must be finite and strictly ascending (index ${i})`);
    }
  }
}

function assertSortedFinite(values: Float64Array, name: string): void {
  if (values.length === 0) throw new RangeError(`the ${name} sample is empty`);
  let previous = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (!Number.isFinite(x)) throw new RangeError(`${name} value at index ${i} is not finite`);
    if (x < previous) throw new RangeError(`${name} sample is not sorted at index ${i}`);
    previous = x;
  }
}

/** `referenceEdges` for an already sorted sample (same type-7 quantiles, duplicates removed). */
function edgesOfSorted(sorted: Float64Array, binCount: number): Float64Array {
  if (!Number.isInteger(binCount) || binCount < 2) {
    throw new RangeError(`binCount must be an integer >= 2, got ${binCount}`);
  }
  const edges: number[] = [];
  for (let i = 1; i < binCount; i++) {
    const edge = quantileSorted(sorted, i / binCount);
    if (edges.length === 0 || edge !== edges[edges.length - 1]) edges.push(edge);
  }
  return Float64Array.from(edges);
}

/** `binCounts` for a sorted sample: bin i holds values in [e_i, e_{i+1}), found by bisection. */
function sortedBinCounts(edges: Float64Array, sorted: Float64Array): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  let previous = 0;
  for (let i = 0; i < edges.length; i++) {
    const below = countBelow(sorted, edges[i] as number);
    counts[i] = below - previous;
    previous = below;
  }
  counts[edges.length] = sorted.length - previous;
  return counts;
}

/** Number of values < x in a sorted array. */
function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
