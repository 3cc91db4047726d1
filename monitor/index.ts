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
