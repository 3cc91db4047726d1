export {
  DlqRateDetector,
  type DlqRateEvaluation,
  type DlqRateOptions,
  type DlqRateState,
  type DlqRatio,
  type DlqRatioByErrorType,
  type DlqTotal,
} from './dlq-rate.js';
export {
  checkCountWindowSpecs,
  clampToSkew,
  SlidingCounts,
  type CountWindowSpec,
  type SlotPairs,
} from './sliding-counts.js';
