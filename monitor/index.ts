export {
  ReadingsBoard,
  type BoardListener,
  type Labels,
  type MetricDescriptor,
  type MetricType,
  type Reading,
  type ReadingsFilter,
} from './board.js';
export { renderBoard } from './prometheus-text.js';
export { DriftRuntime, type DriftRuntimeOptions } from './drift/runtime.js';
export {
  DriftSink,
  defaultMaxTimestampSkewMs,
  type ReferenceChanges,
  type TrackedFeature,
  type WatchedReference,
} from './drift/sink.js';
export { RecordTimeWindows, type ClampCounts } from './drift/record-time-windows.js';
export { driftDescriptors, describeDriftMetrics, driftReadings } from './drift/readings.js';
export type { DriftView, FeatureDriftState, WindowDriftState } from './drift/view.js';
export {
  publishSchemaViolations,
  schemaViolationsSource,
  type ViolationTotalsSource,
} from './schema-violations.js';
export {
  lagDescriptors,
  lagMetric,
  LagMonitor,
  lagSources,
  type CollectorHealthView,
  type GroupLagView,
  type LagMonitorOptions,
  type LagPipeline,
  type LagView,
  type PartitionLagView,
} from './lag/index.js';
export { AlertsRuntime, type AlertsRuntimeOptions, type RuleSource } from './alerts-runtime.js';
export { loadRuleFile, loadRuleFiles } from './rules-files.js';
export {
  DlqMonitor,
  dlqMetricNames,
  dlqReadings,
  otherSourceTopic,
  unknownSourceTopic,
  type DlqMonitorOptions,
  type DlqWatchedPipeline,
} from './dlq/index.js';
export {
  defaultEventTimeField,
  eventTimeOf,
  freshnessMetricName,
  FreshnessMonitor,
  type FreshnessMonitorOptions,
  type FreshnessPipeline,
} from './freshness.js';
