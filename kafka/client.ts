import { Kafka, logLevel, Partitioners, type KafkaConfig, type logCreator } from 'kafkajs';
import { kafkajsSecurityOptions, type KafkaSecurity } from './security.js';
import type { Logger } from 'pino';

const levelNames: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Routes kafkajs' own log lines into pino, tagged with the kafkajs namespace. */
function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      const name = levelNames[level] ?? 'info';
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
  /** Where kafkajs logs go; kafkajs INFO chatter is dropped unless the logger is at debug. */
  readonly logger?: Logger;
  /** TLS and SASL (see kafka/security.ts). Default: plaintext, no authentication. */
  readonly security?: KafkaSecurity;
  /** Retry policy; the kafkajs default retries 5 times over roughly 30 s. */
  readonly retry?: KafkaConfig['retry'];
}

/** The one place a kafkajs client is built, so every client logs and retries the same way. */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const logger = options.logger;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    logLevel: logger?.isLevelEnabled('debug') ? logLevel.DEBUG : logLevel.WARN,
    ...(logger ? { logCreator: pinoLogCreator(logger.child({ component: 'kafkajs' })) } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.security ? kafkajsSecurityOptions(options.security) : {}),
  });
  // kafkajs 2 warns on every producer that does not name a partitioner; name its default.
  const createProducer = kafka.producer.bind(kafka);
  kafka.producer = (config) =>
    createProducer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
  return kafka;
}
