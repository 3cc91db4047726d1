import { LogController, type FastifyInstance } from 'fastify';

/** Paths polled by probes and scrapers: logged at debug, so they never bury the service's own lines. */
const probePaths: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * One line per request (fastify's own logging, two lines per request, is turned off with
 * `disableRequestLogging`): probes at debug, other requests at `level` (default info), 5xx at
 * error whatever the path.
 */
export function logRequests(
  instance: FastifyInstance,
  options: { level?: 'info' | 'debug' } = {},
): void {
  const level = options.level ?? 'info';
  instance.addHook('onResponse', async (request, reply) => {
    const path = pathOf(request.url);
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (reply.statusCode >= 500) request.log.error(line, 'request failed');
    else if (probePaths.has(path)) request.log.debug(line, 'probe');
    else request.log[level](line, 'request');
  });
}

/** Turns fastify's own request logging off (`logRequests` writes one line instead). */
export function quietRequests(): LogController {
  return new LogController({ disableRequestLogging: true });
}
