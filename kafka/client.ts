import { Kafka, logLevel, Partitioners, type KafkaConfig, type logCreator } from 'kafkajs';
import { kafkajsSecurityOptions, type KafkaSecurity } from './security.js';
import type { Logger } from 'pino';
import { installMockControllerFallback } from './controller-fallback.js';

type PinoLevel = 'error' | 'warn' | 'info' | 'debug';

const levelNames: Record<number, PinoLevel> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  // kafkajs INFO is connection and group chatter ("Starting", "Consumer has joined the group").
  [logLevel.INFO]: 'debug',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs namespaces of the transport: every failed connect or retried request logs an ERROR
 * here (a dozen lines per unreachable broker, before the caller even sees the error), and the
 * same failure reaches the caller as a thrown error that pipewatch reports once, in its own
 * words. So these go to debug; a consumer crash or a failed admin operation keeps its level.
 */
const transportNamespaces = new Set(['Connection', 'BrokerPool', 'Cluster']);

/** The pino level of one kafkajs log entry. */
export function pinoLevelOf(namespace: string, level: number): PinoLevel {
  if (transportNamespaces.has(namespace)) return 'debug';
  return levelNames[level] ?? 'debug';
}

/** Routes kafkajs' own log lines into pino, tagged with the kafkajs namespace. */
function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      const name = pinoLevelOf(namespace, level);
      if (!logger.isLevelEnabled(name)) return;
      logger[name]({ kafkajs: namespace, ...extra }, message);
    };
}

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Per-request timeout in milliseconds. Default 30000. */
  readonly requestTimeoutMs?: number;
  /** Connection timeout in milliseconds. Default 3000. */
  readonly connectionTimeoutMs?: number;
  /**
   * Where kafkajs logs go; transport errors and INFO chatter only at debug (see
   * `pinoLevelOf`). Without a logger kafkajs logs nothing.
   */
  readonly logger?: Logger;
  /** TLS and SASL (see kafka/security.ts). Default: plaintext, no authentication. */
  readonly security?: KafkaSecurity;
  /** Retry policy; the kafkajs default retries 5 times over roughly 30 s. */
  readonly retry?: KafkaConfig['retry'];
  /**
   * The brokers are librdkafka's mock cluster (the embedded default, tests): installs the
   * controller-id fallback of kafka/controller-fallback.ts on this client only. Default false:
   * a client for any other cluster is stock kafkajs.
   */
  readonly embeddedMockCluster?: boolean;
}

/** The one place a kafkajs client is built, so every client logs and retries the same way. */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const logger = options.logger;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    logLevel: logger?.isLevelEnabled('debug')
      ? logLevel.DEBUG
      : logger
        ? logLevel.WARN
        : logLevel.NOTHING,
    ...(logger ? { logCreator: pinoLogCreator(logger.child({ component: 'kafkajs' })) } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.security ? kafkajsSecurityOptions(options.security) : {}),
  });
  // kafkajs 2 warns on every producer that does not name a partitioner; name its default.
  const createProducer = kafka.producer.bind(kafka);
  kafka.producer = (config) =>
    createProducer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
  if (options.embeddedMockCluster) installMockControllerFallback(kafka);
  return kafka;
}
