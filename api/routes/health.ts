import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { ZodTypeProvider } from '../route-schema.js';
import { renderBoard, type ReadingsBoard } from '../../monitor/index.js';

/** A named readiness check; false or a throw means not ready. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface HealthRoutesOptions {
  readonly metricsRegistry: Registry;
  /** Registries of in-process components (the embedded pipeline) served on the same /metrics. */
  readonly extraMetricsRegistries?: readonly Registry[];
  readonly readinessChecks: Readonly<Record<string, ReadinessCheck>>;
  /** The readings board, rendered after the registries' text. */
  readonly board?: ReadingsBoard;
}

const healthAnswer = z
  .object({ status: z.literal('ok') })
  .strict()
  .describe('The process is up (liveness)');

const checks = z
  .record(z.boolean())
  .describe('every readiness check by name (sqlite, kafka, ...): true when it passed');
const readyAnswer = z
  .object({ status: z.literal('ready'), checks })
  .strict()
  .describe('Every readiness check passed');
const notReadyAnswer = z
  .object({ status: z.literal('not_ready'), checks })
  .strict()
  .describe('At least one readiness check failed or threw; `checks` says which');

/**
 * Prometheus' text exposition is not JSON: documented as a plain OpenAPI response (the
 * serializer never runs for a string sent as text/plain).
 */
const metricsAnswer = {
  description:
    'Prometheus text exposition format 0.0.4: the process and API metrics, then every reading of the board',
  content: { 'text/plain': { schema: { type: 'string' } } },
};

/**
 * /healthz, /readyz and /metrics take no query schema on purpose: probes and scrapers may add
 * parameters (cache busters, Prometheus `params`), and refusing them would fail the probe.
 */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.get('/healthz', { schema: { response: { 200: healthAnswer } } }, async () => ({
    status: 'ok' as const,
  }));

  app.get(
    '/readyz',
    { schema: { response: { 200: readyAnswer, 503: notReadyAnswer } } },
    async (_request, reply) => {
      const results: Record<string, boolean> = {};
      for (const [name, check] of Object.entries(options.readinessChecks)) {
        try {
          results[name] = (await check()) === true;
        } catch {
          results[name] = false;
        }
      }
      if (Object.values(results).every(Boolean)) {
        return reply.status(200).send({ status: 'ready', checks: results });
      }
      return reply.status(503).send({ status: 'not_ready', checks: results });
    },
  );

  app.get('/metrics', { schema: { response: { 200: metricsAnswer } } }, async (_request, reply) => {
    const texts = await Promise.all(
      [options.metricsRegistry, ...(options.extraMetricsRegistries ?? [])].map((r) => r.metrics()),
    );
    if (options.board) texts.push(renderBoard(options.board));
    const body = texts
      .filter((t) => t.length > 0)
      .map((t) => (t.endsWith('\n') ? t : `${t}\n`))
      .join('');
    return reply.type(options.metricsRegistry.contentType).send(body);
  });
};
