/**
 * Drift readings of one window snapshot against its frozen reference: every metric with the
 * critical value or p-value for the window's sizes (N reference values, M window values), the
 * three bins contributing most to PSI, and the window's verdict. Only the existing statistics are
 * called here; this file just lines up the counts.
 *
 * Not derivable from a snapshot: Wasserstein-1 (the outer bins are unbounded), so it is omitted.
 * The KS statistic is the streaming one from the fine bins (a lower bound of the exact D, with
 * its error bound); its p-value is the asymptotic one (scipy's ks_2samp 'asymp' mode,
 * kstwo.sf at round(NM/(N + M))), because reference sizes may be fractional.
 */
import type { CategoricalReference, FeatureReference, NumericReference } from '../windows/index.js';
import type {
  CategoricalWindowSnapshot,
  NumericWindowSnapshot,
  WindowSnapshot,
} from '../windows/index.js';
import { categoricalDrift } from './categorical.js';
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
import { kolmogorovSf } from './kolmogorov.js';
import { psiFromCounts } from './psi.js';
import { nullRate, nullRateTest } from './signals.js';

export type DriftReadingMetric =
  | 'psi'
  | 'js_distance'
  | 'js_divergence'
  | 'ks_statistic'
  | 'ks_error_bound'
  | 'chi2_cramers_v'
  | 'null_rate'
  | 'invalid_ratio'
  | 'out_of_range_ratio'
  | 'unseen_ratio';

export interface DriftReading {
  readonly metric: DriftReadingMetric;
  readonly value: number;
  /** Smallest value a level-alpha test calls significant for this N and M; null if none. */
  readonly critical: number | null;
  /** The calibrated test's p-value; null for plain ratios without a test. */
  readonly pvalue: number | null;
}

export interface BinContribution {
  /** 1 = largest PSI term. */
  readonly rank: number;
  readonly binIndex: number;
  /** `[lo, hi)` for numeric bins (±inf at the ends), the category (or `(unseen)`) otherwise. */
  readonly bin: string;
  readonly contribution: number;
}

export interface WindowEvaluation {
  readonly windowSeconds: number;
  readonly subWindowSeconds: number;
  /** `5m`, `1h`, `24h`, `90s`: the Prometheus `window` label. */
  readonly window: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Reference values N and window values M (non-null, valid). */
  readonly referenceValues: number;
  readonly windowValues: number;
  /** False when M < minWindowValues: readings are reported but no decision is taken. */
  readonly decided: boolean;
  readonly readings: readonly DriftReading[];
  readonly verdicts: readonly MetricVerdict[];
  readonly topBins: readonly BinContribution[];
  /** This window's verdict (decision metric's effect ≥ threshold and its test rejects). */
  readonly drift: boolean;
}

export interface EvaluateOptions {
  readonly thresholds?: Partial<DriftThresholds>;
  /** Fewest window values for a decision. Default 500 (keeps E[PSI] under no drift ≈ 0.02). */
  readonly minWindowValues?: number;
  /** How many top PSI bins to report. Default 3. */
  readonly topBins?: number;
}

export const unseenBinLabel = '(unseen)';

/** `300` → `5m`, `3600` → `1h`, `86400` → `24h`, `90` → `90s`. */
export function windowLabel(windowSeconds: number): string {
  if (windowSeconds % 3600 === 0) return `${windowSeconds / 3600}h`;
  if (windowSeconds % 60 === 0) return `${windowSeconds / 60}m`;
  return `${windowSeconds}s`;
}

/** Display labels of a reference's coarse bins (numeric) or categories plus unseen. */
export function referenceBinLabels(reference: FeatureReference): string[] {
  if (reference.kind === 'categorical') return [...reference.categories, unseenBinLabel];
  const edges = reference.edges;
  const fmt = (x: number) => String(Number(x.toPrecision(6)));
  return Array.from({ length: edges.length + 1 }, (_, i) => {
    const lo = i === 0 ? '-inf' : fmt(edges[i - 1]!);
    const hi = i === edges.length ? '+inf' : fmt(edges[i]!);
    return `[${lo}, ${hi})`;
  });
}

/** Reference counts aligned with the snapshot's bins (categorical: unseen bucket = 0). */
export function referenceBinCounts(reference: FeatureReference): Float64Array {
  if (reference.kind === 'numeric') return reference.counts;
  const counts = new Float64Array(reference.categories.length + 1);
  counts.set(reference.counts);
  return counts;
}

/** Current counts aligned with `referenceBinCounts`. */
export function snapshotBinCounts(snapshot: WindowSnapshot): Float64Array {
  return snapshot.kind === 'numeric' ? snapshot.coarseCounts : snapshot.counts;
}

export function evaluateSnapshot(
  reference: FeatureReference,
  snapshot: WindowSnapshot,
  options: EvaluateOptions = {},
): WindowEvaluation {
  if (reference.kind !== snapshot.kind) {
    throw new RangeError(
      `a ${snapshot.kind} snapshot cannot be compared to a ${reference.kind} reference`,
    );
  }
  const thresholds = { ...DEFAULT_DRIFT_THRESHOLDS, ...options.thresholds };
  const minWindowValues = options.minWindowValues ?? 500;
  const n = reference.n;
  const m = snapshot.n;
  const base = {
    windowSeconds: snapshot.windowSeconds,
    subWindowSeconds: snapshot.subWindowSeconds,
    window: windowLabel(snapshot.windowSeconds),
    startMs: snapshot.startMs,
    endMs: snapshot.endMs,
    referenceValues: n,
    windowValues: m,
  };
  const quality = qualityReadings(reference, snapshot);
  if (!(n > 0) || !(m > 0)) {
    return { ...base, decided: false, readings: quality, verdicts: [], topBins: [], drift: false };
  }
  const result =
    reference.kind === 'numeric'
      ? numericReadings(reference, snapshot as NumericWindowSnapshot, thresholds)
      : categoricalReadings(reference, snapshot as CategoricalWindowSnapshot, thresholds);
  const decided = m >= minWindowValues;
  return {
    ...base,
    decided,
    readings: [...result.readings, ...quality],
    verdicts: result.verdicts,
    topBins: topContributions(
      result.contributions,
      referenceBinLabels(reference),
      options.topBins ?? 3,
    ),
    drift: decided && windowDrift(result.verdicts, thresholds),
  };
}

interface MetricResult {
  readonly readings: DriftReading[];
  readonly verdicts: MetricVerdict[];
  readonly contributions: Float64Array;
}

function numericReadings(
  reference: NumericReference,
  snapshot: NumericWindowSnapshot,
  thresholds: DriftThresholds,
): MetricResult {
  const n = reference.n;
  const m = snapshot.n;
  const current = snapshot.coarseCounts;
  const psi = psiFromCounts(reference.counts, current);
  const js = jensenShannonFromCounts(reference.counts, current);
  const bins = nonEmptyColumns(reference.counts, current);
  const psiV = psiVerdict(psi.psi, bins, n, m, thresholds);
  const jsV = jsVerdict(js.distance, gTest(reference.counts, current), n, m, thresholds);
  const en = effectiveKsSize(n, m);
  const ks = snapshot.ks;
  const ksV = ksVerdict(
    { statistic: ks.statistic, pvalue: kolmogorovSf(en, ks.statistic) },
    thresholds,
  );
  const ksCritical = cachedKsCritical(en, thresholds.alpha);
  return {
    readings: [
      { metric: 'psi', value: psi.psi, critical: psiV.criticalValue, pvalue: psiV.pvalue },
      {
        metric: 'js_distance',
        value: js.distance,
        critical: jsV.criticalValue,
        pvalue: jsV.pvalue,
      },
      {
        metric: 'js_divergence',
        value: js.divergence,
        critical: jsV.criticalValue === null ? null : jsV.criticalValue ** 2,
        pvalue: jsV.pvalue,
      },
      { metric: 'ks_statistic', value: ks.statistic, critical: ksCritical, pvalue: ksV.pvalue },
      { metric: 'ks_error_bound', value: ks.errorBound, critical: null, pvalue: null },
    ],
    verdicts: [psiV, jsV, { ...ksV, criticalValue: ksCritical }],
    contributions: psi.contributions,
  };
}

function categoricalReadings(
  reference: CategoricalReference,
  snapshot: CategoricalWindowSnapshot,
  thresholds: DriftThresholds,
): MetricResult {
  const drift = categoricalDrift(
    {
      categories: reference.categories,
      referenceCounts: referenceBinCounts(reference),
      currentCounts: snapshot.counts,
    },
    { thresholds },
  );
  const byMetric = new Map(drift.verdicts.map((v) => [v.metric, v]));
  const psiV = byMetric.get('psi')!;
  const jsV = byMetric.get('js')!;
  const chiV = byMetric.get('chi2')!;
  return {
    readings: [
      { metric: 'psi', value: drift.psi, critical: psiV.criticalValue, pvalue: psiV.pvalue },
      {
        metric: 'js_distance',
        value: drift.jsDistance,
        critical: jsV.criticalValue,
        pvalue: jsV.pvalue,
      },
      {
        metric: 'js_divergence',
        value: drift.jsDivergence,
        critical: jsV.criticalValue === null ? null : jsV.criticalValue ** 2,
        pvalue: jsV.pvalue,
      },
      {
        metric: 'chi2_cramers_v',
        value: chiV.effect,
        critical: chiV.criticalValue,
        pvalue: chiV.pvalue,
      },
    ],
    verdicts: [...drift.verdicts],
    contributions: drift.psiContributions,
  };
}

/** Null rate (with the 2×2 chi-square test against the reference), invalid, out-of-range, unseen. */
function qualityReadings(reference: FeatureReference, snapshot: WindowSnapshot): DriftReading[] {
  const rows = snapshot.n + snapshot.nullCount + snapshot.invalidCount;
  const referenceRows = reference.n + reference.nullCount;
  const nullTest =
    rows > 0 && referenceRows > 0 && reference.nullCount + snapshot.nullCount > 0
      ? nullRateTest(
          { nullCount: reference.nullCount, rowCount: referenceRows },
          { nullCount: snapshot.nullCount, rowCount: rows },
        ).pvalue
      : null;
  const readings: DriftReading[] = [
    {
      metric: 'null_rate',
      value: nullRate(snapshot.nullCount, rows),
      critical: null,
      pvalue: nullTest,
    },
    {
      metric: 'invalid_ratio',
      value: rows === 0 ? 0 : snapshot.invalidCount / rows,
      critical: null,
      pvalue: null,
    },
  ];
  const m = snapshot.n;
  if (snapshot.kind === 'numeric') {
    const outside = snapshot.outOfRangeLow + snapshot.outOfRangeHigh;
    readings.push({
      metric: 'out_of_range_ratio',
      value: m === 0 ? 0 : outside / m,
      critical: null,
      pvalue: null,
    });
  } else {
    readings.push({
      metric: 'unseen_ratio',
      value: m === 0 ? 0 : snapshot.unseenCount / m,
      critical: null,
      pvalue: null,
    });
  }
  return readings;
}

/** scipy's ks_2samp asymptotic size: round(NM/(N + M)), at least 1. */
function effectiveKsSize(n: number, m: number): number {
  return Math.max(1, Math.round((n * m) / (n + m)));
}

const ksCriticalCache = new Map<string, number>();
const ksCriticalCacheSize = 4096;

/**
 * `ksCriticalValue` at en rounded to 3 significant digits, memoized: the critical value moves
 * by at most ~0.03 % (relative) for that rounding, and windows of steady traffic then hit the
 * cache instead of paying several survival-function calls (milliseconds each at large en).
 */
function cachedKsCritical(en: number, alpha: number): number {
  const rounded = Number(en.toPrecision(3));
  const key = `${rounded}:${alpha}`;
  let value = ksCriticalCache.get(key);
  if (value === undefined) {
    if (ksCriticalCache.size >= ksCriticalCacheSize) ksCriticalCache.clear();
    value = ksCriticalValue(rounded, alpha);
    ksCriticalCache.set(key, value);
  }
  return value;
}

/**
 * Smallest D with kstwo.sf(D, en) <= alpha: regula falsi (Illinois) on ln sf, bracketed around
 * the asymptotic c(alpha)/sqrt(en), c = sqrt(-ln(alpha/2)/2). Each sf call can cost a
 * millisecond at large en, so this takes a handful of them rather than a plain bisection.
 */
export function ksCriticalValue(en: number, alpha: number): number {
  const g = (x: number) =>
    Math.log(Math.max(kolmogorovSf(en, x), Number.MIN_VALUE)) - Math.log(alpha);
  const guess = Math.min(0.999, Math.sqrt(-Math.log(alpha / 2) / 2 / en));
  let lo = guess * 0.7;
  let hi = Math.min(1, guess * 1.3);
  let gLo = g(lo);
  let gHi = g(hi);
  for (let i = 0; gLo < 0 && i < 60; i++) [lo, gLo] = [lo / 2, g(lo / 2)];
  for (let i = 0; gHi > 0 && hi < 1 && i < 60; i++)
    [hi, gHi] = [Math.min(1, hi * 1.5), g(Math.min(1, hi * 1.5))];
  if (gHi > 0) return 1;
  let side = 0;
  for (let i = 0; i < 100 && hi - lo > 1e-12 * hi; i++) {
    const x = (lo * gHi - hi * gLo) / (gHi - gLo);
    const gx = g(x);
    if (Math.abs(gx) < 1e-12) return x;
    if (gx > 0) {
      [lo, gLo] = [x, gx];
      if (side === 1) gHi /= 2;
      side = 1;
    } else {
      [hi, gHi] = [x, gx];
      if (side === -1) gLo /= 2;
      side = -1;
    }
  }
  return hi;
}

function topContributions(
  contributions: Float64Array,
  labels: readonly string[],
  count: number,
): BinContribution[] {
  return Array.from(contributions, (contribution, binIndex) => ({ binIndex, contribution }))
    .sort((a, b) => b.contribution - a.contribution || a.binIndex - b.binIndex)
    .slice(0, count)
    .map((c, i) => ({ rank: i + 1, bin: labels[c.binIndex] ?? String(c.binIndex), ...c }));
}
