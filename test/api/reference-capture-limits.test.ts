import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import {
  createMetricsRegistry,
  defaultReferenceLimits,
  pipewatchApp,
  type CaptureValues,
} from '../../api/index.js';
import type { CaptureResult } from '../../collector/index.js';
import { memoryReferenceStore } from '../../store/index.js';

interface ErrorJson {
  error: { code: string; message: string };
}

const result = (values: number[]): CaptureResult => ({
  values,
  method: 'offsets-by-timestamp',
  recordsRead: values.length,
  recordsInRange: values.length,
  undecodable: 0,
  invalid: 0,
});

/**
 * The capture route's own checks, before and around the topic read (the read itself runs
 * against the test Kafka cluster in reference-capture.test.ts): here the read is a function
 * the test controls, so "two at once" is a chosen state rather than a race.
 */
async function appWith(captureValues: CaptureValues, maxConcurrentCaptures = 1) {
  const store = memoryReferenceStore();
  const app = Fastify();
  await app.register(pipewatchApp, {
    metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
    referenceStore: store,
    captureReferenceValues: captureValues,
    referenceLimits: { ...defaultReferenceLimits, maxConcurrentCaptures },
  });
  return { app, store };
}

const capture = (app: Awaited<ReturnType<typeof appWith>>['app'], payload: unknown) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/references/capture',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });

describe('POST /api/v1/references/capture: time range (issue 9 item 8)', () => {
  for (const [name, from, to, field] of [
    ['from past the Date range', 9e15, 9.1e15, 'from'],
    ['a negative to', 0, -1e17, 'to'],
    ['a fractional time', 0.5, 10, 'from'],
    ['from as an array', [0], 10, 'from'],
    ['a time that is not ISO-8601', 'yesterday', 10, 'from'],
    ['an ISO time past year 275760', '+275761-01-01T00:00:00Z', 10, 'from'],
    ['Infinity as a string', 0, 'Infinity', 'to'],
  ] as const) {
    it(`answers 400 naming body/${field} for ${name}, without reading the topic`, async () => {
      let reads = 0;
      const { app, store } = await appWith(async () => {
        reads++;
        return result([1, 2, 3]);
      });
      const response = await capture(app, { topic: 't', feature: 'f', from, to });
      await app.close();
      assert.equal(response.statusCode, 400, response.body);
      const { error } = response.json<ErrorJson>();
      assert.equal(error.code, 'BAD_REQUEST');
      assert.match(error.message, new RegExp(`^body/${field} must be epoch ms`));
      assert.equal(reads, 0);
      assert.deepEqual(store.list(), []);
    });
  }
  it('answers 400 for an empty range (to <= from)', async () => {
    const { app } = await appWith(async () => result([1]));
    const response = await capture(app, { topic: 't', feature: 'f', from: 10, to: 10 });
    await app.close();
    assert.equal(response.statusCode, 400);
    assert.match(response.json<ErrorJson>().error.message, /^body\/to must be later than/);
  });
});

describe('POST /api/v1/references/capture: bounded concurrency (issue 9 item 12)', () => {
  it('answers 429 CAPTURE_BUSY while references.maxConcurrentCaptures captures run', async () => {
    const releases: (() => void)[] = [];
    let started = 0;
    const { app, store } = await appWith(async () => {
      started++;
      await new Promise<void>((resolve) => releases.push(resolve));
      return result([1, 2, 3, 4]);
    }, 2);
    const body = (feature: string) => ({ topic: 't', feature, from: 0, to: 1000 });
    const first = capture(app, body('a'));
    const second = capture(app, body('b'));
    while (started < 2) await new Promise((r) => setImmediate(r));

    const third = await capture(app, body('c'));
    assert.equal(third.statusCode, 429, third.body);
    assert.equal(third.headers['retry-after'], '5');
    const { error } = third.json<ErrorJson>();
    assert.equal(error.code, 'CAPTURE_BUSY');
    assert.match(
      error.message,
      /2 reference capture\(s\) already running.*maxConcurrentCaptures \(2\)/,
    );

    for (const release of releases.splice(0)) release();
    assert.equal((await first).statusCode, 201);
    assert.equal((await second).statusCode, 201);
    // A slot is free again once a capture ends, also one that failed.
    const fourth = capture(app, body('d'));
    while (started < 3) await new Promise((r) => setImmediate(r));
    releases.splice(0).forEach((release) => release());
    assert.equal((await fourth).statusCode, 201);
    assert.deepEqual(
      store.list().map((r) => r.feature),
      ['a', 'b', 'd'],
    );
    await app.close();
  });

  it('frees the slot when a capture fails', async () => {
    let calls = 0;
    const { app } = await appWith(async () => {
      calls++;
      if (calls === 1) throw new Error('broker gone');
      return result([1, 2]);
    });
    const failed = await capture(app, { topic: 't', feature: 'f', from: 0, to: 10 });
    assert.equal(failed.statusCode, 500);
    const next = await capture(app, { topic: 't', feature: 'f', from: 0, to: 10 });
    assert.equal(next.statusCode, 201, next.body);
    await app.close();
  });

  it('caps the categories of a captured categorical feature', async () => {
    const { app, store } = await appWith(async () => ({
      ...result([]),
      values: Array.from({ length: 10_001 }, (_, i) => `id-${i}`),
    }));
    const response = await capture(app, { topic: 't', feature: 'id', from: 0, to: 10 });
    await app.close();
    assert.equal(response.statusCode, 400, response.body);
    assert.match(
      response.json<ErrorJson>().error.message,
      /^body\/values hold more than 10000 distinct categories \(the cap, references\.maxCategories\)/,
    );
    assert.deepEqual(store.list(), []);
  });
});
