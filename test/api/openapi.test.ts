import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createMetricsRegistry, pipewatchApp } from '../../api/index.js';
import { ReadingsBoard } from '../../monitor/index.js';
import { memoryReferenceStore } from '../../store/index.js';

describe('OpenAPI document at /docs', () => {
  let app: FastifyInstance;
  before(async () => {
    app = Fastify();
    await app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      referenceStore: memoryReferenceStore(),
      board: new ReadingsBoard(),
      version: '9.9.9',
    });
    await app.ready();
  });
  after(() => app.close());

  it('lists every API route of the app, with the bearer scheme', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json<{
      openapi: string;
      info: { version: string };
      paths: Record<string, Record<string, unknown>>;
      components: { securitySchemes: Record<string, { scheme: string }> };
    }>();
    assert.match(doc.openapi, /^3\./);
    assert.equal(doc.info.version, '9.9.9');
    assert.equal(doc.components.securitySchemes.bearer?.scheme, 'bearer');
    const routes = app.printRoutes({ commonPrefix: false });
    for (const path of ['/api/v1/references', '/api/v1/status', '/metrics', '/healthz']) {
      assert.ok(routes.includes(path.slice(1)) || routes.includes(path), `route ${path} exists`);
      assert.ok(
        doc.paths[path],
        `${path} is documented; documented: ${Object.keys(doc.paths).join(' ')}`,
      );
    }
  });

  it('serves Swagger UI without external assets', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /swagger-ui/);
    assert.doesNotMatch(res.body, /src="https?:\/\//);
  });
});
