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
  wireViolationKinds,
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
  type ViolationTotals,
} from './wire/violations.js';
export { createWireChecks, type WireChecksOptions } from './wire/checks.js';
export {
  captureReferenceValues,
  type CaptureOptions,
  type CaptureResult,
} from './capture-reference.js';
export {
  createGroupDiscovery,
  createRecordReader,
  partitionKey,
  pollOffsets,
  type CollectorOperation,
  type DiscoveryOptions,
  type ErrorSink,
  type GroupDiscovery,
  type GroupTopics,
  type OffsetsSnapshot,
  type PollOffsetsOptions,
  type RecordReader,
  type RecordReaderOptions,
  type RecordReadRequest,
  type RecordReadResult,
  type TopicPartitionEnds,
} from './offsets/index.js';
export {
  attributeDlqRecord,
  dlqErrorTypes,
  errorTypeOfClass,
  type DlqAttribution,
  type DlqConvention,
  type DlqErrorType,
  type DlqHeaders,
} from './dlq/attribution.js';
