import type { FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Registry } from 'prom-client';
import type { DriftView, SchemaViolationsView } from '../collector/index.js';
import { handleApiError } from './http-errors.js';
import type { ReferenceStore } from '../store/index.js';
import type { ReadingsBoard } from '../monitor/index.js';
import { driftRoutes } from './routes/drift.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';
import { schemaViolationRoutes } from './routes/schema-violations.js';
import type { CaptureValues } from './routes/reference-capture.js';
import { referenceRoutes } from './routes/references.js';
import { alertRoutes, type AlertsRoutesOptions } from './routes/alerts.js';
import { ruleRoutes } from './routes/rules.js';
import { silenceRoutes } from './routes/silences.js';

/** Everything the HTTP app needs, built once in the composition root and injected. */
export interface AppOptions {
  readonly metricsRegistry: Registry;
  /** Registries of in-process components (the embedded pipeline) served on the same /metrics. */
  readonly extraMetricsRegistries?: readonly Registry[];
  readonly readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
  /** The collector's violation recorder; without it /api/v1/schema-violations is not served. */
  readonly schemaViolations?: SchemaViolationsView;
  /** Drift references (/api/v1/references); the routes are absent without a store. */
  readonly referenceStore?: ReferenceStore;
  /** Reads a feature from a topic for POST /api/v1/references/capture (needs referenceStore). */
  readonly captureReferenceValues?: CaptureValues;
  /** Live feature drift (/api/v1/drift); the routes are absent without it. */
  readonly drift?: DriftView;
  /** The readings board every detector publishes to; rendered on /metrics. */
  readonly board?: ReadingsBoard;
  /** The alerts runtime and its stores (/api/v1/alerts, /rules, /silences); absent without it. */
  readonly alerts?: AlertsRoutesOptions;
}

const appPlugin: FastifyPluginAsync<AppOptions> = async (app, options) => {
  app.setErrorHandler(handleApiError);
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` },
    }),
  );
  await app.register(healthRoutes, {
    metricsRegistry: options.metricsRegistry,
    extraMetricsRegistries: options.extraMetricsRegistries ?? [],
    readinessChecks: options.readinessChecks ?? {},
    board: options.board,
  });
  if (options.schemaViolations) {
    await app.register(schemaViolationRoutes, { schemaViolations: options.schemaViolations });
  }
  if (options.referenceStore) {
    await app.register(referenceRoutes, {
      referenceStore: options.referenceStore,
      captureValues: options.captureReferenceValues,
    });
  }
  if (options.drift) await app.register(driftRoutes, { drift: options.drift });
  if (options.alerts) {
    await app.register(alertRoutes, options.alerts);
    await app.register(ruleRoutes, { runtime: options.alerts.runtime });
    await app.register(silenceRoutes, {
      silenceStore: options.alerts.silenceStore,
      nowMs: options.alerts.nowMs,
    });
  }
};

/**
 * The pipewatch HTTP app as a fastify plugin: tests register it on a bare fastify instance and
 * use inject(); api/server.ts registers it on a listening one. Not encapsulated, so the error
 * and not-found handlers cover the whole instance.
 */
export const pipewatchApp = fastifyPlugin(appPlugin, { name: 'pipewatch-app', fastify: '5.x' });
