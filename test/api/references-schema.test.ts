/**
 * What moving the references, capture, drift, schema-violation and status routes onto route
 * schemas changed or must prove: the response check refuses an answer that breaks its schema
 * (so the other tests, run in check mode, prove the document true), request errors now come in
 * field order, and the `values` array keeps its messages while checking elements in a loop.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { createMetricsRegistry, defaultReferenceLimits, pipewatchApp } from '../../api/index.js';
import type { CaptureResult } from '../../collector/index.js';
import type { DriftView, FeatureDriftState } from '../../monitor/index.js';
import { memoryReferenceStore, type ReferenceStore } from '../../store/index.js';

interface ErrorJson {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** One numeric feature with one evaluated 5-minute window (numbers chosen, not computed). */
function driftState(reading: Record<string, unknown>): FeatureDriftState {
  const evaluation = {
    windowSeconds: 300,
    subWindowSeconds: 60,
    window: '5m',
    startMs: 1_700_000_000_000,
    endMs: 1_700_000_300_000,
    referenceValues: 1000,
    windowValues: 800,
    decided: true,
    readings: [reading],
    verdicts: [],
    topBins: [],
    drift: false,
  };
  return {
    topic: 't',
    feature: 'f',
    referenceVersion: 1,
    kind: 'numeric',
    evaluatedAtMs: 1_700_000_300_000,
    detected: false,
    referenceHistogram: { bins: ['[-inf, 0)', '[0, +inf)'], edges: [0], counts: [500, 500] },
    windows: [
      {
        evaluation,
        currentCounts: [400, 400],
        streak: { consecutive: 0, drifting: false },
      } as unknown as FeatureDriftState['windows'][number],
    ],
  };
}

const goodReading = { metric: 'psi', value: 0.02, critical: 0.05, pvalue: 0.4 };

async function appWith(options: {
  drift?: DriftView;
  referenceStore?: ReferenceStore;
  checkResponses: boolean;
  logs?: string[];
  captureValues?: () => Promise<CaptureResult>;
}) {
  const logs = options.logs;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs?.push(chunk.toString());
      done();
    },
  });
  const app = Fastify({ logger: logs ? { level: 'error', stream } : false });
  await app.register(pipewatchApp, {
    metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
    referenceStore: options.referenceStore ?? memoryReferenceStore(),
    drift: options.drift,
    captureReferenceValues: options.captureValues,
    checkResponses: options.checkResponses,
  });
  await app.ready();
  return app;
}

const oneFeature = (state: FeatureDriftState): DriftView => ({
  features: () => [state],
  feature: (topic, feature) =>
    topic === state.topic && feature === state.feature ? state : undefined,
});

describe('response schemas of the drift and references routes are enforced in check mode', () => {
  it('answers a well-formed drift detail with 200', async () => {
    const app = await appWith({ drift: oneFeature(driftState(goodReading)), checkResponses: true });
    const response = await app.inject({ url: '/api/v1/drift/t/f' });
    await app.close();
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json<{ windows: unknown[] }>().windows.length, 1);
  });

  it('turns a drift reading with a string value into a 500 naming the field', async () => {
    const logs: string[] = [];
    const broken = driftState({ ...goodReading, value: '0.02' });
    const app = await appWith({ drift: oneFeature(broken), checkResponses: true, logs });
    const detail = await app.inject({ url: '/api/v1/drift/t/f' });
    const list = await app.inject({ url: '/api/v1/drift' });
    await app.close();
    assert.equal(detail.statusCode, 500, detail.body);
    assert.equal(detail.json<ErrorJson>().error.code, 'INTERNAL');
    assert.equal(list.statusCode, 500, list.body);
    const log = logs.join('');
    assert.match(log, /200: the answer does not match its documented schema/);
    assert.match(log, /windows\/0\/readings\/0\/value/);
  });

  it('turns a drift reading with a field the document does not list into a 500', async () => {
    const broken = driftState({ ...goodReading, effect: 0.3 });
    const app = await appWith({ drift: oneFeature(broken), checkResponses: true });
    const response = await app.inject({ url: '/api/v1/drift/t/f' });
    await app.close();
    assert.equal(response.statusCode, 500, response.body);
  });

  it('sends the same broken answer when the check is off: the 500 is the check', async () => {
    const broken = driftState({ ...goodReading, value: '0.02' });
    const app = await appWith({ drift: oneFeature(broken), checkResponses: false });
    const response = await app.inject({ url: '/api/v1/drift/t/f' });
    await app.close();
    assert.equal(response.statusCode, 200, response.body);
  });

  it('turns a reference list entry with an undocumented field into a 500', async () => {
    const inner = memoryReferenceStore();
    const store: ReferenceStore = {
      register: (input, nowMs) => inner.register(input, nowMs),
      get: (topic, feature, version) => inner.get(topic, feature, version),
      delete: (topic, feature, version) => inner.delete(topic, feature, version),
      list: (filter) => inner.list(filter).map((r) => ({ ...r, rowId: 7 })),
    };
    const app = await appWith({ referenceStore: store, checkResponses: true });
    const posted = await app.inject({
      method: 'POST',
      url: '/api/v1/references',
      payload: { topic: 't', feature: 'f', values: [1, 2, 3] },
    });
    const listed = await app.inject({ url: '/api/v1/references' });
    await app.close();
    assert.equal(posted.statusCode, 201, posted.body);
    assert.equal(listed.statusCode, 500, listed.body);
  });
});

describe('request parts parsed by the route schemas', () => {
  const post = async (
    url: string,
    payload: unknown,
    captureValues?: () => Promise<CaptureResult>,
  ) => {
    const store = memoryReferenceStore();
    const app = await appWith({ referenceStore: store, checkResponses: true, captureValues });
    const response = await app.inject({ method: 'POST', url, payload: payload as object });
    await app.close();
    return { response, stored: store.list().length };
  };

  it('names the first bad field in body order: a bad value before a bad bins', async () => {
    // Before the conversion the values loop ran after the rest of the body parsed, so this
    // body was refused for body/bins; now the values are part of the schema, in field order.
    const { response, stored } = await post('/api/v1/references', {
      topic: 't',
      feature: 'f',
      values: [1, true],
      bins: '4',
    });
    assert.equal(response.statusCode, 400);
    const { error } = response.json<ErrorJson>();
    assert.equal(error.code, 'BAD_REQUEST');
    assert.equal(
      error.message,
      'body/values/1 must be a finite number, a string or null, got boolean',
    );
    assert.deepEqual(error.details, { field: 'body/values/1' });
    assert.equal(stored, 0);
  });

  for (const [name, value, got] of [
    ['an object', { a: 1 }, 'an object'],
    ['an array', [1], 'an array'],
    ['a boolean', false, 'boolean'],
  ] as const) {
    it(`refuses ${name} among values, naming its index`, async () => {
      const { response } = await post('/api/v1/references', {
        topic: 't',
        feature: 'f',
        values: ['a', null, value],
      });
      assert.equal(response.statusCode, 400);
      assert.equal(
        response.json<ErrorJson>().error.message,
        `body/values/2 must be a finite number, a string or null, got ${got}`,
      );
    });
  }

  it('refuses an empty values array and more than references.maxValues', async () => {
    const empty = await post('/api/v1/references', { topic: 't', feature: 'f', values: [] });
    assert.equal(
      empty.response.json<ErrorJson>().error.message,
      'body/values must hold at least one value',
    );
    const max = defaultReferenceLimits.maxValues;
    // One past the cap, with a bad element: the length is refused before any element is read.
    const values: unknown[] = Array.from({ length: max + 1 }, () => 1);
    values[0] = true;
    const tooMany = await post('/api/v1/references', { topic: 't', feature: 'f', values });
    assert.equal(tooMany.response.statusCode, 400);
    assert.equal(
      tooMany.response.json<ErrorJson>().error.message,
      `body/values must hold at most ${max} values (the cap, references.maxValues)`,
    );
  });

  it('accepts numbers, strings and nulls and builds from the same values', async () => {
    const { response, stored } = await post('/api/v1/references', {
      topic: 't',
      feature: 'f',
      values: [null, 'a', 'b', 'a', null],
    });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json<{ n: number; nullCount: number; kind: string }>();
    assert.deepEqual([body.kind, body.n, body.nullCount], ['categorical', 3, 2]);
    assert.equal(stored, 1);
  });

  it('names a bad capture time before a bad kind (field order), without reading the topic', async () => {
    // Before the conversion `from` was turned into epoch ms after the whole body parsed, so
    // this body was refused for body/kind; the schema now parses `from` in its place.
    let reads = 0;
    const { response } = await post(
      '/api/v1/references/capture',
      { topic: 't', feature: 'f', from: 'yesterday', to: 10, kind: 'bogus' },
      async () => {
        reads++;
        return {
          values: [1],
          method: 'offsets-by-timestamp',
          recordsRead: 1,
          recordsInRange: 1,
          undecodable: 0,
          invalid: 0,
        };
      },
    );
    assert.equal(response.statusCode, 400);
    const { error } = response.json<ErrorJson>();
    assert.match(
      error.message,
      /^body\/from must be epoch ms \(an integer in \[0, 8640000000000000\]\) or an ISO-8601 time$/,
    );
    assert.deepEqual(error.details, { field: 'body/from' });
    assert.equal(reads, 0);
  });

  it('reads an ISO capture range as the epoch ms the details report', async () => {
    const seen: { fromMs: number; toMs: number }[] = [];
    const store = memoryReferenceStore();
    const capturing = Fastify();
    await capturing.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      referenceStore: store,
      checkResponses: true,
      captureReferenceValues: async (request) => {
        seen.push({ fromMs: request.fromMs, toMs: request.toMs });
        return {
          values: [1, 2, 3],
          method: 'offsets-by-timestamp',
          recordsRead: 3,
          recordsInRange: 3,
          undecodable: 0,
          invalid: 0,
        };
      },
    });
    const response = await capturing.inject({
      method: 'POST',
      url: '/api/v1/references/capture',
      payload: { topic: 't', feature: 'f', from: '2024-01-01T00:00:00Z', to: 1_704_067_260_000 },
    });
    await capturing.close();
    assert.equal(response.statusCode, 201, response.body);
    // 2024-01-01T00:00:00Z is 1704067200000 ms since the epoch (19723 days × 86400000).
    assert.deepEqual(seen, [{ fromMs: 1_704_067_200_000, toMs: 1_704_067_260_000 }]);
    const { details } = response.json<{ details: Record<string, unknown> }>();
    assert.equal(details.fromMs, 1_704_067_200_000);
  });
});
