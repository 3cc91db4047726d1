import type { Socket } from 'node:net';
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
  too_large: 413,
  busy: 429,
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
    const retryAfterSeconds = error.details.retryAfterSeconds;
    if (typeof retryAfterSeconds === 'number') reply.header('retry-after', retryAfterSeconds);
    return reply.status(status).send({
      error: { code: error.code, message: error.message, details: { ...error.details } },
    } satisfies ApiErrorBody);
  }
  const fastifyError = error as FastifyError;
  const status = fastifyError.statusCode ?? 500;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limitBytes = request.routeOptions.bodyLimit;
    return reply.status(413).send({
      error: {
        code: 'BODY_TOO_LARGE',
        message: `body is larger than the ${limitBytes} bytes ${request.method} ${request.routeOptions.url ?? request.url} accepts`,
        details: { field: 'body', limitBytes },
      },
    } satisfies ApiErrorBody);
  }
  if (status >= 400 && status < 500) {
    // Fastify's own 4xx: content-type parser errors (bad JSON, media type) are the body's.
    const where = fastifyError.code?.startsWith('FST_ERR_CTP') ? 'body' : 'request';
    return reply.status(status).send({
      error: {
        code: 'BAD_REQUEST',
        message: `${where}: ${fastifyError.message}`,
        details: { field: where },
      },
    } satisfies ApiErrorBody);
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply
    .status(500)
    .send({ error: { code: 'INTERNAL', message: 'internal error' } } satisfies ApiErrorBody);
}

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refuses (NUL or a space in the
 * path, a bad header line, a bad Content-Length) never reaches a route, so without this it
 * would answer fastify's own `{error, message, statusCode}` instead of the API's error shape.
 */
export function clientErrorResponder(
  bodyOf: (status: number, message: string) => unknown,
): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason, message] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request: not received in time']
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'request: the headers are too large']
          : [400, 'Bad Request', 'request: not a valid HTTP request (request line or headers)'];
    const body = JSON.stringify(bodyOf(status, message));
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };
}
