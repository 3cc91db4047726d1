import type { FastifyPluginAsync } from 'fastify';
import type { SchemaViolationsView } from '../../collector/index.js';
import { PipewatchError } from '../../common/index.js';

export interface SchemaViolationRoutesOptions {
  readonly schemaViolations: SchemaViolationsView;
}

/**
 * GET /api/v1/schema-violations[?topic=T]: violation counts per (topic, kind) with the first
 * offending records, and the records left unchecked while the schema registry was unreachable.
 */
export const schemaViolationRoutes: FastifyPluginAsync<SchemaViolationRoutesOptions> = async (
  app,
  options,
) => {
  app.get<{ Querystring: Record<string, unknown> }>(
    '/api/v1/schema-violations',
    async (request) => {
      const topic = request.query.topic;
      if (topic !== undefined && (typeof topic !== 'string' || topic === '')) {
        throw new PipewatchError('BAD_REQUEST', 'query parameter "topic" must be one topic name', {
          parameter: 'topic',
        });
      }
      return options.schemaViolations.snapshot(topic === undefined ? {} : { topic });
    },
  );
};
