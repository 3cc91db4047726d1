import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface ApiAuthOptions {
  /** Accepted bearer tokens; empty turns authentication off. */
  readonly tokens: readonly string[];
  /** Reads need a token too (default false: only writes do). */
  readonly readRequiresToken: boolean;
}

/** Error body shape: pipewatch's `{error: {code, message}}` or Confluent's `{error_code, message}`. */
export type AuthErrorStyle = 'pipewatch' | 'confluent';

/** Probes stay open so orchestrators and load balancers need no secret. */
const openPaths = new Set(['/healthz', '/readyz']);
const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The token a request presents: `Authorization: Bearer <token>`, or the password of HTTP basic
 * auth (what Confluent-compatible schema-registry clients send).
 */
function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  // Exactly `<scheme> <credentials>`: anything after the credentials (`Bearer <token> extra`)
  // makes the header malformed, never "the first word wins".
  const match = /^([A-Za-z]+) ([^\s]+)$/.exec(header);
  if (!match) return undefined;
  const [, scheme, value] = match as unknown as [string, string, string];
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

/**
 * An onRequest hook: writes (and reads, when configured) need one of the tokens, compared in
 * constant time over digests so neither the token nor its length leaks through timing.
 */
export function apiAuthHook(options: ApiAuthOptions, style: AuthErrorStyle = 'pipewatch') {
  const accepted = options.tokens.map(digest);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (accepted.length === 0) return;
    const path = request.url.split('?', 1)[0] ?? '';
    if (openPaths.has(path)) return;
    if (readMethods.has(request.method) && !options.readRequiresToken) return;
    const token = presentedToken(request);
    const presented = token === undefined ? undefined : digest(token);
    if (presented && accepted.some((a) => timingSafeEqual(a, presented))) return;
    const message =
      token === undefined
        ? `${request.method} ${path} needs an API token: Authorization: Bearer <token>`
        : `${request.method} ${path}: the API token is not valid`;
    await reply
      .status(401)
      .header('www-authenticate', 'Bearer realm="pipewatch"')
      .send(
        style === 'confluent'
          ? { error_code: 40101, message }
          : { error: { code: 'UNAUTHENTICATED', message } },
      );
  };
}
