export {
  avroCodec,
  jsonCodec,
  loadPipelineSchema,
  type AvroCodecOptions,
  type DecodeOutcome,
  type RecordCodec,
  type SchemaKind,
} from './codec.js';
export {
  startFeatureConsumer,
  type ConsumerStats,
  type ConsumerHealth,
  type FeatureConsumerOptions,
  type PipelineTopics,
  type RunningFeatureConsumer,
} from './consumer.js';
export {
  mergeFaults,
  noFaults,
  unregisteredSchemaId,
  type FaultKnobs,
  type NumericShift,
} from './faults.js';
export {
  computeFeatures,
  featureRecord,
  type FeatureColumns,
  type TransactionFeatures,
} from './features.js';
export { AccountWindows, FeatureState, type RecordPosition } from './feature-state.js';
export {
  baseChannelWeights,
  baseDeviceFingerprintNullRate,
  baseMerchantCategoryWeights,
  TransactionGenerator,
  type FaultKind,
  type GeneratedRecord,
} from './generator.js';
export { PipelineMetrics, startMetricsServer, type MetricsServer } from './metrics.js';
export {
  faultsBodyLimitBytes,
  pipelineHttpApp,
  type FaultsControl,
  type PipelineHttpOptions,
} from './http.js';
export {
  dlqErrorTypes,
  dlqHeaders,
  processBatch,
  type DlqErrorType,
  type SourceRecord,
} from './process.js';
export {
  startProducer,
  type ProducerOptions,
  type ProducerStats,
  type RunningProducer,
} from './producer.js';
export { Random } from './random.js';
export {
  channels,
  highRiskMerchantCodes,
  validateTransaction,
  type Transaction,
} from './transaction.js';
export {
  startEmbeddedPipeline,
  type EmbeddedPipeline,
  type EmbeddedPipelineOptions,
} from './embedded.js';
export {
  embeddedFaultScenarios,
  faultCyclePeriods,
  startFaultCycle,
  type FaultScenario,
} from './fault-cycle.js';
export { CommitTracker, nextOffsets } from './commit-tracker.js';
