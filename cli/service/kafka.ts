import { readFileSync } from 'node:fs';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import {
  checkBrokersReachable,
  createKafkaClient,
  kafkaSecurityWarning,
  monitorKafkaHealth,
  resolveKafkaSecurity,
  type KafkaSecurity,
  startMockCluster,
  type KafkaHealthMonitor,
} from '../../kafka/index.js';
import type { Lifecycle } from '../lifecycle.js';

export interface ServiceKafka {
  readonly kafka: Kafka;
  readonly brokers: readonly string[];
  readonly health: KafkaHealthMonitor;
  /** True when pipewatch started the in-process cluster itself (no brokers configured). */
  readonly embedded: boolean;
  /** TLS and SASL of the configured cluster, for every further client (librdkafka ones too). */
  readonly security: KafkaSecurity;
}

/**
 * The TLS and SASL settings of `kafka.tls` / `kafka.sasl` with their files read, for every Kafka
 * client of a process (kafkajs and librdkafka). Logs which protection is on, never a secret, and
 * one warning for SASL without TLS. Throws CONFIG_INVALID naming the key.
 */
export function kafkaSecurityOf(config: Readonly<Config>, logger: Logger): KafkaSecurity {
  const security = resolveKafkaSecurity(config.kafka, (path) => readFileSync(path, 'utf8'));
  if (security.tls || security.sasl) {
    logger.info(
      { tls: security.tls !== undefined, sasl: security.sasl?.mechanism ?? false },
      'Kafka TLS/SASL configured',
    );
  }
  const warning = kafkaSecurityWarning(security);
  if (warning) logger.warn(warning);
  return security;
}

/**
 * The configured cluster, or the embedded in-process one (with the pipeline's topics) when no
 * brokers are configured; fails with KAFKA_UNREACHABLE when no broker answers in time.
 */
export async function connectKafka(
  config: Readonly<Config>,
  logger: Logger,
  lifecycle: Lifecycle,
): Promise<ServiceKafka> {
  let brokers: readonly string[] = config.kafka.brokers;
  const embedded = brokers.length === 0;
  // Before the mock cluster starts: security settings with it are a config error.
  const security = kafkaSecurityOf(config, logger);
  if (embedded) {
    const cluster = startMockCluster(config.kafka.embeddedBrokerCount);
    lifecycle.add({ name: 'embedded-kafka', stop: () => cluster.destroy() });
    for (const topic of [config.topics.raw, config.topics.features, config.topics.dlq]) {
      cluster.createTopic(topic, config.topics.embeddedPartitions);
    }
    brokers = cluster.brokers;
    logger.info(
      { bootstrapServers: cluster.bootstrapServers },
      'no brokers configured: started the embedded Kafka mock cluster',
    );
  }
  const kafka = createKafkaClient({
    brokers,
    clientId: config.kafka.clientId,
    requestTimeoutMs: config.kafka.requestTimeoutMs,
    security,
    logger,
    embeddedMockCluster: embedded || config.kafka.mockCluster,
  });
  const cluster = await checkBrokersReachable(kafka, brokers, config.kafka.connectTimeoutMs);
  logger.info({ brokers, brokerCount: cluster.brokerCount }, 'Kafka reachable');
  // One line when Kafka becomes unreachable and one when it is back, not one per probe.
  const health = monitorKafkaHealth(kafka, {
    onChange: ({ reachable, error }) => {
      if (reachable) logger.info({ brokers }, 'Kafka reachable again');
      else
        logger.warn(
          { brokers, error: (error as Error | undefined)?.message },
          'Kafka unreachable; readiness is false until a metadata request succeeds',
        );
    },
  });
  lifecycle.add({ name: 'kafka-health', stop: () => health.stop() });
  return { kafka, brokers, health, embedded, security };
}
