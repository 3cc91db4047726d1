import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import {
  apiAuthHook,
  apiServerOptions,
  createMetricsRegistry,
  defaultReferenceLimits,
  pipewatchApp,
  registryServerOptions,
  schemaRegistryApi,
  type ApiAuthOptions,
  type CaptureValues,
} from '../../api/index.js';
import { buildAlerts, type BuiltAlerts } from '../../cli/service/alerts.js';
import { startDrift } from '../../cli/service/drift.js';
import { Lifecycle } from '../../cli/lifecycle.js';
import { SchemaViolationRecorder } from '../../collector/index.js';
import { parseConfig } from '../../config/index.js';
import { createSchemaRegistry, engineCompatibilityChecker } from '../../schemas/index.js';
import { sqliteReferenceStore, sqliteSchemaRegistryStore } from '../../store/index.js';
import { pipeline, produce, startHarness, type Harness } from '../collector/offsets/harness.js';

export interface CollectedRoute {
  readonly server: 'app' | 'registry';
  readonly method: string;
  readonly url: string;
  readonly bodyLimit: number;
}

export interface FullApp {
  readonly h: Harness;
  /** The pipewatch app with every option `serve` gives it; not listening (use inject()). */
  readonly app: FastifyInstance;
  /** The embedded schema registry as startRegistryServer assembles it, same database file. */
  readonly registryApp: FastifyInstance;
  readonly alerts: BuiltAlerts;
  /** Every route of both servers (HEAD twins left out), collected as they were added. */
  readonly routes: CollectedRoute[];
  stop(): Promise<void>;
}

export interface FullAppOptions {
  readonly auth: ApiAuthOptions;
  readonly maxBodyBytes: number;
  readonly captureReferenceValues: CaptureValues;
}

/**
 * Both HTTP servers assembled as `serve` assembles them: real stores on one SQLite file, the
 * real lag monitor over the mock cluster (pipeline p-fuzz, group g-fuzz, topic fuzz), the real
 * drift and alerts runtimes.
 */
export async function startFullApp(options: FullAppOptions): Promise<FullApp> {
  const h = await startHarness();
  const lifecycle = new Lifecycle(pino({ level: 'silent' }));
  const routes: CollectedRoute[] = [];
  const topic = await h.cluster.createTopic('fuzz', 1);
  await produce(h.producer, topic, 0, [h.clock.nowMs]);
  const monitor = h.monitor([pipeline('p-fuzz', [topic], ['g-fuzz'])]);
  await monitor.tick();
  const config = parseConfig({}, {});
  const logger = pino({ level: 'silent' });
  const referenceStore = sqliteReferenceStore(h.db);
  const drift = startDrift({ config, db: h.db, referenceStore, board: h.board, logger, lifecycle });
  const alerts = buildAlerts({
    config,
    db: h.db,
    board: h.board,
    logger,
    nowMs: () => h.clock.nowMs,
  });

  const collect = (server: CollectedRoute['server'], defaultLimit: number) => (r: RouteOptions) => {
    for (const method of [r.method].flat()) {
      if (method === 'HEAD') continue; // fastify's automatic twin of every GET
      routes.push({ server, method, url: r.url, bodyLimit: r.bodyLimit ?? defaultLimit });
    }
  };
  const app = Fastify(apiServerOptions);
  app.addHook('onRoute', collect('app', apiServerOptions.bodyLimit));
  await app.register(pipewatchApp, {
    metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
    readinessChecks: { sqlite: () => h.db.open },
    referenceStore: drift.notifying(referenceStore),
    captureReferenceValues: options.captureReferenceValues,
    schemaViolations: new SchemaViolationRecorder({ metricsRegistry: new Registry() }),
    drift,
    board: h.board,
    auth: options.auth,
    referenceLimits: { ...defaultReferenceLimits, maxBodyBytes: options.maxBodyBytes },
    lag: monitor,
    alerts: { ...alerts, nowMs: () => h.clock.nowMs },
  });
  await app.ready();

  const registryApp = Fastify(registryServerOptions);
  registryApp.addHook('onRoute', collect('registry', registryServerOptions.bodyLimit));
  registryApp.addHook('onRequest', apiAuthHook(options.auth, 'confluent'));
  await registryApp.register(schemaRegistryApi, {
    registry: createSchemaRegistry({
      store: sqliteSchemaRegistryStore(h.db),
      checker: engineCompatibilityChecker,
    }),
  });
  await registryApp.ready();

  return {
    h,
    app,
    registryApp,
    alerts,
    routes,
    async stop() {
      await app.close();
      await registryApp.close();
      await alerts.runtime.stop();
      await lifecycle.stopAll(5000);
      await h.stop();
    },
  };
}
