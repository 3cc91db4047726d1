import type { FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Registry } from 'prom-client';
import type { SchemaViolationsView } from '../collector/index.js';
import { apiAuthHook, type ApiAuthOptions } from './auth.js';
import { handleApiError } from './http-errors.js';
import { registerOpenApi } from './openapi.js';
import { useZodRouteSchemas } from './route-schema.js';
import type { ReferenceStore } from '../store/index.js';
import type { DriftView, LagView, ReadingsBoard } from '../monitor/index.js';
import { driftRoutes } from './routes/drift.js';
import { groupRoutes } from './routes/groups.js';
import { pipelineRoutes } from './routes/pipelines.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';
import { schemaViolationRoutes } from './routes/schema-violations.js';
import type { CaptureValues } from './routes/reference-capture.js';
import { referenceRoutes } from './routes/references.js';
import type { ReferenceLimits } from './routes/reference-body.js';
import { statusRoutes } from './routes/status.js';
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
  /** Caps of the references API: config `references`. Default: that section's defaults. */
  readonly referenceLimits?: ReferenceLimits;
  /** Bearer tokens for writes (and reads when configured); absent or no tokens: open. */
  readonly auth?: ApiAuthOptions;
  /** Version shown in the OpenAPI document at /docs. Default `dev`. */
  readonly version?: string;
  /**
   * Consumer-group lag and status (/api/v1/pipelines, /api/v1/groups); absent without it. Its
   * `refresh` runs before every /metrics render so exact staleness is computed at the scrape.
   */
  readonly lag?: LagView;
  /** The alerts runtime and its stores (/api/v1/alerts, /rules, /silences); absent without it. */
  readonly alerts?: AlertsRoutesOptions;
  /**
   * Parse every answer against its documented schema before sending it; a mismatch is a 500.
   * Default: on when PIPEWATCH_TEST_CHECK_RESPONSES=1 (the test runner sets it), off otherwise.
   */
  readonly checkResponses?: boolean;
}

const appPlugin: FastifyPluginAsync<AppOptions> = async (app, options) => {
  app.setErrorHandler(handleApiError);
  if (options.auth) app.addHook('onRequest', apiAuthHook(options.auth));
  useZodRouteSchemas(
    app,
    options.checkResponses ?? process.env.PIPEWATCH_TEST_CHECK_RESPONSES === '1',
  );
  await registerOpenApi(app, options.version ?? 'dev');
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
      limits: options.referenceLimits,
    });
  }
  if (options.drift) await app.register(driftRoutes, { drift: options.drift });
  if (options.board) await app.register(statusRoutes, { board: options.board });
  const lag = options.lag;
  if (lag) {
    app.addHook('onRequest', async (request) => {
      if (request.url === '/metrics' || request.url.startsWith('/metrics?'))
        lag.refresh(Date.now());
    });
    await app.register(pipelineRoutes, { lag });
    await app.register(groupRoutes, { lag });
  }
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
