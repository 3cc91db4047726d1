import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { isPipewatchError } from '../common/index.js';
import type { FaultKnobs } from './faults.js';
import type { PipelineMetrics } from './metrics.js';

/** Largest accepted request body: the fault knobs are a few hundred bytes. */
export const faultsBodyLimitBytes = 16 * 1024;

/** What GET/PUT /faults read and change: the producer's knobs. */
export interface FaultsControl {
  get(): FaultKnobs;
  /** Merges a partial change and validates it (pipelineFaultsSchema); throws BAD_REQUEST. */
  set(change: unknown): FaultKnobs;
}

export interface PipelineHttpOptions {
  readonly metrics: PipelineMetrics;
  /** Serve GET and PUT (also PATCH) /faults: the producer only. */
  readonly faults?: FaultsControl;
  readonly logger?: Logger;
}

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * The pipeline process's HTTP app: GET /metrics, and on the producer GET/PUT /faults. Every
 * error is JSON `{error: {code, message}}`; bodies are JSON objects of at most
 * `faultsBodyLimitBytes`. Not listening: tests use inject(), `startMetricsServer` listens.
 */
export async function pipelineHttpApp(options: PipelineHttpOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: faultsBodyLimitBytes });
  const send = (status: number, body: ErrorBody) => ({ status, body });
  app.setErrorHandler((error: FastifyError | Error, _request, reply) => {
    const answer = errorAnswer(error, options.logger);
    return reply.status(answer.status).send(answer.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const answer = send(404, {
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` },
    });
    return reply.status(answer.status).send(answer.body);
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(text);
  });
  const faults = options.faults;
  if (faults) {
    app.get('/faults', async () => faults.get());
    const change = async (request: { body: unknown }) => faults.set(request.body);
    app.put('/faults', change);
    app.patch('/faults', change);
  }
  await app.ready();
  return app;
}

function errorAnswer(error: FastifyError | Error, logger: Logger | undefined) {
  if (isPipewatchError(error)) {
    if (error.kind === 'invalid_input') {
      return {
        status: 400,
        body: {
          error: { code: error.code, message: error.message, details: { ...error.details } },
        },
      };
    }
    logger?.error({ err: error }, error.message);
    return { status: 500, body: { error: { code: error.code, message: error.message } } };
  }
  const status = (error as FastifyError).statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own refusals: body too large (413), not JSON (400), wrong media type (415).
    const message =
      status === 413
        ? `request body is larger than ${faultsBodyLimitBytes} bytes`
        : status === 415
          ? `${error.message}; send the knobs as application/json`
          : error.message;
    return { status, body: { error: { code: 'BAD_REQUEST', message } } };
  }
  // Never echo an unexpected error's text to the client; it goes to the log.
  logger?.error({ err: error }, 'pipeline http: unhandled error');
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } };
}
