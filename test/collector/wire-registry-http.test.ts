import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { startRegistryServer, type RunningRegistryServer } from '../../api/index.js';
import { createRegistryHttp } from '../../collector/index.js';
import { isPipewatchError } from '../../common/index.js';
import { memorySchemaRegistryStore } from '../../store/index.js';
import { engineCompatibilityChecker } from '../../schemas/index.js';

const v1 = JSON.stringify({
  type: 'record',
  name: 'T',
  fields: [{ name: 'a', type: 'long' }],
});
const v2 = JSON.stringify({
  type: 'record',
  name: 'T',
  fields: [
    { name: 'a', type: 'long' },
    { name: 'b', type: 'string' },
  ],
});

const unavailable = (error: unknown) => {
  assert.ok(isPipewatchError(error));
  assert.equal(error.code, 'SCHEMA_REGISTRY_UNAVAILABLE');
  return true;
};

describe('registry HTTP client of the wire decoder', () => {
  let server: RunningRegistryServer;
  let other: FastifyInstance;
  let otherUrl: string;
  before(async () => {
    server = await startRegistryServer({
      store: memorySchemaRegistryStore(),
      checker: engineCompatibilityChecker,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    other = Fastify();
    other.get('/boom/schemas/ids/:id', async (_request, reply) => reply.status(500).send('boom'));
    otherUrl = await other.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server.close();
    await other.close();
  });

  it('reads schemas, the subjects using an id, the latest version and compatibility', async () => {
    const { id } = server.registry.register('s-value', { schema: v1 });
    const http = createRegistryHttp({ url: `${server.url}/` });
    assert.deepEqual(await http.schemaById(id), { schema: v1, schemaType: 'AVRO' });
    assert.equal(await http.schemaById(id + 100), undefined);
    assert.deepEqual(await http.subjectsOfSchema(id), [{ subject: 's-value', version: 1 }]);
    assert.deepEqual(await http.subjectsOfSchema(id + 100), []);
    assert.deepEqual(await http.latestVersion('s-value'), {
      subject: 's-value',
      version: 1,
      id,
      schema: v1,
    });
    assert.equal(await http.latestVersion('nobody-value'), undefined);
    // BACKWARD (the default): v2 adds a field without a default, so it cannot read v1 data.
    const answer = await http.testCompatibility('s-value', 'latest', v2);
    assert.equal(answer?.compatible, false);
    assert.ok((answer?.messages.length ?? 0) > 0);
    assert.deepEqual(await http.testCompatibility('s-value', 1, v1), {
      compatible: true,
      messages: [],
    });
  });

  it('treats a closed port, a server error and a non-registry 404 as unavailable', async () => {
    const closed = createRegistryHttp({ url: 'http://127.0.0.1:1' });
    await assert.rejects(closed.schemaById(1), unavailable);
    const failing = createRegistryHttp({ url: `${otherUrl}/boom` });
    await assert.rejects(failing.schemaById(1), unavailable);
    // A 404 without a Confluent error code: the URL is not a schema registry, not "unknown id".
    const wrong = createRegistryHttp({ url: otherUrl });
    await assert.rejects(wrong.schemaById(1), unavailable);
  });
});
