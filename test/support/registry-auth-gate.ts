import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server in front of a schema registry that requires basic auth: 401 (Confluent's
 * JSON error shape) unless the Authorization header carries `username:password`, else the
 * request is forwarded to `target` unchanged. Counts what it let through and what it refused.
 */
export interface RegistryAuthGate {
  /** http://127.0.0.1:port, without credentials. */
  readonly url: string;
  /** The same URL with the credentials as user-info. */
  readonly urlWithCredentials: string;
  refused(): number;
  allowed(): number;
  close(): Promise<void>;
}

export async function startRegistryAuthGate(
  target: string,
  credentials: { readonly username: string; readonly password: string },
): Promise<RegistryAuthGate> {
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  let refused = 0;
  let allowed = 0;
  const server: Server = createServer((request, response) => {
    if (request.headers.authorization !== expected) {
      refused += 1;
      response.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': 'Basic realm="registry"',
      });
      response.end(JSON.stringify({ error_code: 401, message: 'Unauthorized' }));
      return;
    }
    allowed += 1;
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(`${target}${request.url ?? '/'}`, {
        method: request.method ?? 'GET',
        headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
        ...(body ? { body } : {}),
      })
        .then(async (answer) => {
          response.writeHead(answer.status, { 'content-type': 'application/json' });
          response.end(await answer.text());
        })
        .catch((error: Error) => {
          response.writeHead(502);
          response.end(error.message);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const user = encodeURIComponent(credentials.username);
  const secret = encodeURIComponent(credentials.password);
  return {
    url: `http://127.0.0.1:${port}`,
    urlWithCredentials: `http://${user}:${secret}@127.0.0.1:${port}`,
    refused: () => refused,
    allowed: () => allowed,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
