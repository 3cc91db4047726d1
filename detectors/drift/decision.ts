/**
 * Sample-size-aware drift decisions. Every metric carries an effect size and a calibrated test
 * for the window's sizes N (reference) and M (current); a metric flags drift only when both
 * the effect passes its threshold and the test rejects at level alpha:
 * - PSI: under no drift PSI/(1/N + 1/M) ≈ χ²(K − 1), so crit = χ²_{1−α}(K − 1)·(1/N + 1/M);
 * - JS: G = 2(N + M)·JS with size weights is the G-test, G ~ χ²(K − 1);
 * - KS: the ks_2samp p-value; chi-square: Pearson's p-value, effect Cramér's V = √(χ²/(N + M)).
 * A feature is drifting after k consecutive drifting windows (a pure reducer below).
 */
import { chiSquareCritical, chiSquareSf } from './chi-square.js';

export type DriftMetric = 'psi' | 'js' | 'ks' | 'chi2';

/** Thresholds and test level. All fields optional; defaults in DEFAULT_DRIFT_THRESHOLDS. */
export interface DriftThresholds {
  /** Test level alpha in (0, 1). Default 0.05. */
  readonly alpha: number;
  /** PSI effect threshold. Default 0.1 (the usual "moderate shift"). */
  readonly psi: number;
  /** JS distance (nats, √divergence) effect threshold. Default 0.1. */
  readonly jsDistance: number;
  /** KS statistic D effect threshold. Default 0.1. */
  readonly ksStatistic: number;
  /** Cramér's V effect threshold for the chi-square test. Default 0.1 (Cohen's "small"). */
  readonly cramersV: number;
  /** Metric whose verdict decides a window. Default 'psi'. */
  readonly decisionMetric: DriftMetric;
  /** Consecutive drifting windows before a feature counts as drifting. Default 3. */
  readonly consecutiveWindows: number;
}

export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = Object.freeze({
  alpha: 0.05,
  psi: 0.1,
  jsDistance: 0.1,
  ksStatistic: 0.1,
  cramersV: 0.1,
  decisionMetric: 'psi',
  consecutiveWindows: 3,
});

export interface MetricVerdict {
  readonly metric: DriftMetric;
  readonly effect: number;
  readonly effectThreshold: number;
  /** Smallest effect the test would call significant at alpha for these N, M (if known). */
  readonly criticalValue: number | null;
  readonly pvalue: number;
  readonly effectExceeded: boolean;
  readonly significant: boolean;
  readonly drift: boolean;
}

function verdict(
  metric: DriftMetric,
  effect: number,
  effectThreshold: number,
  criticalValue: number | null,
  pvalue: number,
  alpha: number,
): MetricVerdict {
  const effectExceeded = effect >= effectThreshold;
  const significant = pvalue < alpha;
  return {
    metric,
    effect,
    effectThreshold,
    criticalValue,
    pvalue,
    effectExceeded,
    significant,
    drift: effectExceeded && significant,
  };
}

/** χ²_{1−α}(K − 1)·(1/N + 1/M): the PSI a level-alpha test needs for K bins. */
export function psiCriticalValue(alpha: number, bins: number, n: number, m: number): number {
  return chiSquareCritical(alpha, bins - 1) * (1 / n + 1 / m);
}

/** P(PSI >= psi) under no drift, from PSI/(1/N + 1/M) ≈ χ²(K − 1). */
export function psiPvalue(psi: number, bins: number, n: number, m: number): number {
  return chiSquareSf(psi / (1 / n + 1 / m), bins - 1);
}

export function psiVerdict(
  psi: number,
  bins: number,
  n: number,
  m: number,
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
): MetricVerdict {
  const { alpha } = thresholds;
  const critical = psiCriticalValue(alpha, bins, n, m);
  return verdict('psi', psi, thresholds.psi, critical, psiPvalue(psi, bins, n, m), alpha);
}

/** JS distance verdict; the test is the G-test (statistic and df from `gTest`). */
export function jsVerdict(
  jsDistance: number,
  g: { readonly statistic: number; readonly pvalue: number; readonly degreesOfFreedom: number },
  n: number,
  m: number,
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
): MetricVerdict {
  const { alpha } = thresholds;
  // Locally JS_½ ≈ JS_π/(4π(1 − π)), so the G-test's critical G maps to the JS distance
  // √(χ²_{1−α}(K − 1)·(1/N + 1/M)/8): exact to first order, and equal sizes give G/(2(N + M)).
  const critical = Math.sqrt((chiSquareCritical(alpha, g.degreesOfFreedom) * (1 / n + 1 / m)) / 8);
  return verdict('js', jsDistance, thresholds.jsDistance, critical, g.pvalue, alpha);
}

export function ksVerdict(
  ks: { readonly statistic: number; readonly pvalue: number },
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
): MetricVerdict {
  const { alpha } = thresholds;
  return verdict('ks', ks.statistic, thresholds.ksStatistic, null, ks.pvalue, alpha);
}

export function chiSquareVerdict(
  chi2: { readonly statistic: number; readonly pvalue: number; readonly degreesOfFreedom: number },
  n: number,
  m: number,
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
): MetricVerdict {
  const { alpha } = thresholds;
  const cramersV = Math.sqrt(chi2.statistic / (n + m));
  const critical = Math.sqrt(chiSquareCritical(alpha, chi2.degreesOfFreedom) / (n + m));
  return verdict('chi2', cramersV, thresholds.cramersV, critical, chi2.pvalue, alpha);
}

/** Window verdict: the decision metric's verdict (it must be among `verdicts`). */
export function windowDrift(
  verdicts: readonly MetricVerdict[],
  thresholds: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS,
): boolean {
  const chosen = verdicts.find((v) => v.metric === thresholds.decisionMetric);
  if (!chosen) {
    throw new RangeError(`decision metric '${thresholds.decisionMetric}' was not computed`);
  }
  return chosen.drift;
}

/** Run-length state of one feature across windows. */
export interface DriftStreak {
  readonly consecutive: number;
  readonly drifting: boolean;
}

export const INITIAL_DRIFT_STREAK: DriftStreak = Object.freeze({ consecutive: 0, drifting: false });

/** Pure reducer: drifting once `consecutiveWindows` drifting windows arrive in a row. */
export function nextDriftStreak(
  state: DriftStreak,
  windowDrifting: boolean,
  consecutiveWindows: number = DEFAULT_DRIFT_THRESHOLDS.consecutiveWindows,
): DriftStreak {
  if (!Number.isInteger(consecutiveWindows) || consecutiveWindows < 1) {
    throw new RangeError(`consecutiveWindows must be an integer >= 1, got ${consecutiveWindows}`);
  }
  const consecutive = windowDrifting ? state.consecutive + 1 : 0;
  return { consecutive, drifting: consecutive >= consecutiveWindows };
}
