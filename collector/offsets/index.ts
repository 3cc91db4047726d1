export { createGroupDiscovery, type DiscoveryOptions, type GroupDiscovery } from './discovery.js';
export {
  pollOffsets,
  type CollectorOperation,
  type ErrorSink,
  type GroupTopics,
  type OffsetsSnapshot,
  type PollOffsetsOptions,
  type TopicPartitionEnds,
} from './poller.js';
export {
  createRecordReader,
  partitionKey,
  type RecordReader,
  type RecordReaderOptions,
  type RecordReadRequest,
  type RecordReadResult,
} from './record-reader.js';
