export { binCounts, binIndex, quantileSorted, referenceEdges } from './drift/binning.js';
export {
  categoricalCounts,
  categoricalDrift,
  type CategoricalCounts,
  type CategoricalDrift,
} from './drift/categorical.js';
export { chiSquareCritical, chiSquareSf } from './drift/chi-square.js';
export {
  chiSquareVerdict,
  DEFAULT_DRIFT_THRESHOLDS,
  INITIAL_DRIFT_STREAK,
  jsVerdict,
  ksVerdict,
  nextDriftStreak,
  psiCriticalValue,
  psiPvalue,
  psiVerdict,
  windowDrift,
  type DriftMetric,
  type DriftStreak,
  type DriftThresholds,
  type MetricVerdict,
} from './drift/decision.js';
export { gTest, nonEmptyColumns, pearsonChiSquare, type TestResult } from './drift/homogeneity.js';
export {
  gStatisticFromCounts,
  jensenShannonFromCounts,
  type JsResult,
} from './drift/jensen-shannon.js';
export { kolmogorovSf } from './drift/kolmogorov.js';
export { ksTwoSampleExactSf } from './drift/ks-exact.js';
export {
  KS_EXACT_MAX_N,
  ksMaxGapSorted,
  ksPvalue,
  ksStatisticSorted,
  ksTestSorted,
  type KsResult,
} from './drift/ks.js';
export { numericDrift, type NumericDrift, type NumericDriftOptions } from './drift/numeric.js';
export {
  PSI_PSEUDO_COUNT,
  psiFromCounts,
  psiFromProportions,
  type PsiResult,
} from './drift/psi.js';
export { nullRate, nullRateTest, outOfRangeRatio } from './drift/signals.js';
export { smirnovSf } from './drift/smirnov.js';
export { wasserstein1Sorted } from './drift/wasserstein.js';
export * from './windows/index.js';
export {
  evaluateSnapshot,
  ksCriticalValue,
  referenceBinCounts,
  referenceBinLabels,
  snapshotBinCounts,
  unseenBinLabel,
  windowLabel,
  type BinContribution,
  type DriftReading,
  type DriftReadingMetric,
  type EvaluateOptions,
  type WindowEvaluation,
} from './drift/evaluate-snapshot.js';
export {
  addEndOffsetSample,
  consumableLag,
  consumeRatePerSecond,
  drainSeconds,
  GROUP_STATUSES,
  groupStatus,
  interpolatedTimeLag,
  messagesLost,
  offsetLag,
  partitionStatus,
  producerIdleSeconds,
  produceRatePerSecond,
  stalenessSeconds,
  statusSeverity,
  type CommittedRecord,
  type EndOffsetSample,
  type EndOffsetTable,
  type GroupStatus,
  type GroupVerdict,
  type OffsetObservation,
  type PartitionOffsets,
  type PartitionVerdict,
  type StatusOptions,
  type StatusVerdict,
  type TimeLag,
  type TimeLagMethod,
} from './lag/index.js';
export {
  checkCountWindowSpecs,
  clampToSkew,
  DlqRateDetector,
  SlidingCounts,
  type CountWindowSpec,
  type DlqRateEvaluation,
  type DlqRateOptions,
  type DlqRateState,
  type DlqRatio,
  type DlqRatioByErrorType,
  type DlqTotal,
  type SlotPairs,
} from './dlq/index.js';
