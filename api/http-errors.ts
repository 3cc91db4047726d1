import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPipewatchError, type ErrorKind } from '../common/index.js';

/** The only place error kinds become HTTP statuses. */
const statusByKind: Record<ErrorKind, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  unsupported: 501,
  internal: 500,
};

export function httpStatusFor(kind: ErrorKind): number {
  return statusByKind[kind];
}

/** Body of every pipewatch API error. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function handleApiError(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (isPipewatchError(error)) {
    const status = httpStatusFor(error.kind);
    if (status >= 500) request.log.error({ err: error }, error.message);
    return reply.status(status).send({
      error: { code: error.code, message: error.message, details: { ...error.details } },
    } satisfies ApiErrorBody);
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const where = fastifyError.validationContext ?? 'request';
    return reply.status(400).send({
      error: {
        code: 'BAD_REQUEST',
        message: `${where}${fastifyError.message.startsWith(where) ? fastifyError.message.slice(where.length) : `: ${fastifyError.message}`}`,
        details: { where, issues: fastifyError.validation },
      },
    } satisfies ApiErrorBody);
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return reply.status(status).send({
      error: { code: 'BAD_REQUEST', message: fastifyError.message },
    } satisfies ApiErrorBody);
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply
    .status(500)
    .send({ error: { code: 'INTERNAL', message: 'internal error' } } satisfies ApiErrorBody);
}
