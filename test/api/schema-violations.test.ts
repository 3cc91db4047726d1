import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { pipewatchApp } from '../../api/index.js';
import { SchemaViolationRecorder, type TappedRecord } from '../../collector/index.js';

const record = (topic: string, offset: number): TappedRecord => ({
  topic,
  partition: 1,
  offset: String(offset),
  timestampMs: 1_700_000_000_000 + offset,
  key: null,
  headers: {},
  value: Buffer.from('x'),
});

async function appWith(recorder?: SchemaViolationRecorder) {
  const app = Fastify();
  await app.register(pipewatchApp, {
    metricsRegistry: new Registry(),
    ...(recorder ? { schemaViolations: recorder } : {}),
  });
  return app;
}

describe('GET /api/v1/schema-violations', () => {
  const recorder = new SchemaViolationRecorder({
    metricsRegistry: new Registry(),
    samplesPerKind: 2,
  });
  for (let offset = 0; offset < 5; offset += 1) {
    recorder.onUndecodable(record('a', offset), 'no_magic_byte', `bad ${offset}`);
  }
  recorder.onUndecodable(record('a', 9), 'registry_unavailable', 'registry down');
  recorder.onUndecodable(record('b', 3), 'unknown_schema_id', 'schema id 7 is not registered');

  it('returns counts per (topic, kind) with the first offending records only', async () => {
    const app = await appWith(recorder);
    const response = await app.inject({ method: 'GET', url: '/api/v1/schema-violations' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      violations: [
        {
          topic: 'a',
          kind: 'no_magic_byte',
          count: 5,
          samples: [0, 1].map((offset) => ({
            topic: 'a',
            partition: 1,
            offset: String(offset),
            kind: 'no_magic_byte',
            message: `bad ${offset}`,
            timestampMs: 1_700_000_000_000 + offset,
          })),
        },
        {
          topic: 'b',
          kind: 'unknown_schema_id',
          count: 1,
          samples: [
            {
              topic: 'b',
              partition: 1,
              offset: '3',
              kind: 'unknown_schema_id',
              message: 'schema id 7 is not registered',
              timestampMs: 1_700_000_000_003,
            },
          ],
        },
      ],
      lookupFailures: [
        {
          topic: 'a',
          kind: 'registry_unavailable',
          count: 1,
          samples: [
            {
              topic: 'a',
              partition: 1,
              offset: '9',
              kind: 'registry_unavailable',
              message: 'registry down',
              timestampMs: 1_700_000_000_009,
            },
          ],
        },
      ],
    });
    await app.close();
  });

  it('filters by topic', async () => {
    const app = await appWith(recorder);
    const response = await app.inject({ method: 'GET', url: '/api/v1/schema-violations?topic=b' });
    const body = response.json<{ violations: { topic: string }[]; lookupFailures: unknown[] }>();
    assert.deepEqual(
      body.violations.map((v) => v.topic),
      ['b'],
    );
    assert.deepEqual(body.lookupFailures, []);
    await app.close();
  });

  it('refuses a repeated or empty topic parameter with BAD_REQUEST', async () => {
    const app = await appWith(recorder);
    for (const query of ['topic=a&topic=b', 'topic=']) {
      const response = await app.inject({
        method: 'GET',
        url: `/api/v1/schema-violations?${query}`,
      });
      assert.equal(response.statusCode, 400, query);
      assert.equal(response.json<{ error: { code: string } }>().error.code, 'BAD_REQUEST');
    }
    await app.close();
  });

  it('is not served when no recorder is given', async () => {
    const app = await appWith();
    const response = await app.inject({ method: 'GET', url: '/api/v1/schema-violations' });
    assert.equal(response.statusCode, 404);
    await app.close();
  });

  it('counts producer violations and lookup failures on separate metrics', async () => {
    const metricsRegistry = new Registry();
    const counting = new SchemaViolationRecorder({ metricsRegistry });
    counting.onUndecodable(record('a', 0), 'wrong_subject', 'x');
    counting.onUndecodable(record('a', 1), 'registry_unavailable', 'y');
    const text = await metricsRegistry.metrics();
    assert.match(text, /pipewatch_schema_violations_total\{topic="a",kind="wrong_subject"\} 1/);
    assert.match(text, /pipewatch_schema_lookup_failures_total\{topic="a"\} 1/);
    assert.doesNotMatch(text, /kind="registry_unavailable"/);
  });
});
