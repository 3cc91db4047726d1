export { createKafkaClient, pinoLevelOf, type KafkaClientOptions } from './client.js';
export { hasMockControllerFallback, installMockControllerFallback } from './controller-fallback.js';
export { monitorKafkaHealth, type KafkaHealthMonitor } from './health.js';
export { checkBrokersReachable } from './reachability.js';
export { kafkaApiKey, kafkaErrorCode, startMockCluster, type MockCluster } from './mock-cluster.js';
export {
  RdConsumer,
  RdProducer,
  type ConsumedRecord,
  type OffsetToCommit,
  type OutgoingMessage,
  type RdConsumerOptions,
  type TopicPartition,
  type RdProducerOptions,
  type TopicMessages,
} from './librdkafka/index.js';
export {
  isSecretLibrdkafkaProperty,
  kafkajsSecurityOptions,
  kafkaSecurityWarning,
  librdkafkaSecurityProperties,
  resolveKafkaSecurity,
  type KafkaSecurity,
  type KafkaSecuritySettings,
  type SaslMechanism,
} from './security.js';
