import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { pipewatchApp, registryContentType, schemaRegistryApi } from '../../api/index.js';
import { createSchemaRegistry } from '../../schemas/index.js';
import { memorySchemaRegistryStore } from '../../store/index.js';
import { engineCompatibilityChecker } from '../../schemas/index.js';

describe('registry mounted under a path of the pipewatch app', () => {
  it('keeps Confluent bodies under its prefix and pipewatch bodies elsewhere', async () => {
    const app = Fastify();
    await app.register(pipewatchApp, { metricsRegistry: new Registry() });
    const registry = createSchemaRegistry({
      store: memorySchemaRegistryStore(),
      checker: engineCompatibilityChecker,
    });
    await app.register(schemaRegistryApi, { registry, prefix: '/schema-registry' });

    const registered = await app.inject({
      method: 'POST',
      url: '/schema-registry/subjects/m-value/versions',
      headers: { 'content-type': registryContentType },
      payload: JSON.stringify({ schema: '"string"' }),
    });
    assert.equal(registered.statusCode, 200);
    assert.deepEqual(registered.json(), { id: 1 });

    const missing = await app.inject({
      method: 'GET',
      url: '/schema-registry/subjects/none/versions',
    });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { error_code: 40401, message: "Subject 'none' not found." });
    const unknownRoute = await app.inject({ method: 'GET', url: '/schema-registry/nothing' });
    assert.equal(unknownRoute.statusCode, 404);
    assert.equal(unknownRoute.json<{ error_code: number }>().error_code, 404);

    const pipewatch404 = await app.inject({ method: 'GET', url: '/nothing' });
    assert.equal(pipewatch404.statusCode, 404);
    assert.equal(pipewatch404.json<{ error: { code: string } }>().error.code, 'NOT_FOUND');
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    await app.close();
  });
});
