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
