import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createMetricsRegistry, pipewatchApp } from '../../api/index.js';
import { openDatabase, sqliteReferenceStore, type SqliteDatabase } from '../../store/index.js';

/** The fields these tests read from any answer of the references API. */
interface Json {
  topic: string;
  feature: string;
  version: number;
  kind: string;
  source: string;
  n: number;
  nullCount: number;
  bins: number;
  reference: { edges: number[]; counts: number[]; categories: string[] };
  references: Json[];
  deleted: number;
  error: { code: string; message: string };
}
const json = (response: { json(): unknown }) => response.json() as Json;

describe('/api/v1/references', () => {
  let dir: string;
  let db: SqliteDatabase;
  let app: FastifyInstance;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-api-refs-'));
    db = openDatabase(join(dir, 'pipewatch.sqlite'));
    app = Fastify();
    await app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      referenceStore: sqliteReferenceStore(db),
    });
  });
  after(async () => {
    await app.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (payload: object) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/references',
      payload: payload as Record<string, unknown>,
    });

  it('registers raw numeric values as version 1, then 2, with frozen type-7 edges', async () => {
    const values = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, null];
    const first = await post({ topic: 'features.tx', feature: 'amount', values, bins: 4 });
    assert.equal(first.statusCode, 201, first.body);
    const body = json(first);
    assert.equal(body.version, 1);
    assert.equal(body.kind, 'numeric');
    assert.equal(body.source, 'values');
    assert.equal(body.n, 10);
    assert.equal(body.nullCount, 1);
    // numpy.quantile(range(1, 11), [.25, .5, .75])
    assert.deepEqual(body.reference.edges, [3.25, 5.5, 7.75]);
    assert.deepEqual(body.reference.counts, [3, 2, 2, 3]);
    const second = await post({ topic: 'features.tx', feature: 'amount', values: [1, 2, 3] });
    assert.equal(json(second).version, 2);
    assert.equal(json(second).bins, 10, 'default 10 bins');
    const tied = await post({ topic: 'features.tx', feature: 'flag', values: [0, 0, 0, 0, 1] });
    // numpy.quantile([0, 0, 0, 0, 1], [.1, ..., .9]) = 0 (x7), 0.2, 0.6: duplicates removed
    const edges = json(tied).reference.edges;
    assert.deepEqual(
      edges.map((e) => Math.round(e * 1e12) / 1e12),
      [0, 0.2, 0.6],
    );
  });

  it('registers histograms, quantile summaries and categorical values', async () => {
    const hist = await post({
      topic: 'features.tx',
      feature: 'latency',
      histogram: { edges: [0, 1, 2, 4], counts: [5, 3, 2] },
    });
    assert.equal(hist.statusCode, 201, hist.body);
    assert.deepEqual(json(hist).reference.edges, [1, 2]);
    const quant = await post({
      topic: 'features.tx',
      feature: 'score',
      quantiles: { probabilities: [0, 0.25, 0.5, 0.75, 1], values: [1, 2, 3, 4, 5], n: 5 },
      bins: 4,
    });
    assert.equal(quant.statusCode, 201, quant.body);
    assert.deepEqual(json(quant).reference.edges, [2, 3, 4]);
    const cat = await post({
      topic: 'raw.tx',
      feature: 'country',
      values: ['de', 'fr', 'de', null],
    });
    assert.equal(cat.statusCode, 201, cat.body);
    assert.equal(json(cat).kind, 'categorical');
    assert.deepEqual(json(cat).reference.categories, ['de', 'fr']);
    const catHist = await post({
      topic: 'raw.tx',
      feature: 'device',
      kind: 'categorical',
      histogram: { categories: ['ios', 'android'], counts: [3, 7] },
    });
    assert.equal(catHist.statusCode, 201, catHist.body);
    assert.deepEqual(json(catHist).reference.counts, [3, 7]);
  });

  it('lists, filters by topic, fetches latest or a version', async () => {
    const all = json(await app.inject('/api/v1/references')).references as {
      topic: string;
      feature: string;
      version: number;
    }[];
    assert.deepEqual(
      all.map((r) => `${r.topic}/${r.feature}@${r.version}`),
      [
        'features.tx/amount@1',
        'features.tx/amount@2',
        'features.tx/flag@1',
        'features.tx/latency@1',
        'features.tx/score@1',
        'raw.tx/country@1',
        'raw.tx/device@1',
      ],
    );
    const raw = json(await app.inject('/api/v1/references?topic=raw.tx')).references;
    assert.equal(raw.length, 2);
    const latest = await app.inject('/api/v1/references/features.tx/amount');
    assert.equal(json(latest).version, 2);
    const v1 = await app.inject('/api/v1/references/features.tx/amount?version=1');
    assert.deepEqual(json(v1).reference.edges, [3.25, 5.5, 7.75]);
    const missing = await app.inject('/api/v1/references/features.tx/amount?version=9');
    assert.equal(missing.statusCode, 404);
    assert.equal(json(missing).error.code, 'NOT_FOUND');
    const badVersion = await app.inject('/api/v1/references/features.tx/amount?version=x');
    assert.equal(badVersion.statusCode, 400);
    assert.match(json(badVersion).error.message, /querystring\/version/);
  });

  it('deletes one version or all of them', async () => {
    const one = await app.inject({
      method: 'DELETE',
      url: '/api/v1/references/features.tx/amount?version=1',
    });
    assert.deepEqual(json(one), { deleted: 1 });
    assert.equal(
      (await app.inject('/api/v1/references/features.tx/amount?version=1')).statusCode,
      404,
    );
    const rest = await app.inject({
      method: 'DELETE',
      url: '/api/v1/references/features.tx/amount',
    });
    assert.deepEqual(json(rest), { deleted: 1 });
    const again = await app.inject({
      method: 'DELETE',
      url: '/api/v1/references/features.tx/amount',
    });
    assert.equal(again.statusCode, 404);
    const next = await post({ topic: 'features.tx', feature: 'amount', values: [1, 2] });
    assert.equal(json(next).version, 3, 'deleted version numbers are not reused');
  });

  for (const [name, payload, code, message] of [
    ['a missing feature', { topic: 't', values: [1] }, 'BAD_REQUEST', /^body\/feature is required/],
    ['a bad topic name', { topic: 'a b', feature: 'f', values: [1] }, 'BAD_REQUEST', /body\/topic/],
    [
      'an object among values',
      { topic: 't', feature: 'f', values: [1, 2, 3, {}] },
      'BAD_REQUEST',
      /body\/values\/3 must be/,
    ],
    [
      'a string in numeric values',
      { topic: 't', feature: 'f', kind: 'numeric', values: [1, 2, 3, 'x'] },
      'REFERENCE_INVALID',
      /^body\/values\/3 must be number or null/,
    ],
    [
      'two sources',
      {
        topic: 't',
        feature: 'f',
        values: [1],
        quantiles: { probabilities: [0, 1], values: [0, 1], n: 2 },
      },
      'REFERENCE_INVALID',
      /exactly one of values, histogram, quantiles/,
    ],
    ['no source', { topic: 't', feature: 'f' }, 'REFERENCE_INVALID', /exactly one of/],
    [
      'an unknown field',
      { topic: 't', feature: 'f', values: [1], bin: 4 },
      'BAD_REQUEST',
      /^body\/bin is not a known field/,
    ],
    [
      'a negative count',
      { topic: 't', feature: 'f', histogram: { edges: [0, 1, 2], counts: [1, -1] } },
      'REFERENCE_INVALID',
      /^body\/histogram\/counts\/1 must be >= 0/,
    ],
    [
      'bins with a histogram',
      { topic: 't', feature: 'f', histogram: { edges: [0, 1], counts: [1] }, bins: 5 },
      'REFERENCE_INVALID',
      /^body\/bins/,
    ],
    [
      'a kind that contradicts the values',
      { topic: 't', feature: 'f', kind: 'categorical', values: [1, 2] },
      'REFERENCE_INVALID',
      /^body\/kind/,
    ],
    [
      'quantiles without the minimum',
      { topic: 't', feature: 'f', quantiles: { probabilities: [0.5, 1], values: [0, 1], n: 2 } },
      'REFERENCE_INVALID',
      /^body\/quantiles\/probabilities must start at 0/,
    ],
    [
      'only nulls',
      { topic: 't', feature: 'f', values: [null] },
      'REFERENCE_INVALID',
      /^body\/values must hold at least one/,
    ],
    [
      'too few bins',
      { topic: 't', feature: 'f', values: [1, 2], bins: 1 },
      'BAD_REQUEST',
      /body\/bins must be >= 2/,
    ],
  ] as const) {
    it(`answers 400 with the field at fault for ${name}`, async () => {
      const response = await post(payload);
      assert.equal(response.statusCode, 400, response.body);
      const { error } = json(response);
      assert.equal(error.code, code);
      assert.match(error.message, message);
    });
  }
});
