import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { pipewatchApp, type AppOptions } from './app.js';

export interface HttpServerOptions {
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
    ajv: { customOptions: { allowUnionTypes: true } },
  });
  await instance.register(pipewatchApp, app);
  const url = await instance.listen({ host: server.host, port: server.port });
  return { instance, url };
}
