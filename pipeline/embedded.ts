import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { avroCodec, jsonCodec, type RecordCodec } from './codec.js';
import { startFeatureConsumer, type RunningFeatureConsumer } from './consumer.js';
import { PipelineMetrics } from './metrics.js';
import { startProducer, type RunningProducer } from './producer.js';

export interface EmbeddedPipelineOptions {
  /** kafkajs client of the producer. */
  readonly kafka: Kafka;
  /** Bootstrap servers of the feature consumer (librdkafka). */
  readonly brokers: readonly string[];
  readonly config: Readonly<Config>;
  /** Registry of the Avro format (the embedded registry's URL); unused for JSON. */
  readonly registryUrl: string;
  readonly logger?: Logger;
}

export interface EmbeddedPipeline {
  readonly producer: RunningProducer;
  readonly consumer: RunningFeatureConsumer;
  /**
   * One registry for both roles (labels tell them apart), without process metrics: merge it
   * into the service's registry (`Registry.merge`) to serve it on the main /metrics.
   */
  readonly metrics: PipelineMetrics;
  stop(): Promise<void>;
}

/**
 * The reference pipeline inside `pipewatch serve`'s embedded default: a producer and a feature
 * consumer built from `config.pipeline` and `config.topics`, sharing the service's metrics
 * endpoint instead of opening their own ports. Stop it before the cluster and the registry.
 */
export async function startEmbeddedPipeline(
  options: EmbeddedPipelineOptions,
): Promise<EmbeddedPipeline> {
  const { config, kafka, logger } = options;
  const codec = (): RecordCodec =>
    config.pipeline.format === 'json'
      ? jsonCodec()
      : avroCodec({
          registryUrl: options.registryUrl,
          rawTopic: config.topics.raw,
          featuresTopic: config.topics.features,
          registryRequestRetries: config.registry.requestRetries,
          registryRetryBackoffMs: config.registry.retryBackoffMs,
        });
  const metrics = new PipelineMetrics(false);
  const settings = config.pipeline;
  const consumer = await startFeatureConsumer({
    brokers: options.brokers,
    clientId: `${config.kafka.clientId}-pipeline-consumer`,
    topics: config.topics,
    groupId: settings.consumer.groupId,
    codec: codec(),
    mode: settings.consumer.mode,
    transactional: settings.consumer.transactional,
    maxBytesPerPartition: settings.consumer.maxBytesPerPartition,
    maxBatchRecords: settings.consumer.maxBatchRecords,
    maxInFlightBatches: settings.consumer.maxInFlightBatches,
    maxFutureSkewMs: settings.consumer.maxFutureSkewMs,
    warmup: settings.consumer.warmup,
    metrics,
    ...(logger ? { logger: logger.child({ component: 'pipeline-consumer' }) } : {}),
  });
  let producer: RunningProducer;
  try {
    producer = await startProducer({
      kafka,
      topic: config.topics.raw,
      codec: codec(),
      ratePerSecond: settings.producer.ratePerSecond,
      seed: settings.producer.seed,
      accountCount: settings.producer.accountCount,
      faults: settings.producer.faults,
      metrics,
      ...(logger ? { logger: logger.child({ component: 'pipeline-producer' }) } : {}),
    });
  } catch (error) {
    await consumer.stop();
    throw error;
  }
  return {
    producer,
    consumer,
    metrics,
    async stop() {
      await producer.stop();
      await consumer.stop();
    },
  };
}
