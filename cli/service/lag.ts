import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { createRecordReader } from '../../collector/index.js';
import { librdkafkaSecurityProperties, type KafkaSecurity } from '../../kafka/index.js';
import { watchedPipelines, type Config } from '../../config/index.js';
import { LagMonitor, type ReadingsBoard } from '../../monitor/index.js';
import { sqliteLagHistoryStore, type SqliteDatabase } from '../../store/index.js';
import type { Lifecycle } from '../lifecycle.js';

/**
 * Consumer-group lag, freshness and status of the watched pipelines (collector.offsets): one
 * background loop on the cluster, readings on the board, offset/time tables in SQLite.
 */
export async function startLag(options: {
  readonly config: Readonly<Config>;
  readonly kafka: Kafka;
  readonly brokers: readonly string[];
  /** TLS and SASL of the cluster, for the librdkafka record reader too. */
  readonly security: KafkaSecurity;
  readonly board: ReadingsBoard;
  readonly db: SqliteDatabase;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
}): Promise<LagMonitor> {
  const { config } = options;
  const o = config.collector.offsets;
  const logger = options.logger.child({ component: 'lag' });
  const admin = options.kafka.admin();
  await admin.connect();
  options.lifecycle.add({ name: 'lag-admin', stop: () => admin.disconnect() });
  const reader = createRecordReader({
    brokers: options.brokers,
    clientId: config.kafka.clientId,
    timeoutMs: o.recordReadTimeoutMs,
    securityProperties: librdkafkaSecurityProperties(options.security),
  });
  options.lifecycle.add({ name: 'lag-record-reader', stop: () => reader.close() });
  const monitor = new LagMonitor({
    admin,
    reader,
    board: options.board,
    store: sqliteLagHistoryStore(options.db),
    logger,
    pipelines: watchedPipelines(config),
    clock: Date.now,
    pollIntervalMs: o.pollIntervalSeconds * 1000,
    historyPoints: o.historyPoints,
    extrapolationCapSeconds: o.extrapolationCapSeconds,
    statusWindowMs: o.statusWindowSeconds * 1000,
    stopAfterMs: o.stopAfterSeconds * 1000,
    rateWindowMs: o.rateWindowSeconds * 1000,
    persistIntervalMs: o.persistIntervalSeconds * 1000,
    partitionSeries: config.collector.partitionSeries,
    discovery: o.discovery.enabled
      ? {
          allow: new RegExp(o.discovery.allow),
          deny: o.discovery.deny === undefined ? undefined : new RegExp(o.discovery.deny),
          intervalMs: o.discovery.intervalSeconds * 1000,
        }
      : undefined,
    // pipewatch's own groups (its tap) are not the pipeline's consumers.
    ownGroupPrefix: `${config.kafka.clientId}.`,
  });
  monitor.start();
  options.lifecycle.add({ name: 'lag', stop: () => monitor.stop() });
  return monitor;
}
