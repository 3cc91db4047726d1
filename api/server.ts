import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { pipewatchApp, type AppOptions } from './app.js';
import { clientErrorResponder, handleApiError } from './http-errors.js';
import { logRequests, quietRequests } from './request-log.js';

/**
 * Fastify options of the API server (tests build their instances from them too). Path
 * parameters may be as long as the names they carry (topics 249, features 249, URL-encoded up
 * to 3 bytes per character), not fastify's default 100; a URL the router cannot decode or a
 * longer parameter answers in the API's error shape. Bodies: 1 MiB unless a route says more.
 */
export const apiServerOptions = {
  routerOptions: { maxParamLength: 1024 },
  bodyLimit: 1024 * 1024,
  frameworkErrors: handleApiError,
  clientErrorHandler: clientErrorResponder((_status, message) => ({
    error: { code: 'BAD_REQUEST', message, details: { field: 'request' } },
  })),
  // No ajv options: every route schema is zod, parsed by api/route-schema.ts.
} as const;

export interface HttpServerOptions {
  /** Config `http.host` (default 127.0.0.1; 0.0.0.0 to listen on every interface). */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
}

/** Starts the HTTP app on host:port; resolves once listening. */
export async function startHttpServer(
  server: HttpServerOptions,
  app: AppOptions,
): Promise<{ instance: FastifyInstance; url: string }> {
  const loggerInstance: FastifyBaseLogger = server.logger.child({ component: 'http' });
  const instance: FastifyInstance = Fastify({
    ...apiServerOptions,
    loggerInstance,
    // Our own one line per request instead; /healthz, /readyz and /metrics only at debug.
    logController: quietRequests(),
  });
  logRequests(instance);
  await instance.register(pipewatchApp, app);
  const url = await instance.listen({ host: server.host, port: server.port });
  return { instance, url };
}
