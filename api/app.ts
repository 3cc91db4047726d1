import type { FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Registry } from 'prom-client';
import { handleApiError } from './http-errors.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';

/** Everything the HTTP app needs, built once in the composition root and injected. */
export interface AppOptions {
  readonly metricsRegistry: Registry;
  readonly readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
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
    readinessChecks: options.readinessChecks ?? {},
  });
};

/**
 * The pipewatch HTTP app as a fastify plugin: tests register it on a bare fastify instance and
 * use inject(); api/server.ts registers it on a listening one. Not encapsulated, so the error
 * and not-found handlers cover the whole instance.
 */
export const pipewatchApp = fastifyPlugin(appPlugin, { name: 'pipewatch-app', fastify: '5.x' });
