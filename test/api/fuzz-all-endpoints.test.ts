import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { registryContentType } from '../../api/index.js';
import { errorCatalogue } from '../../common/index.js';
import type { Harness } from '../collector/offsets/harness.js';
import { startFullApp, type CollectedRoute, type FullApp } from '../support/full-app.js';
import { seededRandom } from '../support/random.js';

/**
 * Issue 12, done-when: a seeded fuzz of every endpoint of the app and of the embedded schema
 * registry, assembled as `serve` assembles them (real SQLite file, real lag monitor over the
 * mock cluster, the real alerts runtime, tokens configured). Routes are collected with an
 * onRoute hook, so a new route is fuzzed without editing this file. Every answer must be a 4xx
 * with a catalogue code (Confluent's numeric error_code on the registry), every write without
 * a valid token a 401, and no table may gain or lose a row.
 */
const token = 'fuzz-token-0123456789';
const auth = { tokens: [token], readRequiresToken: false };
const maxBodyBytes = 64 * 1024;
const writeMethods = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

type Route = CollectedRoute;
interface Request {
  readonly server: Route['server'];
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: string | Buffer;
  /** The answer must be exactly this (401 for the token cases). */
  readonly expectStatus?: number;
}

const odd = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\u202e\u200f',
  '😀'.repeat(50),
  'a\r\nb',
  '\r\n\r\n',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '',
];
/** JSON documents that are well-formed but wrong for every body of every route. */
const wrongBodies: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  'string',
  '\ud800',
  [],
  [{}],
  {},
  { __proto__x: 1 },
  { alerts: 'x', schema: 1, matchers: 1, metric: 1, topic: 1, compatibility: 1 },
  { alerts: [{ status: 'firing', labels: { a: 1 } }], schema: [], matchers: ['=='] },
  { alerts: [{ status: 'maybe', labels: {} }], schema: '{', matchers: [''], metric: '' },
  { alerts: [{ labels: [] }], schema: 'NaN', matchers: null, threshold: 'NaN' },
  { compatibility: 'NaN', compatibilityLevel: 'Infinity', values: [NaN], threshold: 1e309 },
  { compatibility: '\u0000', topic: '..', feature: '%00', values: ['\ud800', 1] },
  { compatibility: '\u202eBACKWARD', from: 'Infinity', to: '1e309', topic: 't', feature: 'f' },
];
/** Raw bodies that are not JSON at all, sent as application/json. */
const rawBodies = [
  '{',
  '[',
  '{"a":',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309x',
  '{"values":[NaN]}',
  '{"values":[Infinity]}',
  "{'a':1}",
  '\u0000',
  '{"a":"\\ud800"',
  '\ufeff{',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
];
const wrongContentTypes = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'image/png',
];
/** Path parameter values: tricks, odd bytes, lengths past the router's limit. */
const badParams = [
  '..',
  '%2e%2e',
  '%2E%2E%2F%2E%2E',
  '..%2Fconfig',
  '%00',
  '%0D%0A',
  '%ED%A0%80',
  '%E2%80%AE',
  '%F0%9F%98%80',
  '%ZZ',
  '%',
  'NaN',
  'Infinity',
  '1e309',
  '-1',
  '0',
  'x'.repeat(300),
  'y'.repeat(2000),
  'a%2Fb',
  'a%5Cb',
];
const badAuthHeaders: (string | undefined)[] = [
  undefined,
  '',
  'Bearer',
  'Bearer ',
  'bearer wrong-token',
  `Bearer ${token} extra`,
  `Bearer ${token}x`,
  `Bearer  ${token}`,
  `Token ${token}`,
  'Basic xxx',
  `Basic ${Buffer.from(`user:${token}x`).toString('base64')}`,
  `Basic ${Buffer.from(token).toString('base64')}`,
  `${token}`,
];

/** encodeURIComponent, but a lone surrogate goes out as its (invalid) UTF-8 bytes. */
const encode = (v: string) =>
  v.replace(/[\s\S]/gu, (c) => (/\p{Cs}/u.test(c) ? '%ED%A0%80' : encodeURIComponent(c)));

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

/** The route's URL with every `:param` replaced by `value` (and `*` by a bad asset path). */
function substitute(url: string, value: (name: string) => string): string {
  return url.replace(/:([A-Za-z_]+)/g, (_m, name: string) => value(name)).replace('*', '..%2F..');
}
/** Well-formed values that name nothing in the empty stores, so reads still answer 404. */
const goodParam: Record<string, string> = {
  topic: 't',
  feature: 'f',
  subject: 's-value',
  version: '1',
  id: '1',
  name: 'NoSuchRule',
  group: 'no-such-group',
};

function malformedRequests(routes: readonly Route[], seed: number): Request[] {
  const random = seededRandom(seed);
  const out: Request[] = [];
  for (const route of routes) {
    const write = writeMethods.has(route.method);
    const jsonType =
      route.server === 'registry' ? registryContentType : 'application/json; charset=utf-8';
    const withToken = (headers: Record<string, string> = {}) =>
      write ? { authorization: `Bearer ${token}`, ...headers } : headers;
    const good = substitute(route.url, (n) => goodParam[n] ?? 'x');
    const hasParams = route.url.includes(':') || route.url.includes('*');
    const send = (r: Omit<Request, 'server' | 'method'> & { method?: string }) =>
      out.push({ server: route.server, method: route.method, ...r });

    if (write) {
      // Every write without a valid token is a 401, whatever the body.
      for (const header of badAuthHeaders) {
        send({
          url: good,
          headers: {
            'content-type': jsonType,
            ...(header === undefined ? {} : { authorization: header }),
          },
          payload: route.method === 'DELETE' ? undefined : '{}',
          expectStatus: 401,
        });
      }
    }
    if (hasParams) {
      for (const bad of badParams) {
        const url = substitute(route.url, (n) => (random() < 0.5 ? bad : (goodParam[n] ?? bad)));
        const badUrl = url === good ? substitute(route.url, () => bad) : url;
        // Clients resolve `..` and `%2e%2e` before sending; one that lands on `/` asks for the
        // root (status page, registry root), which is not a malformed request.
        if (new URL(badUrl, 'http://h').pathname === '/') continue;
        send({ url: badUrl, headers: withToken({ 'content-type': jsonType }), payload: '{' });
      }
    }
    // Query strings: repeated keys, odd values and every number word for the keys routes read.
    for (const key of [
      'topic',
      'status',
      'rule',
      'since',
      'limit',
      'offset',
      'version',
      'deleted',
    ]) {
      if (!hasQuery(route, key)) continue;
      for (const value of odd) {
        send({
          url: `${good}?${key}=${encode(value)}&${key}=${encode(pick(random, odd))}`,
          headers: withToken(),
        });
        if (['limit', 'offset', 'since', 'version', 'status'].includes(key)) {
          send({ url: `${good}?${key}=${encode(value)}`, headers: withToken() });
        }
      }
      // Confluent ignores unknown query keys, so the registry does too; pipewatch refuses them.
      if (route.server === 'app') send({ url: `${good}?${key}[]=a`, headers: withToken() });
    }
    if (!write) continue;
    // Bodies, with a valid token so they reach the parser and the handler.
    for (const body of wrongBodies) {
      send({
        url: good,
        headers: withToken({ 'content-type': jsonType }),
        payload: JSON.stringify(body),
      });
    }
    for (const raw of rawBodies) {
      send({ url: good, headers: withToken({ 'content-type': jsonType }), payload: raw });
    }
    for (const type of wrongContentTypes) {
      send({ url: good, headers: withToken({ 'content-type': type }), payload: 'schema=x' });
    }
    // Not UTF-8 at all, then one byte past the route's body limit.
    send({
      url: good,
      headers: withToken({ 'content-type': jsonType }),
      payload: Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0xff, 0x22, 0x7d]),
    });
    send({
      url: good,
      headers: withToken({ 'content-type': jsonType }),
      payload: `{"x":"${'a'.repeat(route.bodyLimit)}"}`,
    });
  }
  // Path tricks against the routers themselves.
  for (const server of ['app', 'registry'] as const) {
    for (const path of [
      '/api/..%2F..%2Fetc/passwd',
      '/%2e%2e/etc/passwd',
      '/%00',
      '/a'.repeat(600),
      '/%ZZ',
      '//',
    ]) {
      out.push({ server, method: pick(random, ['GET', 'POST']), url: path, headers: {} });
    }
  }
  return out;
}

/** Query keys each route reads (from its schema, or known for the zod-parsed ones). */
const queryKeys: Record<string, readonly string[]> = {
  'app GET /api/v1/references': ['topic', 'limit', 'offset'],
  'app GET /api/v1/rules': ['limit', 'offset'],
  'app GET /api/v1/silences': ['limit', 'offset'],
  'app GET /api/v1/groups': ['limit', 'offset'],
  'app GET /api/v1/references/:topic/:feature': ['version'],
  'app DELETE /api/v1/references/:topic/:feature': ['version'],
  'app GET /api/v1/schema-violations': ['topic'],
  'app GET /api/v1/alerts': ['status', 'rule'],
  'app GET /api/v1/alerts/history': ['since', 'rule', 'limit', 'offset'],
  'registry GET /subjects': ['deleted'],
  'registry GET /subjects/:subject/versions': ['deleted'],
  'registry DELETE /subjects/:subject': ['deleted'],
};
function hasQuery(route: Route, key: string): boolean {
  return (queryKeys[`${route.server} ${route.method} ${route.url}`] ?? []).includes(key);
}

function tableCounts(h: Harness): Record<string, number> {
  const tables = h.db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type='table'")
    .all();
  return Object.fromEntries(
    tables.map(({ name }) => [
      name,
      h.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM "${name}"`).get()!.n,
    ]),
  );
}

/** Writes raw bytes to a listening server; resolves with everything it answered. */
function rawRequest(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (answer += d));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** Requests Node's HTTP parser refuses before any route: each must still get the API's shape. */
const rawMalformed: Buffer[] = [
  'GET /api/v1/rules\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n',
  'POST /api/v1/silences HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
  'POST /subjects/s/versions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n',
  'GARBAGE\r\n\r\n',
  `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nX: ${'b'.repeat(20_000)}\r\n\r\n`,
].map((t) => Buffer.from(t, 'latin1'));
rawMalformed.push(
  Buffer.concat([
    Buffer.from('GET /api/v1/references/'),
    Buffer.from([0xed, 0xa0, 0x80, 0x0d]),
    Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
  ]),
);

describe('fuzz: every endpoint of the app and the registry, tokens configured', () => {
  let full: FullApp;
  let h: Harness;
  let app: FastifyInstance;
  let registryApp: FastifyInstance;
  let routes: Route[];
  let captures = 0;

  before(async () => {
    full = await startFullApp({
      auth,
      maxBodyBytes,
      captureReferenceValues: async () => {
        captures++;
        throw new Error('a malformed request reached the topic reader');
      },
    });
    ({ h, app, registryApp, routes } = full);
  });
  after(() => full.stop());

  it('collects every route, writes and reads, of both servers', () => {
    const names = new Set(routes.map((r) => `${r.server} ${r.method} ${r.url}`));
    for (const expected of [
      'app POST /api/v1/references',
      'app POST /api/v1/references/capture',
      'app PUT /api/v1/rules/:name',
      'app POST /api/v1/silences',
      'app DELETE /api/v1/silences/:id',
      'app POST /api/v1/alerts/webhook',
      'app GET /api/v1/groups/:group',
      'registry POST /subjects/:subject/versions',
      'registry PUT /config',
    ]) {
      assert.ok(names.has(expected), `${expected} not among ${[...names].join(', ')}`);
    }
  });

  it('answers at least 1,000 malformed requests with 4xx only, each in the error shape, and writes nothing', async () => {
    const requests = malformedRequests(routes, 12);
    assert.ok(requests.length >= 1000, `only ${requests.length} requests`);
    const before = tableCounts(h);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (const request of requests) {
      const server = request.server === 'app' ? app : registryApp;
      const response = await server.inject({
        method: request.method as 'GET',
        url: request.url,
        headers: request.headers,
        ...(request.payload === undefined ? {} : { payload: request.payload }),
      });
      const status = response.statusCode;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const what = `${request.server} ${request.method} ${request.url.slice(0, 100)} [${JSON.stringify(request.headers).slice(0, 80)}] ${String(request.payload ?? '').slice(0, 60)}`;
      const fail = (why: string) =>
        failures.push(`${why}: ${what} → ${response.body.slice(0, 160)}`);
      if (status < 400 || status >= 500) {
        fail(`status ${status}`);
        continue;
      }
      if (request.expectStatus !== undefined && status !== request.expectStatus) {
        fail(`status ${status}, not ${request.expectStatus}`);
      }
      let body: { error?: { code?: unknown; message?: unknown }; error_code?: unknown };
      try {
        body = response.json();
      } catch {
        fail('not JSON');
        continue;
      }
      if (request.server === 'app') {
        const code = body.error?.code;
        if (typeof code !== 'string' || !(code in errorCatalogue)) fail('no catalogue code');
        else if (typeof body.error?.message !== 'string') fail('no message');
      } else if (typeof body.error_code !== 'number') {
        fail('no numeric error_code');
      }
    }
    const summary = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
    console.log(
      `fuzz: ${requests.length} requests over ${routes.length} routes; by status ${summary.join(' ')}`,
    );
    assert.deepEqual(failures.slice(0, 40), [], `${failures.length} failures`);
    assert.deepEqual(tableCounts(h), before, 'no table gained or lost a row');
    assert.equal(captures, 0, 'no malformed request reached the topic reader');
  });

  it('answers requests the HTTP parser refuses, over a real socket, in each server’s error shape', async () => {
    const before = tableCounts(h);
    for (const [server, instance] of [
      ['app', app],
      ['registry', registryApp],
    ] as const) {
      const port = new URL(await instance.listen({ host: '127.0.0.1', port: 0 })).port;
      for (const bytes of rawMalformed) {
        const answer = await rawRequest(Number(port), bytes);
        const what = `${server} ${bytes.toString('latin1').slice(0, 60)}`;
        assert.match(answer, /^HTTP\/1\.1 4\d\d /, what);
        const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as {
          error?: { code?: string };
          error_code?: unknown;
        };
        if (server === 'app')
          assert.ok((body.error?.code ?? '') in errorCatalogue, `${what}: ${answer}`);
        else assert.equal(typeof body.error_code, 'number', `${what}: ${answer}`);
      }
    }
    assert.deepEqual(tableCounts(h), before);
  });
});
