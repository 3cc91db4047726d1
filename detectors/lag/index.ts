export { consumableLag, messagesLost, offsetLag, type PartitionOffsets } from './offsets.js';
export {
  addEndOffsetSample,
  interpolatedTimeLag,
  producerIdleSeconds,
  produceRatePerSecond,
  type EndOffsetSample,
  type EndOffsetTable,
  type TimeLag,
  type TimeLagMethod,
} from './time-lag.js';
export {
  GROUP_STATUSES,
  groupStatus,
  partitionStatus,
  statusSeverity,
  type GroupStatus,
  type GroupVerdict,
  type OffsetObservation,
  type PartitionVerdict,
  type StatusOptions,
  type StatusVerdict,
} from './status.js';
export {
  consumeRatePerSecond,
  drainSeconds,
  stalenessSeconds,
  type CommittedRecord,
} from './freshness.js';
