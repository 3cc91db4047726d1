export { cString, loadLibrdkafka, newConf, rdBinding } from './binding.js';
export {
  RdConsumer,
  type ConsumedRecord,
  type OffsetToCommit,
  type RdConsumerOptions,
  type TopicPartition,
} from './consumer.js';
export {
  RdProducer,
  type OutgoingMessage,
  type RdProducerOptions,
  type TopicMessages,
} from './producer.js';
