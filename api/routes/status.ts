import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ReadingsBoard } from '../../monitor/index.js';
import { statusSummary, type StatusSummary } from '../status/summary.js';

export interface StatusRoutesOptions {
  readonly board: ReadingsBoard;
  /** Clock of the summary's generatedAtMs; default Date.now. */
  readonly nowMs?: () => number;
}

const seconds = (what: string) =>
  z.number().nullable().describe(`${what} (seconds); null when not measured yet`);

const partition = z
  .object({
    topic: z.string(),
    partition: z.string().describe('partition number, as its label'),
    status: z.string().describe('OK, WARN, STALE, PRODUCER_IDLE, REWIND, STALL, STOP, DATA_LOSS'),
    lagMessages: z.number().nullable().describe('offset lag (messages); null when unknown'),
    lagSeconds: seconds('time lag'),
    lagMethod: z
      .string()
      .nullable()
      .describe('how lagSeconds was computed: exact | interpolated | extrapolated'),
  })
  .strict();

const group = z
  .object({
    group: z.string().describe('consumer group'),
    status: z.string().describe('the group status (the worst rule that fired), or UNKNOWN'),
    lagMessages: z.number().nullable().describe('offset lag summed over partitions (messages)'),
    maxLagSeconds: seconds('the largest time lag of any partition'),
    drainSeconds: seconds('time to drain the lag at the current rate'),
    worstPartitions: z.array(partition).describe('partitions not OK first, then by lag; at most 5'),
  })
  .strict();

const pipeline = z
  .object({
    name: z.string().describe('pipeline name'),
    freshnessSeconds: seconds('age of the newest output'),
    groups: z.array(group).describe('worst status first'),
    dlq: z
      .array(
        z
          .object({
            sourceTopic: z.string(),
            window: z.string().describe('the ratio window label (5m, 1h, ...)'),
            ratio: z.number().describe('dead-lettered / consumed records in the window'),
          })
          .strict(),
      )
      .describe('DLQ ratio per source topic and window'),
  })
  .strict();

const statusBody: z.ZodType<StatusSummary> = z
  .object({
    generatedAtMs: z.number().describe('when the summary was built (epoch ms)'),
    pipelines: z.array(pipeline).describe('by name'),
    alertsFiring: z
      .array(
        z
          .object({
            rule: z.string(),
            severity: z.string(),
            count: z.number().describe('firing alerts of the rule (a count)'),
          })
          .strict(),
      )
      .describe('rules with firing alerts'),
    drift: z
      .array(
        z
          .object({
            topic: z.string(),
            feature: z.string(),
            window: z.string().describe('window label (5m, 1h, 24h, ...)'),
            detected: z.boolean().describe('drift for k consecutive windows'),
            psi: z.number().nullable().describe('latest PSI; null before the first evaluation'),
            psiCritical: z.number().nullable().describe('its critical value for these sizes'),
          })
          .strict(),
      )
      .describe('per feature and window; detected first'),
    collectorErrors: z
      .array(
        z
          .object({
            operation: z.string(),
            total: z.number().describe('errors since start (a count)'),
          })
          .strict(),
      )
      .describe('pipewatch_collector_errors_total per operation'),
  })
  .strict()
  .describe('The readings board summarised for the status page');

/** `/` answers HTML: documented as a plain OpenAPI response (no JSON serializer runs). */
const pageResponse = {
  description: 'The status page: one self-contained HTML file that polls /api/v1/status',
  content: { 'text/html': { schema: { type: 'string' } } },
};

/**
 * `/`: the status page (one self-contained HTML file, no external assets, so it works offline
 * and behind any proxy) and `/api/v1/status`, the board summarised for it.
 */
export const statusRoutes: FastifyPluginAsync<StatusRoutesOptions> = async (app, options) => {
  const page = readFileSync(new URL('../status/page.html', import.meta.url), 'utf8');
  const now = options.nowMs ?? Date.now;
  app.get('/', { schema: { response: { 200: pageResponse } } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(page),
  );
  app.get('/api/v1/status', { schema: { response: { 200: statusBody } } }, async () =>
    statusSummary(options.board.readings(), now()),
  );
};
