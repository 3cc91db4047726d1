import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { createMetricsRegistry, startHttpServer, startRegistryServer } from '../../api/index.js';
import { captureReferenceValues } from '../../collector/index.js';
import { externalRegistryUrl, loadConfig, type Config } from '../../config/index.js';
import { publishSchemaViolations, ReadingsBoard } from '../../monitor/index.js';
import type { EmbeddedPipeline } from '../../pipeline/index.js';
import { engineCompatibilityChecker, redactRegistryUrl } from '../../schemas/index.js';
import { openDatabase, sqliteReferenceStore, sqliteServiceStateStore } from '../../store/index.js';
import { Lifecycle } from '../lifecycle.js';
import { parseFlags } from '../flags.js';
import { scheduleAutoReferences } from '../service/auto-references.js';
import { startAlerts } from '../service/alerts.js';
import { startCollectors } from '../service/collectors.js';
import { startDrift } from '../service/drift.js';
import { startLag } from '../service/lag.js';
import { connectKafka } from '../service/kafka.js';
import { startServicePipeline } from '../service/pipeline.js';
import { pipewatchVersion } from '../version.js';
import type { Command } from './command.js';

export interface RunningService {
  readonly config: Readonly<Config>;
  readonly httpUrl: string;
  readonly kafkaBrokers: readonly string[];
  /** The embedded registry's URL, or the external one from `registry.url`. */
  readonly registryUrl: string;
  readonly databaseFile: string;
  /**
   * The embedded reference pipeline, when it runs: its producer's fault knobs can be changed
   * while the service runs (`embeddedPipeline.producer.setFaults`), as `PUT /faults` does on a
   * standalone producer. Undefined with an external cluster or `pipeline.embedded.enabled: false`.
   */
  readonly embeddedPipeline: EmbeddedPipeline | undefined;
  stop(): Promise<void>;
}

/**
 * The composition root: builds every component from the frozen config, in dependency order,
 * and registers each with the lifecycle so SIGTERM stops them in reverse.
 */
export async function startService(
  config: Readonly<Config>,
  logger: Logger,
): Promise<RunningService> {
  const lifecycle = new Lifecycle(logger);
  try {
    const databaseFile = join(config.dataDir, 'pipewatch.sqlite');
    const db = openDatabase(databaseFile);
    lifecycle.add({ name: 'sqlite', stop: () => void db.close() });

    const { kafka, brokers, health, embedded, security } = await connectKafka(
      config,
      logger,
      lifecycle,
    );

    // With registry.basicAuth the URL carries the credentials as user-info (every registry client
    // turns them into a header); it is logged only redacted.
    let registryUrl = externalRegistryUrl(config);
    if (registryUrl === undefined) {
      const registry = await startRegistryServer({
        db,
        checker: engineCompatibilityChecker,
        host: config.registry.host,
        port: config.registry.port,
        logger,
        auth: config.http.auth,
      });
      lifecycle.add({ name: 'schema-registry', stop: () => registry.close() });
      registryUrl = registry.url;
    }

    const metricsRegistry = createMetricsRegistry({
      version: pipewatchVersion,
      nodeVersion: process.version,
    });
    // Every detector runtime publishes here; /metrics, the API and the rules read it.
    const board = new ReadingsBoard();
    // One reference store: a row that no longer validates is logged once, naming it, and skipped.
    const referenceStore = sqliteReferenceStore(db, {
      onInvalid: (invalid) => logger.warn(invalid, 'drift reference is invalid and skipped'),
    });
    const drift = startDrift({ config, db, referenceStore, board, logger, lifecycle });
    const collectors = await startCollectors({
      config,
      brokers,
      security,
      registryUrl,
      metricsRegistry,
      sinks: [drift.sink],
      board,
      db,
      logger,
      lifecycle,
    });
    const stopViolations = publishSchemaViolations(
      board,
      collectors.schemaViolations,
      Date.now,
      collectors.decodedTopics,
    );
    lifecycle.add({ name: 'schema-violations', stop: stopViolations });

    const lag = await startLag({
      config,
      kafka,
      brokers,
      security,
      board,
      db,
      logger,
      lifecycle,
    });

    const pipelineStartedAtMs = Date.now();
    const servicePipeline = await startServicePipeline({
      config,
      kafkaIsEmbedded: embedded,
      kafka,
      brokers,
      registryUrl,
      logger,
      lifecycle,
    });

    // Rules read the board; alerts go out through the outbox (its state is in SQLite). Their
    // links name the URL the HTTP server really listens on (http.port 0 picks one), known below.
    const listening: { url?: string } = {};
    const alerts = startAlerts({
      config,
      db,
      board,
      logger,
      lifecycle,
      httpUrl: () => listening.url,
    });

    const http = await startHttpServer(
      { host: config.http.host, port: config.http.port, logger },
      {
        metricsRegistry,
        extraMetricsRegistries: servicePipeline ? [servicePipeline.registry] : [],
        readinessChecks: {
          sqlite: () => db.open,
          kafka: () => health.isHealthy(Date.now()),
          // The embedded feature consumer: false once it stopped on a fatal error.
          ...(servicePipeline ? { pipeline: () => servicePipeline.isWorking() } : {}),
        },
        referenceStore: drift.notifying(referenceStore),
        captureReferenceValues: (request) =>
          captureReferenceValues({ kafka, logger, decode: collectors.decode, ...request }),
        schemaViolations: collectors.schemaViolations,
        drift,
        board,
        auth: config.http.auth,
        version: pipewatchVersion,
        referenceLimits: config.references,
        lag,
        alerts,
      },
    );
    lifecycle.add({ name: 'http', stop: () => http.instance.close() });
    listening.url = http.url;
    if (servicePipeline && config.pipeline.embedded.autoReferenceAfterSeconds > 0) {
      scheduleAutoReferences({
        app: http.instance,
        config,
        startedAtMs: pipelineStartedAtMs,
        logger,
        lifecycle,
      });
    }

    sqliteServiceStateStore(db).set('last_start', { version: pipewatchVersion }, Date.now());
    logger.info(
      {
        http: http.url,
        metrics: `${http.url}/metrics`,
        kafka: brokers.join(','),
        schemaRegistry: redactRegistryUrl(registryUrl),
        sqlite: databaseFile,
      },
      'pipewatch is up',
    );
    return {
      config,
      httpUrl: http.url,
      kafkaBrokers: brokers,
      registryUrl,
      databaseFile,
      embeddedPipeline: servicePipeline?.pipeline,
      stop: () => lifecycle.stopAll(config.shutdownTimeoutMs),
    };
  } catch (error) {
    await lifecycle.stopAll(config.shutdownTimeoutMs);
    throw error;
  }
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the service (embedded Kafka mock cluster when no brokers are configured)',
  usage: 'pipewatch serve [--config pipewatch.yaml]',
  async run(argv) {
    const flags = parseFlags(argv, { config: { type: 'string' } }, this.usage);
    const config = loadConfig(flags.values.config);
    const logger = pino({ level: config.logLevel, base: { service: 'pipewatch' } });
    const service = await startService(config, logger);
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        void service.stop().then(resolve);
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
    return 0;
  },
};
