import type { MetricDescriptor } from '../board.js';

/** Every metric the lag runtime publishes; names and labels are a contract (docs/lag.md). */
export const lagMetric = {
  lagMessages: 'pipewatch_consumer_group_lag_messages',
  lagSeconds: 'pipewatch_consumer_group_lag_seconds',
  lagSecondsError: 'pipewatch_consumer_group_lag_seconds_error',
  drainSeconds: 'pipewatch_consumer_group_drain_seconds',
  groupStatus: 'pipewatch_consumer_group_status',
  partitionStatus: 'pipewatch_partition_status',
  topicIdleSeconds: 'pipewatch_topic_idle_seconds',
  topicLagMessages: 'pipewatch_consumer_group_topic_lag_messages',
  topicLagSeconds: 'pipewatch_consumer_group_topic_lag_seconds',
  messagesLost: 'pipewatch_consumer_group_messages_lost',
  topicMinIdleSeconds: 'pipewatch_topic_min_idle_seconds',
  collectorErrors: 'pipewatch_collector_errors_total',
  pollSeconds: 'pipewatch_collector_offsets_poll_duration_seconds',
  lastPollSeconds: 'pipewatch_collector_offsets_last_poll_timestamp_seconds',
  collectorUp: 'pipewatch_collector_up',
} as const;

const partitionLabels = ['pipeline', 'group', 'topic', 'partition'];

export const lagDescriptors: readonly MetricDescriptor[] = [
  {
    name: lagMetric.collectorUp,
    help: '1 while the collector works (offsets: a poll completed within 3 poll intervals), 0 when it is down.',
    type: 'gauge',
    labelNames: ['collector'],
  },
  {
    name: lagMetric.lagMessages,
    help: 'Offset lag: end offset minus max(committed, log start), markers stepped over. Absent without a commit.',
    type: 'gauge',
    labelNames: partitionLabels,
  },
  {
    name: lagMetric.lagSeconds,
    help: 'Time lag in seconds. method=exact: now minus the timestamp of the record at the committed offset (staleness); interpolated/extrapolated: from the end offset/time table.',
    type: 'gauge',
    labelNames: [...partitionLabels, 'method'],
  },
  {
    name: lagMetric.lagSecondsError,
    help: 'Bound of the error of pipewatch_consumer_group_lag_seconds with the same labels, in seconds.',
    type: 'gauge',
    labelNames: [...partitionLabels, 'method'],
  },
  {
    name: lagMetric.drainSeconds,
    help: 'Time to drain the topic lag at the current rates: lag / (consume rate - produce rate); absent when not gaining.',
    type: 'gauge',
    labelNames: ['pipeline', 'group', 'topic'],
  },
  {
    name: lagMetric.groupStatus,
    help: 'Consumer group status (worst partition): 1 for the current status, 0 for the others.',
    type: 'gauge',
    labelNames: ['pipeline', 'group', 'status'],
  },
  {
    name: lagMetric.partitionStatus,
    help: 'Partitions whose status is not OK: 1 for the current status.',
    type: 'gauge',
    labelNames: [...partitionLabels, 'status'],
  },
  {
    name: lagMetric.topicIdleSeconds,
    help: 'Seconds since the partition end offset last moved (producer idleness, a lower bound).',
    type: 'gauge',
    labelNames: ['topic', 'partition'],
  },
  {
    name: lagMetric.topicLagMessages,
    help: 'Offset lag of the group summed over the partitions of the topic it has committed on.',
    type: 'gauge',
    labelNames: ['pipeline', 'group', 'topic'],
  },
  {
    name: lagMetric.topicLagSeconds,
    help: 'Largest time lag of the group over the partitions of the topic, per method.',
    type: 'gauge',
    labelNames: ['pipeline', 'group', 'topic', 'method'],
  },
  {
    name: lagMetric.messagesLost,
    help: 'Records deleted by retention before the group read them (log start minus committed), summed over the topic.',
    type: 'gauge',
    labelNames: ['pipeline', 'group', 'topic'],
  },
  {
    name: lagMetric.topicMinIdleSeconds,
    help: 'Seconds since any partition of the topic last grew.',
    type: 'gauge',
    labelNames: ['topic'],
  },
  {
    name: lagMetric.collectorErrors,
    help: 'Failed collector requests by operation (offset_fetch, list_offsets, list_groups, record_read).',
    type: 'counter',
    labelNames: ['operation'],
  },
  {
    name: lagMetric.pollSeconds,
    help: 'Duration of the last offsets poll cycle, in seconds.',
    type: 'gauge',
    labelNames: [],
  },
  {
    name: lagMetric.lastPollSeconds,
    help: 'Unix time of the end of the last offsets poll cycle, in seconds.',
    type: 'gauge',
    labelNames: [],
  },
];
