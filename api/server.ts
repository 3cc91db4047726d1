import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { pipewatchApp, type AppOptions } from './app.js';
import { logRequests, quietRequests } from './request-log.js';

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
  // Union types (`type: ['number', 'string']`) are valid JSON Schema; ajv's strict mode only warns.
  const instance: FastifyInstance = Fastify({
    loggerInstance,
    // Our own one line per request instead; /healthz, /readyz and /metrics only at debug.
    logController: quietRequests(),
    ajv: { customOptions: { allowUnionTypes: true } },
  });
  logRequests(instance);
  await instance.register(pipewatchApp, app);
  const url = await instance.listen({ host: server.host, port: server.port });
  return { instance, url };
}
