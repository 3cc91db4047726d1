export {
  decodeJsonRecord,
  fromConsumedRecord,
  startTap,
  toTappedRecord,
  type DecodeOutcome,
  type RecordDecoder,
  type Tap,
  type TapOptions,
  type TapStats,
  type UndecodableHandler,
} from './tap.js';
export type { DecodedRecord, RecordSink, TappedRecord, TappedRecordSink } from './types.js';
export {
  confluentHeaderBytes,
  confluentMagicByte,
  encodeConfluentFrame,
  parseConfluentFrame,
  type FrameOutcome,
} from './wire/frame.js';
export {
  createRegistryHttp,
  type CompatibilityAnswer,
  type RegisteredSchema,
  type RegistryHttp,
  type RegistryHttpOptions,
} from './wire/registry-http.js';
export {
  registryUnavailableKind,
  SchemaResolver,
  type Resolution,
  type SchemaResolverOptions,
  type WireViolationKind,
} from './wire/schema-resolver.js';
export {
  createWireDecoder,
  type WireDecoderOptions,
  type WireTopicExpectation,
} from './wire/decoder.js';
export {
  SchemaViolationRecorder,
  type SchemaViolationRecorderOptions,
  type SchemaViolationsSnapshot,
  type SchemaViolationsView,
  type ViolationCount,
  type ViolationSample,
} from './wire/violations.js';
export { createWireChecks, type WireChecksOptions } from './wire/checks.js';
export {
  captureReferenceValues,
  type CaptureOptions,
  type CaptureResult,
} from './capture-reference.js';
export {
  DriftSink,
  type ReferenceChanges,
  type TrackedFeature,
  type WatchedReference,
} from './drift-sink.js';
export {
  DriftMonitor,
  type DriftMonitorOptions,
  type DriftView,
  type FeatureDriftState,
  type WindowDriftState,
} from './drift-monitor.js';
export {
  attributeDlqRecord,
  dlqErrorTypes,
  errorTypeOfClass,
  type DlqAttribution,
  type DlqConvention,
  type DlqErrorType,
  type DlqHeaders,
} from './dlq/attribution.js';
