// The registry client's bounded retries against a real node:http server in front of the real
// embedded registry: it fails the requests its script says (an HTTP status, or a connection
// reset), then forwards. What the server saw is the truth the tests check: how many requests,
// and whether each carried the credentials.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { startRegistryServer, type RunningRegistryServer } from '../../api/index.js';
import { isPipewatchError } from '../../common/index.js';
import { parseConfig } from '../../config/index.js';
import {
  createRegistryClient,
  engineCompatibilityChecker,
  maxRetryDelayMs,
  retryDelayMs,
} from '../../schemas/index.js';
import { memorySchemaRegistryStore } from '../../store/index.js';

const username = 'retry-key';
const password = 's3cret:retry/pw';
const expectedAuth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const schema = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'long' }] });

/** A failure of one request: an HTTP status to answer, or `reset` (TCP RST, no answer). */
type Fault = number | 'reset' | 'reset-after-forward';

interface FlakyServer {
  readonly url: string;
  readonly urlWithCredentials: string;
  /** The faults of the next requests, in order; after them every request is forwarded. */
  script(faults: readonly Fault[]): void;
  requests(): number;
  /** Requests that carried the expected Authorization header. */
  authorized(): number;
  close(): Promise<void>;
}

async function forward(target: string, request: IncomingMessage): Promise<Response> {
  const chunks: Buffer[] = [];
  for await (const c of request) chunks.push(c as Buffer);
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  return fetch(`${target}${request.url ?? '/'}`, {
    method: request.method ?? 'GET',
    headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
    ...(body ? { body } : {}),
  });
}

async function startFlakyServer(target: string): Promise<FlakyServer> {
  let faults: Fault[] = [];
  let requests = 0;
  let authorized = 0;
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    requests += 1;
    if (request.headers.authorization === expectedAuth) authorized += 1;
    const fault = faults.shift();
    if (fault === 'reset') {
      request.socket.resetAndDestroy();
      return;
    }
    if (typeof fault === 'number') {
      response.writeHead(fault, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error_code: fault, message: `injected ${fault}` }));
      return;
    }
    const answer = await forward(target, request);
    const text = await answer.text();
    // The registry did the work, but its answer is lost on the way back.
    if (fault === 'reset-after-forward') {
      request.socket.resetAndDestroy();
      return;
    }
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(text);
  };
  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => request.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    urlWithCredentials: `http://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    script: (f) => (faults = [...f]),
    requests: () => requests,
    authorized: () => authorized,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every text an error carries, causes included: none may show the password. */
function allText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { message?: unknown; details?: unknown; cause?: unknown } | undefined; e;) {
    parts.push(String(e.message), JSON.stringify(e.details ?? {}));
    e = e.cause as typeof e;
  }
  return parts.join('\n');
}

describe('schema registry client: bounded retries with backoff', () => {
  let registry: RunningRegistryServer;
  let flaky: FlakyServer;
  let schemaId = 0;
  // A small backoff keeps the test short; the delays themselves are checked by retryDelayMs.
  const client = (retries?: number) =>
    createRegistryClient({
      url: flaky.urlWithCredentials,
      retryBackoffMs: 5,
      ...(retries === undefined ? {} : { retries }),
    });

  before(async () => {
    registry = await startRegistryServer({
      store: memorySchemaRegistryStore(),
      checker: engineCompatibilityChecker,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    schemaId = registry.registry.register('r-value', { schema }).id;
    flaky = await startFlakyServer(registry.url);
  });
  beforeEach(() => flaky.script([]));
  after(async () => {
    await flaky.close();
    await registry.close();
  });

  it('2 failures (503, connection reset), then the answer: the call succeeds on the 3rd request', async () => {
    const before = flaky.requests();
    flaky.script([503, 'reset']);
    const answer = await client().schemaById(schemaId);
    assert.equal(answer?.schema, schema);
    assert.equal(flaky.requests() - before, 3);
  });

  it('429 and 502 are retried too; a 404 with a Confluent code is an answer, not a failure', async () => {
    const before = flaky.requests();
    flaky.script([429, 502]);
    assert.deepEqual(await client().subjects(), ['r-value']);
    assert.equal(flaky.requests() - before, 3);
    const once = flaky.requests();
    assert.equal(await client().schemaById(999_999), undefined);
    assert.equal(flaky.requests() - once, 1);
  });

  it('a registration whose answer was lost is repeated and gives the same id, one version', async () => {
    const before = flaky.requests();
    flaky.script(['reset-after-forward']);
    const other = JSON.stringify({ type: 'record', name: 'S', fields: [] });
    const { id } = await client().register('s-value', other);
    assert.equal(flaky.requests() - before, 2, 'the POST was sent twice');
    assert.equal(registry.registry.register('s-value', { schema: other }).id, id);
    assert.deepEqual(await client().versionNumbers('s-value'), [1], 'registered once');
  });

  it('a 4xx is not retried (400, 422, 401)', async () => {
    for (const status of [400, 422, 401]) {
      const before = flaky.requests();
      flaky.script([status]);
      await assert.rejects(client().schemaById(schemaId), (error: unknown) => {
        assert.ok(isPipewatchError(error));
        assert.equal(error.code, 'SCHEMA_REGISTRY_UNAVAILABLE');
        assert.equal(error.details.status, status);
        assert.equal(error.details.attempts, undefined);
        return true;
      });
      assert.equal(flaky.requests() - before, 1, `HTTP ${status}: one request`);
    }
  });

  it('the retries are bounded: 2 by default (3 requests), `retries` sets them, 0 disables', async () => {
    for (const [retries, requests] of [
      [undefined, 3],
      [4, 5],
      [0, 1],
    ] as const) {
      const before = flaky.requests();
      flaky.script(Array<Fault>(10).fill(503));
      await assert.rejects(client(retries).latestVersion('r-value'), (error: unknown) => {
        assert.ok(isPipewatchError(error));
        assert.equal(error.details.status, 503);
        if (requests > 1) {
          assert.equal(error.details.attempts, requests);
          assert.match(error.message, new RegExp(`\\(after ${requests} attempts\\)$`));
        }
        return true;
      });
      assert.equal(flaky.requests() - before, requests, `retries ${String(retries)}`);
    }
  });

  it('every attempt carries the credentials, and no error text ever shows them', async () => {
    const before = flaky.authorized();
    flaky.script(['reset', 'reset', 'reset']);
    await assert.rejects(client().schemaById(schemaId), (error: unknown) => {
      assert.ok(isPipewatchError(error));
      assert.match(
        error.message,
        /unreachable for GET \/schemas\/ids\/\d+: .*\(after 3 attempts\)/,
      );
      const text = allText(error);
      assert.ok(!text.includes(password), 'the password is in no message, detail or cause');
      assert.ok(!text.includes(encodeURIComponent(password)));
      assert.ok(!text.includes(expectedAuth.slice('Basic '.length)));
      return true;
    });
    assert.equal(flaky.authorized() - before, 3);
  });

  it('backoff: doubles from the base, half fixed and half random, capped; Retry-After raises it', () => {
    const low = () => 0;
    const high = () => 0.999_999;
    // Base 100 ms: retry 1 waits in [50, 100], retry 2 in [100, 200], retry 3 in [200, 400].
    assert.equal(retryDelayMs(1, 100, low), 50);
    assert.ok(Math.abs(retryDelayMs(1, 100, high) - 100) < 1e-3);
    assert.equal(retryDelayMs(2, 100, low), 100);
    assert.equal(retryDelayMs(3, 100, low), 200);
    assert.ok(Math.abs(retryDelayMs(3, 100, high) - 400) < 1e-3);
    assert.equal(retryDelayMs(20, 100, high), maxRetryDelayMs * (0.5 + 0.999_999 / 2));
    assert.ok(retryDelayMs(20, 100, high) <= maxRetryDelayMs);
    assert.equal(retryDelayMs(1, 100, low, '2'), 2000);
    assert.equal(retryDelayMs(1, 100, low, '3600'), maxRetryDelayMs);
    assert.equal(retryDelayMs(1, 100, low, 'Wed, 21 Oct 2015 07:28:00 GMT'), 50);
  });

  it('config: registry.requestRetries 2 and retryBackoffMs 100 by default; a bad value names its key', () => {
    const { registry: r } = parseConfig({}, {});
    assert.equal(r.requestRetries, 2);
    assert.equal(r.retryBackoffMs, 100);
    assert.throws(
      () => parseConfig({ registry: { requestRetries: -1 } }, {}),
      (error: unknown) => {
        assert.ok(isPipewatchError(error));
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.equal(error.details.key, 'registry.requestRetries');
        return true;
      },
    );
  });
});
