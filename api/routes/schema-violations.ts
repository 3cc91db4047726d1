import type { FastifyPluginAsync } from 'fastify';
import type { SchemaViolationsView } from '../../collector/index.js';
import { z } from 'zod';
import { topicName } from './names.js';
import { parsePart, queryScalar } from './request.js';

const topicQuery = z.object({ topic: queryScalar(topicName).optional() }).strict();

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
  app.get('/api/v1/schema-violations', async (request) => {
    const { topic } = parsePart(topicQuery, request.query, 'querystring');
    return options.schemaViolations.snapshot(topic === undefined ? {} : { topic });
  });
};
