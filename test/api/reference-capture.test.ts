import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createMetricsRegistry, pipewatchApp } from '../../api/index.js';
import { captureReferenceValues } from '../../collector/index.js';
import { openDatabase, sqliteReferenceStore, type SqliteDatabase } from '../../store/index.js';
import { startTestKafka, type TestKafkaCluster } from '../support/kafka.js';

interface Json {
  version: number;
  kind: string;
  source: string;
  n: number;
  nullCount: number;
  details: Record<string, unknown>;
  reference: { edges: number[]; categories: string[]; counts: number[] };
  error: { code: string; message: string };
}
const json = (response: { json(): unknown }) => response.json() as Json;

describe('POST /api/v1/references/capture (test Kafka cluster)', () => {
  let cluster: TestKafkaCluster;
  let dir: string;
  let db: SqliteDatabase;
  let app: FastifyInstance;

  before(async () => {
    cluster = await startTestKafka();
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-capture-'));
    db = openDatabase(join(dir, 'pipewatch.sqlite'));
    const kafka = cluster.client();
    const logger = pino({ level: 'silent' });
    app = Fastify();
    await app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      referenceStore: sqliteReferenceStore(db),
      captureReferenceValues: (request) => captureReferenceValues({ kafka, logger, ...request }),
    });
  });
  after(async () => {
    await app.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
    await cluster.stop();
  });

  it('registers the values a topic carried in the range as a versioned reference', async () => {
    const topic = await cluster.createTopic('features', 3);
    const baseMs = Date.parse('2026-01-01T00:00:00Z');
    const producer = cluster.client().producer();
    await producer.connect();
    const messages = [
      ...Array.from({ length: 100 }, (_, i) => ({
        amount: i,
        country: i % 3 ? 'de' : 'fr',
        at: baseMs + i,
      })),
      ...Array.from({ length: 10 }, (_, i) => ({
        amount: 1e6 + i,
        country: 'us',
        at: baseMs + 3_600_000 + i,
      })),
      { amount: null, country: null, at: baseMs + 500 },
    ].map((r, i) => ({ key: `k${i}`, value: JSON.stringify(r), timestamp: String(r.at) }));
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();

    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/references/capture',
      payload: { topic, feature: 'amount', from: '2026-01-01T00:00:00Z', to: baseMs + 60_000 },
    });
    assert.equal(response.statusCode, 201, response.body);
    const body = json(response);
    assert.equal(body.source, 'capture');
    assert.equal(body.kind, 'numeric');
    assert.equal(body.n, 100);
    assert.equal(body.nullCount, 1);
    assert.equal(body.details.recordsInRange, 101);
    assert.equal(body.details.fromMs, baseMs);
    // numpy.quantile(range(100), [.1, ..., .9]) = 9.9, 19.8, ..., 89.1
    assert.deepEqual(
      body.reference.edges.map((e) => Math.round(e * 1e9) / 1e9),
      [9.9, 19.8, 29.7, 39.6, 49.5, 59.4, 69.3, 79.2, 89.1],
    );

    const categorical = await app.inject({
      method: 'POST',
      url: '/api/v1/references/capture',
      payload: { topic, feature: 'country', from: baseMs, to: baseMs + 7_200_000 },
    });
    assert.equal(categorical.statusCode, 201, categorical.body);
    const cat = json(categorical);
    assert.equal(cat.kind, 'categorical');
    assert.deepEqual(
      Object.fromEntries(cat.reference.categories.map((c, i) => [c, cat.reference.counts[i]])),
      { de: 66, fr: 34, us: 10 },
    );

    const empty = await app.inject({
      method: 'POST',
      url: '/api/v1/references/capture',
      payload: { topic, feature: 'amount', from: baseMs - 10_000, to: baseMs - 5_000 },
    });
    assert.equal(empty.statusCode, 400);
    assert.equal(json(empty).error.code, 'REFERENCE_INVALID');
    assert.match(json(empty).error.message, /captured no numeric values of amount/);

    const badTime = await app.inject({
      method: 'POST',
      url: '/api/v1/references/capture',
      payload: { topic, feature: 'amount', from: 'yesterday', to: baseMs },
    });
    assert.equal(badTime.statusCode, 400);
    assert.match(json(badTime).error.message, /body\/from must be epoch ms .* or an ISO-8601 time/);
  });
});
