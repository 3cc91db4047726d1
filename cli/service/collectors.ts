import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createWireChecks,
  startTap,
  type RecordDecoder,
  type RecordSink,
  type SchemaViolationRecorder,
  type Tap,
} from '../../collector/index.js';
import { watchedPipelines, type Config } from '../../config/index.js';
import type { KafkaSecurity } from '../../kafka/index.js';
import { DlqMonitor, FreshnessMonitor, type ReadingsBoard } from '../../monitor/index.js';
import { sqliteDlqWindowStore, type SqliteDatabase } from '../../store/index.js';
import type { Lifecycle } from '../lifecycle.js';

export interface ServiceCollectors {
  readonly schemaViolations: SchemaViolationRecorder;
  /** The tap's decoder (Confluent Avro via the registry, or JSON), for one-off reads too. */
  readonly decode: RecordDecoder;
  readonly dlq: DlqMonitor;
  readonly freshness: FreshnessMonitor;
  readonly tap: Tap;
  /** The topics the tap decodes (raw and feature topics of every watched pipeline). */
  readonly decodedTopics: readonly string[];
}

/**
 * The sidecar tap on every watched pipeline's raw, feature and DLQ topics (one librdkafka
 * consumer group). Raw and feature records are decoded against the schema registry (violations
 * counted by kind), then handed to the sinks (drift, pipeline freshness). DLQ records are never
 * decoded: they are bad by design and would count as schema violations; they go, with every raw
 * record before decoding, to the DLQ-rate monitor. The monitors are registered with the
 * lifecycle before the tap, so they stop (and save) after it.
 */
export async function startCollectors(options: {
  readonly config: Readonly<Config>;
  /** Bootstrap servers of the tap's librdkafka consumer. */
  readonly brokers: readonly string[];
  /** TLS and SASL of the cluster (kafka/security.ts). */
  readonly security: KafkaSecurity;
  readonly registryUrl: string;
  readonly metricsRegistry: Registry;
  readonly sinks: readonly RecordSink[];
  readonly board: ReadingsBoard;
  readonly db: SqliteDatabase;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
}): Promise<ServiceCollectors> {
  const { config, logger } = options;
  const pipelines = watchedPipelines(config);
  // No prom-client registry: the violation totals reach /metrics through the readings board.
  const { decode, recorder } = createWireChecks({
    registryUrl: options.registryUrl,
    ...config.collector,
    registryRequestRetries: config.registry.requestRetries,
    registryRetryBackoffMs: config.registry.retryBackoffMs,
  });

  const dlq = new DlqMonitor({
    pipelines,
    board: options.board,
    store: sqliteDlqWindowStore(options.db),
    windows: config.dlq.windows,
    maxSkewMs: config.dlq.maxTimestampSkewSeconds * 1000,
    evaluateIntervalMs: config.dlq.evaluateIntervalMs,
    persistIntervalMs: config.dlq.persistIntervalMs,
    logger: logger.child({ component: 'dlq' }),
  });
  dlq.start();
  options.lifecycle.add({ name: 'dlq', stop: () => dlq.stop() });
  const freshness = new FreshnessMonitor({
    pipelines,
    board: options.board,
    intervalMs: config.collector.freshnessIntervalMs,
    maxFutureSkewMs: config.dlq.maxTimestampSkewSeconds * 1000,
    logger: logger.child({ component: 'freshness' }),
  });
  freshness.start();
  options.lifecycle.add({ name: 'freshness', stop: () => freshness.stop() });

  const dlqTopics = new Set(pipelines.flatMap((p) => p.dlqTopics));
  // A topic that is one pipeline's DLQ is never decoded, even if another lists it as raw.
  const decodedTopics = [
    ...new Set(pipelines.flatMap((p) => [...p.rawTopics, ...p.featureTopics])),
  ].filter((t) => !dlqTopics.has(t));
  const { tap: tapConfig } = config.collector;
  const tap = await startTap({
    brokers: options.brokers,
    clientId: `${config.kafka.clientId}.tap`,
    security: options.security,
    groupId: `${config.kafka.clientId}.tap`,
    topics: decodedTopics,
    undecodedTopics: [...dlqTopics],
    decode,
    sinks: [...options.sinks, freshness.sink],
    tappedSinks: [dlq.sink],
    onUndecodable: recorder.onUndecodable,
    metricsRegistry: options.metricsRegistry,
    logger,
    maxBatchRecords: tapConfig.maxBatchRecords,
    prefetchMaxKbytes: tapConfig.prefetchMaxKbytes,
    prefetchMaxRecords: tapConfig.prefetchMaxRecords,
    fetchMaxWaitMs: tapConfig.fetchMaxWaitMs,
    commitIntervalMs: tapConfig.commitIntervalMs,
  });
  options.lifecycle.add({ name: 'tap', stop: () => tap.stop() });
  return { schemaViolations: recorder, decode, dlq, freshness, tap, decodedTopics };
}
