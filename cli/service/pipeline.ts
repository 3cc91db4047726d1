import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../../config/index.js';
import {
  startEmbeddedPipeline,
  startFaultCycle,
  type EmbeddedPipeline,
} from '../../pipeline/index.js';
import type { Lifecycle } from '../lifecycle.js';

export interface ServicePipeline {
  /** The pipeline's metrics registry, for the service's /metrics. */
  readonly registry: Registry;
  /**
   * False once the feature consumer stopped working by itself (a fatal producer error such as
   * being fenced): the service's readiness check `pipeline` reads it.
   */
  isWorking(): boolean;
  readonly pipeline: EmbeddedPipeline;
}

/**
 * The reference pipeline inside the embedded default (only when Kafka is embedded and
 * `pipeline.embedded.enabled`), with its fault cycle. Returns the pipeline's metrics registry
 * and health, or undefined when no pipeline runs.
 */
export async function startServicePipeline(options: {
  readonly config: Readonly<Config>;
  readonly kafkaIsEmbedded: boolean;
  readonly kafka: Kafka;
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
}): Promise<ServicePipeline | undefined> {
  const { config, logger } = options;
  if (!options.kafkaIsEmbedded || !config.pipeline.embedded.enabled) return undefined;
  const pipeline = await startEmbeddedPipeline({
    kafka: options.kafka,
    brokers: options.brokers,
    config,
    registryUrl: options.registryUrl,
    logger,
  });
  options.lifecycle.add({ name: 'pipeline', stop: () => pipeline.stop() });
  if (config.pipeline.embedded.faultCycle) {
    const stopCycle = startFaultCycle({
      setFaults: (change) => pipeline.producer.setFaults(change),
      scenarioMs: config.pipeline.embedded.faultScenarioSeconds * 1000,
      logger,
    });
    options.lifecycle.add({ name: 'fault-cycle', stop: stopCycle });
  }
  logger.info(
    { format: config.pipeline.format, ratePerSecond: config.pipeline.producer.ratePerSecond },
    'embedded reference pipeline running',
  );
  return {
    registry: pipeline.metrics.registry,
    isWorking: () => pipeline.consumer.health().state === 'running',
    pipeline,
  };
}
