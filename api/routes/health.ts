import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
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

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, options) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of Object.entries(options.readinessChecks)) {
      try {
        checks[name] = await check();
      } catch {
        checks[name] = false;
      }
    }
    const ready = Object.values(checks).every(Boolean);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });

  app.get('/metrics', async (_request, reply) => {
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
