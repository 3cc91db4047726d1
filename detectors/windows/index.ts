export {
  categoricalReferenceFromCounts,
  categoricalReferenceFromValues,
  defaultCoarseBins,
  defaultFineBins,
  fineToCoarseMap,
  numericReferenceFromHistogram,
  numericReferenceFromQuantiles,
  numericReferenceFromValues,
  type CategoricalReference,
  type CategoryCounts,
  type FeatureReference,
  type HistogramSummary,
  type NumericBinOptions,
  type NumericReference,
  type QuantileSummary,
} from './reference.js';
export {
  referenceFingerprint,
  referenceFromJson,
  referenceToJson,
  type CategoricalReferenceJson,
  type FeatureReferenceJson,
  type NumericReferenceJson,
} from './reference-json.js';
export { streamingKs, type StreamingKs } from './streaming-ks.js';
export { mergeWindowStates, restoreWindowState, serializeWindowState } from './window-codec.js';
export type {
  CategoricalWindowSnapshot,
  NumericWindowSnapshot,
  WindowSnapshot,
  WindowSnapshotBase,
} from './window-snapshot.js';
export {
  defaultWindowSpecs,
  checkWindowSpecs,
  FeatureWindows,
  type WindowSpec,
  type WindowStateParts,
} from './window-state.js';
