import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createMetricsRegistry, defaultReferenceLimits, pipewatchApp } from '../../api/index.js';
import { parseConfig } from '../../config/index.js';
import { openDatabase, sqliteReferenceStore, type SqliteDatabase } from '../../store/index.js';

interface ErrorJson {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * Issue 9, items 7, 9, 10 and 11: what the references API refuses, with which code and which
 * field named, and that nothing refused reaches the store (a real SQLite file).
 */
describe('/api/v1/references: bad input is refused and never stored', () => {
  let dir: string;
  let db: SqliteDatabase;
  let app: FastifyInstance;
  const storedRows = () =>
    db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM drift_references').get()!.n;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-api-input-'));
    db = openDatabase(join(dir, 'pipewatch.sqlite'));
    app = Fastify();
    await app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      referenceStore: sqliteReferenceStore(db, { onInvalid: () => {} }),
      // Small caps so the tests stay small; the config defaults are checked separately.
      referenceLimits: { ...defaultReferenceLimits, maxCategories: 50, maxValues: 1000 },
    });
  });
  after(async () => {
    await app.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (payload: unknown, url = '/api/v1/references') =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
  async function refused(
    payload: unknown,
    status: number,
    code: string,
    message: RegExp,
  ): Promise<void> {
    const before = storedRows();
    const response = await post(payload);
    assert.equal(response.statusCode, status, response.body);
    const { error } = response.json<ErrorJson>();
    assert.equal(error.code, code, response.body);
    assert.match(error.message, message);
    assert.equal(storedRows(), before, 'nothing stored');
  }

  describe('item 7: a reference whose numbers overflow is refused, naming the field', () => {
    for (const [name, payload, message] of [
      [
        'raw values spanning the whole double range',
        { topic: 't', feature: 'p', values: [-1e308, 1e308] },
        /^body\/values span \[-1e\+308, 1e\+308\].*max - min must be finite/,
      ],
      [
        'histogram counts whose sum overflows',
        { topic: 't', feature: 'p', histogram: { edges: [0, 1, 2], counts: [1e308, 1e308] } },
        /^body\/histogram\/counts must have a finite sum/,
      ],
      [
        'quantiles spanning the whole double range',
        {
          topic: 't',
          feature: 'p',
          quantiles: { probabilities: [0, 1], values: [-1e308, 1e308], n: 10 },
        },
        /^body\/quantiles\/values span/,
      ],
      [
        'categorical counts whose sum overflows',
        {
          topic: 't',
          feature: 'p',
          histogram: { categories: ['a', 'b'], counts: [1e308, 1e308] },
        },
        /^body\/histogram\/counts must have a finite sum/,
      ],
    ] as const) {
      it(`answers 400 REFERENCE_INVALID for ${name}`, () =>
        refused(payload, 400, 'REFERENCE_INVALID', message));
    }
    it('answers 400 for a number JSON reads as Infinity (1e400)', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/references',
        headers: { 'content-type': 'application/json' },
        payload: '{"topic":"t","feature":"p","values":[1,1e400]}',
      });
      assert.equal(response.statusCode, 400);
      assert.match(response.json<ErrorJson>().error.message, /^body\/values\/1 must be a finite/);
    });
  });

  describe('item 9: caps on categories, values and body size', () => {
    it('refuses more distinct categories than references.maxCategories, naming the cap', () =>
      refused(
        { topic: 't', feature: 'c', values: Array.from({ length: 51 }, (_, i) => `c${i}`) },
        400,
        'REFERENCE_INVALID',
        /^body\/values hold more than 50 distinct categories \(the cap, references\.maxCategories\)/,
      ));
    it('accepts exactly the cap', async () => {
      const response = await post({
        topic: 't',
        feature: 'c',
        values: Array.from({ length: 50 }, (_, i) => `c${i}`),
      });
      assert.equal(response.statusCode, 201, response.body);
    });
    it('refuses a categorical histogram past the cap', () =>
      refused(
        {
          topic: 't',
          feature: 'c',
          histogram: {
            categories: Array.from({ length: 51 }, (_, i) => `c${i}`),
            counts: Array.from({ length: 51 }, () => 1),
          },
        },
        400,
        'BAD_REQUEST',
        /^body\/histogram\/categories must hold at most 50 .*references\.maxCategories/,
      ));
    it('refuses more raw values than references.maxValues', () =>
      refused(
        { topic: 't', feature: 'v', values: Array.from({ length: 1001 }, (_, i) => i) },
        400,
        'BAD_REQUEST',
        /^body\/values must hold at most 1000 values \(the cap, references\.maxValues\)/,
      ));
    it('refuses more histogram edges than 5001', () =>
      refused(
        {
          topic: 't',
          feature: 'v',
          histogram: {
            edges: Array.from({ length: 5002 }, (_, i) => i),
            counts: Array.from({ length: 5001 }, () => 1),
          },
        },
        400,
        'BAD_REQUEST',
        /^body\/histogram\/edges.*at most 5001/,
      ));
    it('answers 413 BODY_TOO_LARGE past references.maxBodyBytes, naming the limit', async () => {
      const small = Fastify();
      await small.register(pipewatchApp, {
        metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
        referenceStore: sqliteReferenceStore(db),
        referenceLimits: { ...defaultReferenceLimits, maxBodyBytes: 2048 },
      });
      const response = await small.inject({
        method: 'POST',
        url: '/api/v1/references',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ topic: 't', feature: 'big', values: Array(1000).fill(1234) }),
      });
      await small.close();
      assert.equal(response.statusCode, 413, response.body);
      const { error } = response.json<ErrorJson>();
      assert.equal(error.code, 'BODY_TOO_LARGE');
      assert.match(error.message, /^body is larger than the 2048 bytes POST \/api\/v1\/references/);
    });
    it('has the documented defaults, the same as the config section references', () => {
      assert.deepEqual(parseConfig({}, {}).references, defaultReferenceLimits);
      assert.deepEqual(defaultReferenceLimits, {
        maxCategories: 10_000,
        maxValues: 1_000_000,
        maxBodyBytes: 33_554_432,
        maxConcurrentCaptures: 1,
      });
    });
  });

  describe('item 10: wrong types are refused, never coerced', () => {
    for (const [name, payload, message] of [
      [
        'a numeric topic',
        { topic: 123, feature: 'f', values: [1] },
        /^body\/topic: expected string/,
      ],
      [
        'a numeric feature',
        { topic: 't', feature: 7, values: [1] },
        /^body\/feature: expected string/,
      ],
      [
        'values as a string',
        { topic: 't', feature: 'f', values: 'abc' },
        /^body\/values: expected array/,
      ],
      [
        'booleans among values',
        { topic: 't', feature: 'f', values: [true, false] },
        /^body\/values\/0 must be a finite number, a string or null, got boolean/,
      ],
      [
        'counts as strings',
        { topic: 't', feature: 'f', histogram: { edges: [0, 1], counts: ['3'] } },
        /^body\/histogram\/counts\/0 must be a number/,
      ],
      [
        'bins as a string',
        { topic: 't', feature: 'f', values: [1, 2], bins: '4' },
        /^body\/bins: expected number/,
      ],
      [
        'n as a string',
        { topic: 't', feature: 'f', quantiles: { probabilities: [0, 1], values: [0, 1], n: '2' } },
        /^body\/quantiles\/n must be a number/,
      ],
      [
        'NaN as a string',
        {
          topic: 't',
          feature: 'f',
          quantiles: { probabilities: [0, 1], values: [0, 'NaN'], n: 2 },
        },
        /^body\/quantiles\/values\/1 must be a number/,
      ],
      [
        'a body that is an array',
        [{ topic: 't', feature: 'f', values: [1] }],
        /^body: expected object, received array/,
      ],
      [
        'an unknown nested field',
        { topic: 't', feature: 'f', histogram: { edges: [0, 1], counts: [1], extra: 1 } },
        /^body\/histogram\/extra is not a known field/,
      ],
    ] as const) {
      it(`answers 400 BAD_REQUEST for ${name}`, () =>
        refused(payload, 400, 'BAD_REQUEST', message));
    }
  });

  describe('item 11: names Kafka and Prometheus forbid', () => {
    for (const [name, topic, feature, field] of [
      ['topic .', '.', 'f', 'topic'],
      ['topic ..', '..', 'f', 'topic'],
      ['a topic of 250 characters', 'a'.repeat(250), 'f', 'topic'],
      ['a topic with a space', 'a b', 'f', 'topic'],
      ['a feature with NUL', 't', 'a\u0000b', 'feature'],
      ['a feature with CR LF', 't', 'a\r\nb', 'feature'],
      ['a feature with /', 't', 'a/b', 'feature'],
      ['a feature ..', 't', '..', 'feature'],
      ['a feature with a zero-width space', 't', 'a\u200bb', 'feature'],
      ['a feature with a lone surrogate', 't', 'a\ud800', 'feature'],
      ['an empty feature', 't', '', 'feature'],
      ['a feature of 250 characters', 't', 'f'.repeat(250), 'feature'],
      ['a feature with a trailing space', 't', 'f ', 'feature'],
    ] as const) {
      it(`refuses ${name}`, () =>
        refused({ topic, feature, values: [1] }, 400, 'BAD_REQUEST', new RegExp(`^body/${field}`)));
    }
    it('accepts a dotted feature path and non-ASCII letters', async () => {
      const response = await post({ topic: 't', feature: 'payload.montant_€', values: [1, 2] });
      assert.equal(response.statusCode, 201, response.body);
    });
    for (const [url, field] of [
      ['/api/v1/references?topic[]=a', /^querystring\/topic\[\] is not a known field/],
      ['/api/v1/references?topic=a&topic=b', /^querystring\/topic must be given once/],
      ['/api/v1/references?topic=..', /^querystring\/topic/],
      ['/api/v1/references/t/p?version=1&version=2', /^querystring\/version must be given once/],
      ['/api/v1/references/t/p?version=01', /^querystring\/version must be a positive integer/],
      ['/api/v1/references/t/p?version=1e3', /^querystring\/version must be a positive integer/],
      ['/api/v1/references/t/a%2Fb', /^params\/feature/],
      ['/api/v1/references/t/a%00b', /^params\/feature/],
      ['/api/v1/references/..%2Fconfig/p', /^params\/topic/],
    ] as const) {
      it(`answers 400 naming the field for GET ${url}`, async () => {
        const response = await app.inject({ method: 'GET', url });
        assert.equal(response.statusCode, 400, response.body);
        const { error } = response.json<ErrorJson>();
        assert.equal(error.code, 'BAD_REQUEST');
        assert.match(error.message, field);
      });
    }
  });

  describe('item 7: a stored row that no longer validates', () => {
    it('is listed apart under `invalid` and answers 409 REFERENCE_UNREADABLE', async () => {
      const good = await post({ topic: 'x', feature: 'ok', values: [1, 2, 3] });
      assert.equal(good.statusCode, 201);
      db.prepare(
        `INSERT INTO drift_references (topic, feature, version, kind, source, created_at_ms, n,
           null_count, bins, reference_json, details_json)
         VALUES ('x', 'bad', 1, 'numeric', 'values', 1, 2, 0, 2,
           '{"kind":"numeric","edges":[null],"counts":[1,1],"fineEdges":[-1e308,null,1e308],"fineCounts":[0,1,0,1],"min":-1e308,"max":1e308,"n":2,"nullCount":0}',
           '{}')`,
      ).run();
      const list = await app.inject('/api/v1/references?topic=x');
      assert.equal(list.statusCode, 200);
      const body = list.json<{
        references: { feature: string }[];
        invalid: { topic: string; feature: string; version: number; error: string }[];
      }>();
      assert.deepEqual(
        body.references.map((r) => r.feature),
        ['ok'],
      );
      assert.deepEqual(
        body.invalid.map((r) => `${r.topic}/${r.feature}@${r.version}`),
        ['x/bad@1'],
      );
      const one = await app.inject('/api/v1/references/x/bad');
      assert.equal(one.statusCode, 409, one.body);
      const { error } = one.json<ErrorJson>();
      assert.equal(error.code, 'REFERENCE_UNREADABLE');
      assert.match(error.message, /topic x, feature bad \(version 1\).*reference\.edges\[0\]/);
      const deleted = await app.inject({ method: 'DELETE', url: '/api/v1/references/x/bad' });
      assert.equal(deleted.statusCode, 200, 'the bad row can be deleted');
    });
  });
});
