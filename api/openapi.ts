import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { openApiFromZod } from './route-schema.js';

/**
 * The OpenAPI 3 document (`/docs/json`, `/docs/yaml`) generated from the routes' zod schemas, and
 * Swagger UI at `/docs` (assets from the package: no CDN). Registered before the routes so
 * every route is collected.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'pipewatch API',
        description:
          'Data-quality and pipeline observability for Kafka feature pipelines. Errors are `{error: {code, message, details}}` with the stable codes of the error catalogue. With `http.auth.tokens` set, every write needs `Authorization: Bearer <token>`. Lists (references, alerts/history, silences, rules, groups) page with `?limit=N` (1-1000, default 100) and `?offset=N` (default 0); each answer carries `nextOffset`, the offset of the next page or null on the last one.',
        version,
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
    transform: openApiFromZod,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });
}
