/**
 * Frozen drift references (design: "Detectors: conventions"). A numeric reference holds coarse
 * bins (the B bins PSI/JS use) and fine bins (for streaming KS); the coarse edges are always a
 * subset of the fine edges, so one binary search on the fine edges gives both bins.
 */
import { binCounts, referenceEdges } from '../drift/binning.js';
import { validateReference } from './reference-json.js';
import {
  checkBinCount,
  checkFiniteArray,
  checkNullCount,
  checkRange,
  checkSum,
  invalid,
  tooManyCategories,
} from './reference-checks.js';

export interface NumericReference {
  readonly kind: 'numeric';
  /** Coarse edges: bins (-inf, e1), [e1, e2), ..., [e_last, +inf). */
  readonly edges: Float64Array;
  /** Reference count per coarse bin (edges.length + 1); fractional when built from a summary. */
  readonly counts: Float64Array;
  /** Fine edges, ascending, a superset of `edges` (and of min, max where the source allows). */
  readonly fineEdges: Float64Array;
  /** Reference count per fine bin (fineEdges.length + 1). */
  readonly fineCounts: Float64Array;
  readonly min: number;
  readonly max: number;
  /** Non-null reference values. */
  readonly n: number;
  readonly nullCount: number;
}

export interface CategoricalReference {
  readonly kind: 'categorical';
  /** Reference categories in first-seen (or given) order; the current side adds one "unseen". */
  readonly categories: readonly string[];
  readonly counts: Float64Array;
  readonly n: number;
  readonly nullCount: number;
}

export type FeatureReference = NumericReference | CategoricalReference;

export interface NumericBinOptions {
  /** Coarse bins B (PSI/JS), 2..1000. Default 10. */
  readonly bins?: number;
  /** Fine bins for streaming KS, 10..5000; the KS error bound is about 1/fineBins. Default 200. */
  readonly fineBins?: number;
}

export const defaultCoarseBins = 10;
export const defaultFineBins = 200;
const maxCoarseBins = 1000;
const maxFineBins = 5000;

function binOptions(options: NumericBinOptions): { bins: number; fineBins: number } {
  const bins = checkBinCount('bins', options.bins ?? defaultCoarseBins, 2, maxCoarseBins);
  const fineBins = checkBinCount('fineBins', options.fineBins ?? defaultFineBins, 10, maxFineBins);
  return { bins, fineBins };
}

/** Sorted union of ascending edge lists, duplicates removed. */
function unionEdges(...lists: ArrayLike<number>[]): Float64Array {
  const all = new Float64Array(lists.reduce((n, l) => n + l.length, 0));
  let k = 0;
  for (const list of lists) for (let i = 0; i < list.length; i++) all[k++] = list[i] as number;
  all.sort();
  const out: number[] = [];
  for (const x of all) if (out.length === 0 || out[out.length - 1] !== x) out.push(x);
  return Float64Array.from(out);
}

/** Numeric reference from raw values; null is a missing value, anything non-finite is rejected. */
export function numericReferenceFromValues(
  values: ArrayLike<number | null>,
  options: NumericBinOptions = {},
): NumericReference {
  const { bins, fineBins } = binOptions(options);
  const finite: number[] = [];
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === null) nullCount++;
    else if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw invalid(`values[${i}]`, `must be a finite number or null, got ${String(x)}`);
    } else finite.push(x);
  }
  if (finite.length === 0) throw invalid('values', 'must hold at least one non-null number');
  const sorted = Float64Array.from(finite).sort();
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  checkRange('values', min, max);
  const edges = referenceEdges(sorted, bins);
  const fineEdges = unionEdges(edges, referenceEdges(sorted, fineBins), [min, max]);
  return frozen({
    kind: 'numeric',
    edges,
    counts: binCounts(edges, sorted),
    fineEdges,
    fineCounts: binCounts(fineEdges, sorted),
    min,
    max,
    n: sorted.length,
    nullCount,
  });
}

export interface HistogramSummary {
  /** k + 1 strictly increasing edges; bins [e0, e1), ..., [e_{k-1}, e_k] (numpy.histogram). */
  readonly edges: readonly number[];
  /** k non-negative counts, at least one positive. */
  readonly counts: readonly number[];
  readonly nullCount?: number;
}

/**
 * Numeric reference from a histogram. Its own bins are the coarse bins (no re-binning, so the
 * counts stay exact); min = e0 and max = e_k. The fine bins are the same bins, so the streaming
 * KS error bound is as coarse as the histogram: pass many narrow bins for a tight bound.
 */
export function numericReferenceFromHistogram(summary: HistogramSummary): NumericReference {
  const { edges, counts } = summary;
  checkFiniteArray('histogram.edges', edges, 2);
  checkFiniteArray('histogram.counts', counts, 1);
  if (edges.length > maxFineBins + 1) {
    throw invalid('histogram.edges', `must hold at most ${maxFineBins + 1} edges`);
  }
  if (counts.length !== edges.length - 1) {
    throw invalid(
      'histogram.counts',
      `must hold edges.length - 1 = ${edges.length - 1} counts, got ${counts.length}`,
    );
  }
  for (let i = 1; i < edges.length; i++) {
    if (!((edges[i] as number) > (edges[i - 1] as number))) {
      throw invalid(`histogram.edges[${i}]`, 'must be greater than the edge before it');
    }
  }
  counts.forEach((c, i) => {
    if (c < 0) throw invalid(`histogram.counts[${i}]`, `must be >= 0, got ${c}`);
  });
  checkRange('histogram.edges', edges[0] as number, edges[edges.length - 1] as number);
  const n = checkSum('histogram.counts', counts);
  if (!(n > 0)) throw invalid('histogram.counts', 'must hold at least one positive count');
  const nullCount = checkNullCount('histogram.nullCount', summary.nullCount);
  // Bins (-inf, e1), [e1, e2), ..., [e_{k-1}, +inf) hold exactly counts[0..k-1]: no data < e0.
  const interior = Float64Array.from(edges.slice(1, -1));
  const fineEdges = Float64Array.from(edges.slice(0, -1));
  const fineCounts = new Float64Array(fineEdges.length + 1);
  fineCounts.set(counts, 1);
  return frozen({
    kind: 'numeric',
    edges: interior,
    counts: Float64Array.from(counts),
    fineEdges,
    fineCounts,
    min: edges[0] as number,
    max: edges[edges.length - 1] as number,
    n,
    nullCount,
  });
}

export interface QuantileSummary {
  /** Strictly increasing, first 0 (the minimum) and last 1 (the maximum). */
  readonly probabilities: readonly number[];
  /** Non-decreasing values at those probabilities. */
  readonly values: readonly number[];
  /** Number of non-null values the summary describes (> 0). */
  readonly n: number;
  readonly nullCount?: number;
}

/**
 * Numeric reference from a quantile summary, read as a piecewise-linear CDF through the points
 * (values[j], probabilities[j]): exactly type-7 when the points are every order statistic at
 * j/(n-1). Coarse edges are that CDF's quantiles at i/B; counts are n times the CDF mass per bin
 * (fractional). Fine edges are the given values plus the coarse edges, where the CDF is known.
 */
export function numericReferenceFromQuantiles(
  summary: QuantileSummary,
  options: NumericBinOptions = {},
): NumericReference {
  const { bins } = binOptions(options);
  const { probabilities: ps, values: vs, n } = summary;
  checkFiniteArray('quantiles.probabilities', ps, 2);
  checkFiniteArray('quantiles.values', vs, 2);
  if (vs.length !== ps.length) {
    throw invalid('quantiles.values', `must hold one value per probability (${ps.length})`);
  }
  if (ps.length > maxFineBins + 1) {
    throw invalid('quantiles.probabilities', `must hold at most ${maxFineBins + 1} points`);
  }
  if (ps[0] !== 0 || ps[ps.length - 1] !== 1) {
    throw invalid('quantiles.probabilities', 'must start at 0 (the minimum) and end at 1 (max)');
  }
  for (let i = 1; i < ps.length; i++) {
    if (!((ps[i] as number) > (ps[i - 1] as number))) {
      throw invalid(`quantiles.probabilities[${i}]`, 'must be greater than the one before it');
    }
    if ((vs[i] as number) < (vs[i - 1] as number)) {
      throw invalid(`quantiles.values[${i}]`, 'must not be less than the value before it');
    }
  }
  if (!(typeof n === 'number' && n > 0 && Number.isFinite(n))) {
    throw invalid('quantiles.n', `must be a positive number, got ${String(n)}`);
  }
  checkRange('quantiles.values', vs[0] as number, vs[vs.length - 1] as number);
  const nullCount = checkNullCount('quantiles.nullCount', summary.nullCount);
  const quantile = (p: number) => interpolate(ps, vs, p);
  const coarse: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = quantile(i / bins);
    if (coarse.length === 0 || coarse[coarse.length - 1] !== e) coarse.push(e);
  }
  const edges = Float64Array.from(coarse);
  const fineEdges = unionEdges(edges, vs);
  const massBelow = (x: number) => cdfBelow(ps, vs, x);
  return frozen({
    kind: 'numeric',
    edges,
    counts: binMasses(edges, massBelow, n),
    fineEdges,
    fineCounts: binMasses(fineEdges, massBelow, n),
    min: vs[0] as number,
    max: vs[vs.length - 1] as number,
    n,
    nullCount,
  });
}

/** Linear interpolation of the quantile function through (ps, vs) at p. */
function interpolate(ps: readonly number[], vs: readonly number[], p: number): number {
  let j = 1;
  while (j < ps.length - 1 && (ps[j] as number) < p) j++;
  const p0 = ps[j - 1] as number;
  const p1 = ps[j] as number;
  const v0 = vs[j - 1] as number;
  const v1 = vs[j] as number;
  return v0 + ((p - p0) / (p1 - p0)) * (v1 - v0);
}

/** P(X < x) under the piecewise-linear CDF; tied values are point masses. */
function cdfBelow(ps: readonly number[], vs: readonly number[], x: number): number {
  if (x <= (vs[0] as number)) return 0;
  if (x > (vs[vs.length - 1] as number)) return 1;
  let j = 0; // the largest j with vs[j] < x
  while (j + 1 < vs.length && (vs[j + 1] as number) < x) j++;
  const v0 = vs[j] as number;
  const v1 = vs[j + 1] as number;
  const p0 = ps[j] as number;
  const p1 = ps[j + 1] as number;
  return p0 + ((x - v0) / (v1 - v0)) * (p1 - p0);
}

function binMasses(edges: Float64Array, massBelow: (x: number) => number, n: number) {
  const counts = new Float64Array(edges.length + 1);
  let previous = 0;
  for (let i = 0; i < edges.length; i++) {
    // The CDF is non-decreasing; max() keeps float rounding from giving a mass of -1e-17.
    const below = Math.max(previous, massBelow(edges[i] as number));
    counts[i] = (below - previous) * n;
    previous = below;
  }
  counts[edges.length] = Math.max(0, 1 - previous) * n;
  return counts;
}

export interface CategoricalOptions {
  /** Most distinct categories accepted (the API's `references.maxCategories`). Default none. */
  readonly maxCategories?: number;
}

/** Categorical reference from raw values; null is a missing value. */
export function categoricalReferenceFromValues(
  values: ArrayLike<string | null>,
  options: CategoricalOptions = {},
): CategoricalReference {
  const maxCategories = options.maxCategories ?? Infinity;
  const index = new Map<string, number>();
  const counts: number[] = [];
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) {
      nullCount++;
      continue;
    }
    if (typeof v !== 'string') throw invalid(`values[${i}]`, 'must be a string or null');
    const k = index.get(v);
    if (k === undefined) {
      if (counts.length >= maxCategories) throw tooManyCategories('values', maxCategories);
      index.set(v, counts.length);
      counts.push(1);
    } else counts[k]! += 1;
  }
  if (counts.length === 0) throw invalid('values', 'must hold at least one non-null string');
  return freezeCategorical([...index.keys()], counts, nullCount);
}

export interface CategoryCounts {
  readonly categories: readonly string[];
  readonly counts: readonly number[];
  readonly nullCount?: number;
}

/** Categorical reference from category counts (a categorical histogram). */
export function categoricalReferenceFromCounts(
  summary: CategoryCounts,
  options: CategoricalOptions = {},
): CategoricalReference {
  const { categories, counts } = summary;
  if (!Array.isArray(categories) || categories.length === 0) {
    throw invalid('histogram.categories', 'must be a non-empty array of strings');
  }
  const maxCategories = options.maxCategories ?? Infinity;
  if (categories.length > maxCategories) {
    throw tooManyCategories('histogram.categories', maxCategories);
  }
  checkFiniteArray('histogram.counts', counts, 1);
  if (counts.length !== categories.length) {
    throw invalid('histogram.counts', `must hold one count per category (${categories.length})`);
  }
  const seen = new Set<string>();
  categories.forEach((c, i) => {
    if (typeof c !== 'string') throw invalid(`histogram.categories[${i}]`, 'must be a string');
    if (seen.has(c)) throw invalid(`histogram.categories[${i}]`, `repeats "${c}"`);
    seen.add(c);
  });
  counts.forEach((c, i) => {
    if (c < 0) throw invalid(`histogram.counts[${i}]`, `must be >= 0, got ${c}`);
  });
  if (!counts.some((c) => c > 0)) {
    throw invalid('histogram.counts', 'must hold at least one positive count');
  }
  checkSum('histogram.counts', counts);
  return freezeCategorical(
    Array.from<string>(categories),
    counts,
    checkNullCount('histogram.nullCount', summary.nullCount),
  );
}

function freezeCategorical(
  categories: string[],
  counts: readonly number[],
  nullCount: number,
): CategoricalReference {
  return frozen({
    kind: 'categorical',
    categories: Object.freeze(categories),
    counts: Float64Array.from(counts),
    n: counts.reduce((a, b) => a + b, 0),
    nullCount,
  });
}

/** Checks every invariant (`validateReference`, shared with the read path) and freezes. */
function frozen<R extends FeatureReference>(reference: R): R {
  validateReference(reference);
  return Object.freeze(reference);
}

/** Index of the coarse bin of each fine bin (fine edges are a superset of coarse edges). */
export function fineToCoarseMap(reference: NumericReference): Uint16Array {
  const { edges, fineEdges } = reference;
  const map = new Uint16Array(fineEdges.length + 1);
  let coarse = 0;
  for (let f = 1; f <= fineEdges.length; f++) {
    // Fine bin f starts at fineEdges[f - 1]; it is in coarse bin = number of coarse edges <= it.
    const start = fineEdges[f - 1] as number;
    while (coarse < edges.length && (edges[coarse] as number) <= start) coarse++;
    map[f] = coarse;
  }
  return map;
}
