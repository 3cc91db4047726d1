export { lagDescriptors, lagMetric } from './descriptors.js';
export { LagMonitor, lagSources, type LagMonitorOptions } from './runtime.js';
export type {
  CollectorHealthView,
  GroupLagView,
  LagPipeline,
  LagView,
  PartitionLagView,
} from './views.js';
