import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import {
  apiServerOptions,
  createMetricsRegistry,
  defaultReferenceLimits,
  pipewatchApp,
  registryContentType,
  registryServerOptions,
  schemaRegistryApi,
} from '../../api/index.js';
import { SchemaViolationRecorder } from '../../collector/index.js';
import { errorCatalogue } from '../../common/index.js';
import {
  openDatabase,
  sqliteReferenceStore,
  sqliteSchemaRegistryStore,
  type SqliteDatabase,
} from '../../store/index.js';
import { seededRandom } from '../support/random.js';
import { createSchemaRegistry, engineCompatibilityChecker } from '../../schemas/index.js';

/**
 * Issue 9, "bad input": a few hundred malformed requests (wrong types, huge bodies, odd
 * Unicode, NaN and Infinity as strings, path tricks, repeated query keys) against the app as
 * `serve` builds it. Every answer must be a 4xx in the API's error shape naming where the
 * fault is, and nothing may reach the store (a real SQLite file) or the topic reader.
 */
const maxBodyBytes = 64 * 1024;

const badScalars: unknown[] = [
  123,
  -1,
  0.5,
  true,
  false,
  null,
  [],
  {},
  [1],
  ['a'],
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
  '\u0000',
  '\r\n',
  'a/b',
  '.',
  '..',
  '../config',
  '\ud800',
  'a\u200bb',
  '😀'.repeat(130),
  'x'.repeat(250),
];
/** Fine as Kafka topics and as features, so left out of the lists of bad names. */
const numberWords = new Set(['NaN', 'Infinity', '-Infinity', '1e400']);
/** Never a valid topic (1-249 of [a-zA-Z0-9._-], not . or ..). */
const badTopics: unknown[] = [
  ...badScalars.filter((v) => !numberWords.has(v as string)),
  'a b',
  'é',
  'topic!',
  't\u0085',
];
/** Never a valid feature (printable, no / or \, not . or .., 1-249, no outer space). */
const badFeatures: unknown[] = [
  ...badScalars.filter((v) => !numberWords.has(v as string)),
  'a\\b',
  ' f',
  'f\t',
  '\u2028',
];
/** Never valid raw values: empty, not an array, bad element types, overflowing ranges. */
const badValues: unknown[] = [
  [],
  'abc',
  123,
  null,
  {},
  [true, false],
  [{}],
  [[1]],
  [1, 'a'],
  ['a', 2],
  [null],
  [-1e308, 1e308],
  [1, {}],
  Array.from({ length: 10_001 }, (_, i) => `c${i}`), // past maxCategories
];
const badHistograms: unknown[] = [
  { edges: [0, 1, 2], counts: [1e308, 1e308] },
  { edges: [2, 1], counts: [1] },
  { edges: [0, 1], counts: [1, 2] },
  { edges: [0, 1], counts: ['3'] },
  { edges: [0, 1], counts: [-1] },
  { edges: [0, 1], counts: [0] },
  { edges: [0, 'NaN'], counts: [1] },
  { edges: [-1e308, 1e308], counts: [1] },
  { counts: [1] },
  { edges: [0, 1] },
  { edges: [0, 1], counts: [1], extra: true },
  { categories: ['a', 'a'], counts: [1, 1] },
  { categories: ['a'], counts: [1, 2] },
  { categories: [1], counts: [1] },
  { categories: ['a'], edges: [0, 1], counts: [1] },
  { categories: ['a', 'b'], counts: [1e308, 1e308] },
  'histogram',
  [],
];
const badQuantiles: unknown[] = [
  { probabilities: [0, 1], values: [-1e308, 1e308], n: 10 },
  { probabilities: [0.5, 1], values: [0, 1], n: 2 },
  { probabilities: [0, 1], values: [1, 0], n: 2 },
  { probabilities: [0, 1], values: [0, 1], n: 0 },
  { probabilities: [0, 1], values: [0, 1], n: '2' },
  { probabilities: [0, 1], values: [0, 1] },
  { probabilities: [0, 1], values: [0], n: 2 },
  { probabilities: [0, 1], values: [0, 'Infinity'], n: 2 },
  { probabilities: [0, 1], values: [0, 1], n: 2, extra: 1 },
];
const badTimes: unknown[] = [
  9e15,
  -1e17,
  -1,
  1.5,
  [0],
  'NaN',
  'Infinity',
  '',
  'yesterday',
  '2026-13-45',
  '+275761-01-01T00:00:00Z',
  null,
  true,
  {},
];
const badVersions = ['0', '-1', 'abc', '1.5', '01', '1e3', '99999999999', ' 1', '0x10', ''];
/** Bad as topics; the first two are fine features (a space inside, an emoji). */
const pathSegments = ['a%20b', '%F0%9F%98%80', '%00', 'a%2Fb', '%0D%0A', 'x'.repeat(250), '..%2Fx'];
const badFeatureSegments = new Set(['%00', 'a%2Fb', '%0D%0A']);

/** What the tests send: always a string URL and, when there is a body, a string payload. */
interface InjectOptions {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  payload?: string;
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

function json(url: string, payload: unknown, method: 'POST' = 'POST'): InjectOptions {
  return {
    method,
    url,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  };
}

/** Malformed requests, deterministic for a seed; each is wrong in at least one place. */
function malformedRequests(seed: number): InjectOptions[] {
  const random = seededRandom(seed);
  const good = { topic: 't', feature: 'f', values: [1, 2, 3] };
  const requests: InjectOptions[] = [];
  const register = (body: unknown) => requests.push(json('/api/v1/references', body));
  const capture = (body: unknown) => requests.push(json('/api/v1/references/capture', body));

  for (const topic of badTopics) register({ ...good, topic });
  for (const feature of badFeatures) register({ ...good, feature });
  for (const values of badValues) register({ ...good, values });
  for (const histogram of badHistograms) register({ topic: 't', feature: 'f', histogram });
  for (const quantiles of badQuantiles) register({ topic: 't', feature: 'f', quantiles });
  for (let i = 0; i < 80; i++) {
    // One field of the right name with a wrong value, or one unknown field.
    const field = pick(random, ['kind', 'bins', 'fineBins', 'nullCount', 'unknown', '__x']);
    // 123 is a fine bin count or null count: only values wrong for every field are picked.
    const value = pick(
      random,
      badScalars.filter((v) => !(typeof v === 'number' && Number.isInteger(v) && v >= 0)),
    );
    if (field === 'nullCount')
      register({
        ...good,
        histogram: { edges: [0, 1], counts: [1], nullCount: value },
        values: undefined,
      });
    else register({ ...good, [field]: value });
  }
  register({ ...good, values: undefined });
  register({ ...good, quantiles: badQuantiles[0] });
  register({ topic: 't', feature: 'f', kind: 'categorical', values: [1, 2] });
  register({ topic: 't', feature: 'f', values: ['a'], bins: 4 });
  register([good]);
  register(null);
  register('just a string');
  register(42);

  const goodCapture = { topic: 't', feature: 'f', from: 0, to: 1000 };
  for (const from of badTimes) capture({ ...goodCapture, from });
  for (const to of badTimes) capture({ ...goodCapture, to });
  for (const topic of badTopics) capture({ ...goodCapture, topic });
  for (const feature of badFeatures.slice(0, 12)) capture({ ...goodCapture, feature });
  capture({ ...goodCapture, from: 1000, to: 1000 });
  capture({ ...goodCapture, from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' });
  capture({ ...goodCapture, extra: 1 });
  capture({ ...goodCapture, bins: 1 });
  capture({ ...goodCapture, kind: 'ordinal' });

  // Raw bodies: not JSON, the wrong media type, prototype poisoning, too large.
  for (const payload of [
    '',
    '{',
    '[',
    '{"topic":"t",',
    'NaN',
    '{"values":[NaN]}',
    '\u0000',
    '{"__proto__":{"x":1},"topic":"t","feature":"f","values":[1]}',
    '{"constructor":{"prototype":{"x":1}},"topic":"t","feature":"f","values":[1]}',
  ]) {
    for (const url of ['/api/v1/references', '/api/v1/references/capture']) {
      requests.push({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        payload,
      });
    }
  }
  requests.push({
    method: 'POST',
    url: '/api/v1/references',
    headers: { 'content-type': 'text/plain' },
    payload: 'values=1',
  });
  requests.push({
    method: 'POST',
    url: '/api/v1/references',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'topic=t',
  });
  requests.push(json('/api/v1/references', { ...good, values: Array(maxBodyBytes).fill(1) }));
  requests.push(
    json('/api/v1/references/capture', { ...goodCapture, feature: 'f'.repeat(20_000) }),
  );

  // Queries and paths.
  for (const query of [
    'topic[]=a',
    'topic=a&topic=b',
    'topic=..',
    'topic=%00',
    'topic=',
    'extra=1',
    'topic=a%20b',
  ]) {
    requests.push({ method: 'GET', url: `/api/v1/references?${query}` });
    requests.push({ method: 'GET', url: `/api/v1/schema-violations?${query}` });
  }
  for (const version of badVersions) {
    for (const method of ['GET', 'DELETE'] as const) {
      requests.push({ method, url: `/api/v1/references/t/f?version=${version}` });
    }
  }
  requests.push({ method: 'GET', url: '/api/v1/references/t/f?version=1&version=2' });
  requests.push({ method: 'GET', url: '/api/v1/references/t/f?other=1' });
  for (const segment of pathSegments) {
    for (const method of ['GET', 'DELETE'] as const) {
      requests.push({ method, url: `/api/v1/references/${segment}/f` });
      if (badFeatureSegments.has(segment)) {
        requests.push({ method, url: `/api/v1/references/t/${segment}` });
      }
    }
    requests.push({ method: 'GET', url: `/api/v1/drift/${segment}/f` });
  }
  requests.push({ method: 'GET', url: '/api/v1/references/%ZZ/f' });
  requests.push({ method: 'GET', url: `/api/v1/references/${'y'.repeat(2000)}/f` });
  return requests;
}

describe('malformed requests: only 4xx, each naming the field, nothing stored', () => {
  let dir: string;
  let db: SqliteDatabase;
  let app: FastifyInstance;
  let reads = 0;
  const requests = malformedRequests(9);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-malformed-'));
    db = openDatabase(join(dir, 'pipewatch.sqlite'));
    app = Fastify(apiServerOptions);
    await app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      referenceStore: sqliteReferenceStore(db),
      captureReferenceValues: async () => {
        reads++;
        return {
          values: [1, 2, 3],
          method: 'offsets-by-timestamp',
          recordsRead: 3,
          recordsInRange: 3,
          undecodable: 0,
          invalid: 0,
        };
      },
      schemaViolations: new SchemaViolationRecorder({
        metricsRegistry: new Registry(),
        samplesPerKind: 1,
      }),
      drift: { features: () => [], feature: () => undefined },
      referenceLimits: { ...defaultReferenceLimits, maxBodyBytes },
    });
  });
  after(async () => {
    await app.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`sends ${requests.length} requests (at least 300)`, () => {
    assert.ok(requests.length >= 300, `${requests.length}`);
  });

  it('answers each with a 4xx {error: {code, message}} that says where the fault is', async () => {
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const request of requests) {
      const response = await app.inject(request);
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      const what = `${request.method} ${request.url.slice(0, 80)} ${(request.payload ?? '').slice(0, 80)}`;
      if (response.statusCode < 400 || response.statusCode >= 500) {
        failures.push(`${response.statusCode} for ${what}: ${response.body.slice(0, 200)}`);
        continue;
      }
      let error: { code?: unknown; message?: unknown } | undefined;
      try {
        error = response.json<{ error?: { code?: unknown; message?: unknown } }>().error;
      } catch {
        failures.push(`not JSON for ${what}: ${response.body.slice(0, 200)}`);
        continue;
      }
      if (typeof error?.code !== 'string' || !(error.code in errorCatalogue)) {
        failures.push(`no catalogue code for ${what}: ${response.body.slice(0, 200)}`);
      } else if (
        typeof error.message !== 'string' ||
        !/^(body|querystring|params|request)\b/.test(error.message)
      ) {
        failures.push(`message names no field for ${what}: ${response.body.slice(0, 200)}`);
      }
    }
    assert.deepEqual(failures, [], `statuses ${JSON.stringify([...statuses])}`);
  });

  it('wrote nothing and read no topic', () => {
    const rows = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM drift_references').get()!;
    assert.equal(rows.n, 0);
    const versions = db
      .prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM drift_reference_versions')
      .get()!;
    assert.equal(versions.n, 0, 'no version number was taken either');
    assert.equal(reads, 0);
  });
});

describe('malformed registry requests: only 4xx in Confluent shape, nothing stored', () => {
  let dir: string;
  let db: SqliteDatabase;
  let app: FastifyInstance;
  const subjects = [
    '\u0000',
    '\r\n',
    '\t',
    'a\u0085',
    '\u007f',
    '../config',
    'a/b',
    'a\\b',
    '..',
    '.',
    's'.repeat(256),
  ];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-malformed-registry-'));
    db = openDatabase(join(dir, 'registry.sqlite'));
    const registry = createSchemaRegistry({
      store: sqliteSchemaRegistryStore(db),
      checker: engineCompatibilityChecker,
    });
    app = Fastify(registryServerOptions);
    await app.register(schemaRegistryApi, { registry });
  });
  after(async () => {
    await app.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every bad subject on every subject route with a 4xx error_code', async () => {
    const failures: string[] = [];
    let sent = 0;
    const segments = [
      // '.' and '..' are path segments: URL normalisation removes them before any route.
      ...subjects.map((s) => (s === '.' || s === '..' ? s : encodeURIComponent(s))),
      '%ED%A0%80', // a lone surrogate as UTF-8 bytes (not valid UTF-8)
      '%ZZ', // not percent-encoding at all
    ];
    for (const encoded of segments) {
      for (const [method, path, payload] of [
        ['POST', `/subjects/${encoded}/versions`, { schema: '"string"' }],
        ['POST', `/subjects/${encoded}`, { schema: '"string"' }],
        ['GET', `/subjects/${encoded}/versions`, undefined],
        ['GET', `/subjects/${encoded}/versions/latest`, undefined],
        ['DELETE', `/subjects/${encoded}`, undefined],
        ['PUT', `/config/${encoded}`, { compatibility: 'NONE' }],
        ['POST', `/compatibility/subjects/${encoded}/versions/latest`, { schema: '"string"' }],
      ] as const) {
        sent++;
        const response = await app.inject({
          method,
          url: path,
          ...(payload === undefined
            ? {}
            : {
                headers: { 'content-type': registryContentType },
                payload: JSON.stringify(payload),
              }),
        });
        const body = response.json<{ error_code?: unknown }>();
        if (response.statusCode < 400 || response.statusCode >= 500) {
          failures.push(`${response.statusCode} ${method} ${path}: ${response.body}`);
        } else if (typeof body.error_code !== 'number') {
          failures.push(`no error_code ${method} ${path}: ${response.body}`);
        }
      }
    }
    assert.ok(sent >= 80);
    assert.deepEqual(failures, []);
    const stored = db
      .prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM registry_subject_version')
      .get()!;
    assert.equal(stored.n, 0);
  });
});
