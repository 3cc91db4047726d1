export {
  DlqMonitor,
  dlqMetricNames,
  otherSourceTopic,
  toReadings as dlqReadings,
  unknownSourceTopic,
  type DlqMonitorOptions,
  type DlqWatchedPipeline,
} from './dlq-monitor.js';
