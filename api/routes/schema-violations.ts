import type { FastifyPluginAsync } from 'fastify';
import type { SchemaViolationsSnapshot, SchemaViolationsView } from '../../collector/index.js';
import { z } from 'zod';
import type { ZodTypeProvider } from '../route-schema.js';
import { topicName } from './names.js';
import { queryScalar } from './request.js';

const topicQuery = z
  .object({
    topic: queryScalar(topicName).optional().describe('only the violations of this topic'),
  })
  .strict();

const sample = z
  .object({
    topic: z.string(),
    partition: z.number().int(),
    offset: z.string().describe('the record offset (a decimal string: offsets are 64-bit)'),
    kind: z.string(),
    message: z.string().describe('what was wrong (at most 500 characters)'),
    timestampMs: z.number().describe('record timestamp (epoch ms)'),
  })
  .strict();

const violationCount = z
  .object({
    topic: z.string().describe('Kafka topic'),
    kind: z.string().describe('the violation kind, as the `kind` label of the counter'),
    count: z.number().int().describe('records counted since start (a count)'),
    samples: z.array(sample).describe('the first offending records, oldest first'),
  })
  .strict();

const snapshotBody: z.ZodType<SchemaViolationsSnapshot> = z
  .object({
    violations: z
      .array(violationCount)
      .describe('producer violations: pipewatch_schema_violations_total{topic,kind}'),
    lookupFailures: z
      .array(violationCount)
      .describe('records left unchecked while the schema registry was unreachable'),
  })
  .strict()
  .describe('Schema violation counts per (topic, kind) with the first offending records');

export interface SchemaViolationRoutesOptions {
  readonly schemaViolations: SchemaViolationsView;
}

/**
 * GET /api/v1/schema-violations[?topic=T]: violation counts per (topic, kind) with the first
 * offending records, and the records left unchecked while the schema registry was unreachable.
 */
export const schemaViolationRoutes: FastifyPluginAsync<SchemaViolationRoutesOptions> = async (
  plain,
  options,
) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/schema-violations',
    { schema: { querystring: topicQuery, response: { 200: snapshotBody } } },
    async (request) => {
      const { topic } = request.query;
      return options.schemaViolations.snapshot(topic === undefined ? {} : { topic });
    },
  );
};
