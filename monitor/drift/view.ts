/** The drift runtime's read side: what the API (and the status page) show per feature. */
import type { DriftStreak, FeatureReference, WindowEvaluation } from '../../detectors/index.js';

export interface WindowDriftState {
  readonly evaluation: WindowEvaluation;
  /** Current counts per bin, aligned with the reference histogram. */
  readonly currentCounts: readonly number[];
  /** Consecutive drifting windows and whether k was reached. */
  readonly streak: DriftStreak;
}

export interface FeatureDriftState {
  readonly topic: string;
  readonly feature: string;
  readonly referenceVersion: number;
  readonly kind: FeatureReference['kind'];
  readonly evaluatedAtMs: number | null;
  /** Any window has drifted for k consecutive windows. */
  readonly detected: boolean;
  readonly referenceHistogram: {
    readonly bins: readonly string[];
    /** Coarse bin edges (numeric); bins are (-inf, e1), [e1, e2), ..., [e_last, +inf). */
    readonly edges: readonly number[] | null;
    readonly counts: readonly number[];
  };
  readonly windows: readonly WindowDriftState[];
}

/** What the API reads. */
export interface DriftView {
  features(): FeatureDriftState[];
  feature(topic: string, feature: string): FeatureDriftState | undefined;
}
