import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createWireChecks,
  startTap,
  type RecordDecoder,
  type RecordSink,
  type SchemaViolationRecorder,
} from '../../collector/index.js';
import type { Config } from '../../config/index.js';
import type { Lifecycle } from '../lifecycle.js';

export interface ServiceCollectors {
  readonly schemaViolations: SchemaViolationRecorder;
  /** The tap's decoder (Confluent Avro via the registry, or JSON), for one-off reads too. */
  readonly decode: RecordDecoder;
}

/**
 * The sidecar tap on the pipeline's raw and feature topics: every record is decoded against the
 * schema registry (violations counted by kind), then handed to the sinks. The DLQ topic is not
 * tapped here: its records are bad by design and would count as violations.
 */
export async function startCollectors(options: {
  readonly config: Readonly<Config>;
  readonly kafka: Kafka;
  readonly registryUrl: string;
  readonly metricsRegistry: Registry;
  readonly sinks: readonly RecordSink[];
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
}): Promise<ServiceCollectors> {
  const { config } = options;
  // No prom-client registry: the violation totals reach /metrics through the readings board.
  const { decode, recorder } = createWireChecks({
    registryUrl: options.registryUrl,
    ...config.collector,
  });
  const tap = await startTap({
    kafka: options.kafka,
    groupId: `${config.kafka.clientId}.tap`,
    topics: [config.topics.raw, config.topics.features],
    decode,
    sinks: options.sinks,
    onUndecodable: recorder.onUndecodable,
    metricsRegistry: options.metricsRegistry,
    logger: options.logger,
  });
  options.lifecycle.add({ name: 'tap', stop: () => tap.stop() });
  return { schemaViolations: recorder, decode };
}
