import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { z } from 'zod';
import { createMetricsRegistry, pipewatchApp, type AppOptions } from '../../api/index.js';
import { PipewatchError } from '../../common/index.js';

async function buildApp(options: Partial<AppOptions> = {}) {
  const app = Fastify();
  await app.register(pipewatchApp, {
    metricsRegistry: createMetricsRegistry({ version: '9.9.9', nodeVersion: 'v0' }),
    ...options,
  });
  return app;
}

describe('HTTP app', () => {
  it('answers /healthz', async () => {
    const app = await buildApp();
    const res = await app.inject('/healthz');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  it('exposes pipewatch_build_info and process metrics in Prometheus text format', async () => {
    const app = await buildApp();
    const res = await app.inject('/metrics');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
    assert.match(res.body, /^pipewatch_build_info\{version="9\.9\.9",node_version="v0"\} 1$/m);
    assert.match(res.body, /^process_cpu_seconds_total /m);
  });

  it('reports readiness per check and 503 when one fails', async () => {
    const app = await buildApp({
      readinessChecks: {
        sqlite: () => true,
        kafka: () => false,
        registry: () => {
          throw new Error('down');
        },
      },
    });
    const res = await app.inject('/readyz');
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), {
      status: 'not_ready',
      checks: { sqlite: true, kafka: false, registry: false },
    });
  });

  it('maps catalogue errors to statuses and answers unknown routes with NOT_FOUND', async () => {
    const app = await buildApp();
    app.get('/boom/:kind', async (request) => {
      const { kind } = request.params as { kind: string };
      if (kind === 'missing') throw new PipewatchError('NOT_FOUND', 'no such thing', { id: 1 });
      if (kind === 'kafka') throw new PipewatchError('KAFKA_UNREACHABLE', 'brokers down');
      throw new Error('secret internals');
    });
    const missing = await app.inject('/boom/missing');
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), {
      error: { code: 'NOT_FOUND', message: 'no such thing', details: { id: 1 } },
    });
    assert.equal((await app.inject('/boom/kafka')).statusCode, 503);
    const internal = await app.inject('/boom/other');
    assert.equal(internal.statusCode, 500);
    assert.doesNotMatch(internal.body, /secret internals/);
    const unknown = await app.inject('/nope');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json<{ error: { code: string } }>().error.code, 'NOT_FOUND');
  });

  it('answers a body that fails validation with 400 BAD_REQUEST saying where', async () => {
    const app = await buildApp();
    app.post(
      '/things',
      {
        schema: {
          body: z.object({ name: z.string() }).strict(),
        },
      },
      async () => ({ ok: true }),
    );
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { name: 'x', nam: 'x' },
    });
    assert.equal(res.statusCode, 400);
    const body = res.json<{ error: { code: string; message: string } }>();
    assert.equal(body.error.code, 'BAD_REQUEST');
    assert.equal(body.error.message, 'body/nam is not a known field');
    const missing = await app.inject({ method: 'POST', url: '/things', payload: {} });
    assert.equal(
      missing.json<{ error: { message: string } }>().error.message,
      'body/name is required',
    );
  });

  it('refuses a route whose request schema is not a zod schema, naming the route', async () => {
    const app = await buildApp();
    app.post('/json-schema', { schema: { body: { type: 'object' } } }, async () => ({}));
    await assert.rejects(
      async () => app.ready(),
      /body schema of POST \/json-schema is not a zod schema/,
    );
  });
});
