/**
 * `pipewatch pipeline producer|consumer`: the reference pipeline as separate processes against
 * the configured cluster (`kafka.brokers`) and registry (`registry.url`, else the embedded one of
 * a running `pipewatch serve` on `registry.port`). Each serves its own /metrics; the producer
 * also GET/PUT /faults. Runs until SIGTERM/SIGINT (the producer also until --max-records).
 */
import { pino, type Logger } from 'pino';
import { PipewatchError } from '../../common/index.js';
import { externalRegistryUrl, loadConfig, type Config } from '../../config/index.js';
import { createKafkaClient } from '../../kafka/index.js';
import {
  avroCodec,
  jsonCodec,
  PipelineMetrics,
  startFeatureConsumer,
  startProducer,
  type RecordCodec,
} from '../../pipeline/index.js';
import { parseFlags } from '../flags.js';
import { kafkaSecurityOf } from '../service/kafka.js';
import type { Command } from './command.js';

const usage =
  'pipewatch pipeline producer|consumer [--config FILE] [--format avro|json] ' +
  '[--metrics-port N] [producer: --rate N --max-records N --seed N --faults JSON] ' +
  '[consumer: --per-event --transactional --group ID]';

const flagSpec = {
  config: { type: 'string' },
  format: { type: 'string' },
  'metrics-port': { type: 'string' },
  rate: { type: 'string' },
  'max-records': { type: 'string' },
  seed: { type: 'string' },
  faults: { type: 'string' },
  'per-event': { type: 'boolean' },
  transactional: { type: 'boolean' },
  group: { type: 'string' },
} as const;

function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new PipewatchError(
      'USAGE',
      `--${name} must be a non-negative number, got '${value}'\nusage: ${usage}`,
    );
  }
  return n;
}

function codecFor(config: Readonly<Config>, format: string): RecordCodec {
  if (format === 'json') return jsonCodec();
  if (format !== 'avro')
    throw new PipewatchError('USAGE', `--format must be avro or json, got '${format}'`);
  return avroCodec({
    registryUrl: externalRegistryUrl(config) ?? `http://127.0.0.1:${config.registry.port}`,
    rawTopic: config.topics.raw,
    featuresTopic: config.topics.features,
  });
}

/**
 * Runs until SIGTERM/SIGINT or until `done` settles, then stops. Answers the exit code: 0 after a
 * signal or a normal end, 1 when `done` rejected (the work stopped by itself: a fatal producer
 * error, a dead loop), so a supervisor sees the process failed instead of a quiet exit 0.
 */
export function runUntilStopped(
  logger: Logger,
  stop: () => Promise<void>,
  done: Promise<void>,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let stopping = false;
    const shutdown = (reason: string, code: number) => {
      if (stopping) return;
      stopping = true;
      process.removeListener('SIGTERM', onTerm);
      process.removeListener('SIGINT', onInt);
      logger.info({ reason }, 'shutting down');
      stop().then(() => resolve(code), reject);
    };
    const onTerm = () => shutdown('SIGTERM', 0);
    const onInt = () => shutdown('SIGINT', 0);
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    done.then(
      () => shutdown('done', 0),
      (error: unknown) => {
        logger.error({ err: error }, 'the pipeline process stopped working; exiting with 1');
        shutdown('fatal error', 1);
      },
    );
  });
}

export const pipelineCommand: Command = {
  name: 'pipeline',
  summary: 'run the reference pipeline: a transaction producer or the feature consumer',
  usage,
  async run(argv) {
    const [role, ...rest] = argv;
    if (role !== 'producer' && role !== 'consumer') {
      throw new PipewatchError('USAGE', `expected 'producer' or 'consumer'\nusage: ${usage}`);
    }
    const { values } = parseFlags(rest, flagSpec, usage);
    const config = loadConfig(values.config);
    if (config.kafka.brokers.length === 0) {
      throw new PipewatchError(
        'USAGE',
        'pipewatch pipeline needs kafka.brokers (PIPEWATCH_KAFKA_BROKERS); with no brokers the ' +
          'pipeline runs inside `pipewatch serve` on its embedded cluster',
      );
    }
    const logger = pino({
      level: config.logLevel,
      base: { service: `pipewatch-pipeline-${role}` },
    });
    const security = kafkaSecurityOf(config, logger);
    const kafka = createKafkaClient({
      brokers: config.kafka.brokers,
      clientId: `${config.kafka.clientId}-pipeline-${role}`,
      requestTimeoutMs: config.kafka.requestTimeoutMs,
      security,
      logger,
      embeddedMockCluster: config.kafka.mockCluster,
    });
    const codec = codecFor(config, values.format ?? config.pipeline.format);
    const metrics = new PipelineMetrics();
    if (role === 'producer') {
      const settings = config.pipeline.producer;
      let faults: unknown = settings.faults;
      if (values.faults !== undefined) {
        try {
          faults = { ...settings.faults, ...(JSON.parse(values.faults) as object) };
        } catch (error) {
          throw new PipewatchError('USAGE', `--faults is not JSON: ${(error as Error).message}`);
        }
      }
      const maxRecords = numberFlag('max-records', values['max-records']);
      const producer = await startProducer({
        kafka,
        topic: config.topics.raw,
        codec,
        ratePerSecond: numberFlag('rate', values.rate) ?? settings.ratePerSecond,
        seed: numberFlag('seed', values.seed) ?? settings.seed,
        accountCount: settings.accountCount,
        faults,
        ...(maxRecords !== undefined ? { maxRecords } : {}),
        http: {
          host: settings.metricsHost,
          port: numberFlag('metrics-port', values['metrics-port']) ?? settings.metricsPort,
        },
        metrics,
        logger,
      });
      logger.info({ topic: config.topics.raw, http: producer.httpUrl }, 'producer running');
      const code = await runUntilStopped(logger, () => producer.stop(), producer.done);
      logger.info(producer.stats(), 'producer stopped');
      return code;
    }
    const settings = config.pipeline.consumer;
    const consumer = await startFeatureConsumer({
      brokers: config.kafka.brokers,
      security,
      clientId: `${config.kafka.clientId}-pipeline-${role}`,
      topics: config.topics,
      groupId: values.group ?? settings.groupId,
      codec,
      mode: values['per-event'] ? 'per-event' : settings.mode,
      transactional: values.transactional ?? settings.transactional,
      maxBytesPerPartition: settings.maxBytesPerPartition,
      maxBatchRecords: settings.maxBatchRecords,
      maxInFlightBatches: settings.maxInFlightBatches,
      maxFutureSkewMs: settings.maxFutureSkewMs,
      warmup: settings.warmup,
      http: {
        host: settings.metricsHost,
        port: numberFlag('metrics-port', values['metrics-port']) ?? settings.metricsPort,
      },
      metrics,
      logger,
    });
    logger.info({ topics: config.topics, http: consumer.httpUrl }, 'feature consumer running');
    const code = await runUntilStopped(logger, () => consumer.stop(), consumer.done);
    logger.info(consumer.stats(), 'feature consumer stopped');
    return code;
  },
};
