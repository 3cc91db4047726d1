import { after, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { registryContentType, schemaRegistryApi } from '../../api/index.js';
import { createSchemaRegistry } from '../../schemas/index.js';
import { openDatabase, sqliteSchemaRegistryStore, type SqliteDatabase } from '../../store/index.js';
import { engineCompatibilityChecker } from '../../schemas/index.js';

const record = (fields: object[]) =>
  JSON.stringify({ type: 'record', name: 'Event', namespace: 'pipewatch.test', fields });
const v1 = record([{ name: 'id', type: 'string' }]);
const v2 = record([
  { name: 'id', type: 'string' },
  { name: 'score', type: 'double', default: 0 },
]);
/** Not BACKWARD-compatible with v1 or v2: a new field without a default. */
const bad = record([
  { name: 'id', type: 'string' },
  { name: 'label', type: 'string' },
]);

const dir = mkdtempSync(join(tmpdir(), 'pipewatch-registry-routes-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNumber = 0;

interface Reply {
  status: number;
  body: unknown;
  contentType: string | undefined;
}

describe('registry REST API', () => {
  let db: SqliteDatabase;
  let app: FastifyInstance;

  beforeEach(async () => {
    fileNumber += 1;
    db = openDatabase(join(dir, `registry-${fileNumber}.sqlite`));
    const registry = createSchemaRegistry({
      store: sqliteSchemaRegistryStore(db),
      checker: engineCompatibilityChecker,
    });
    app = Fastify();
    await app.register(schemaRegistryApi, { registry });
  });

  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    contentType = registryContentType,
  ): Promise<Reply> => {
    const response = await app.inject({
      method,
      url,
      ...(body === undefined
        ? {}
        : {
            payload: typeof body === 'string' ? body : JSON.stringify(body),
            headers: { 'content-type': contentType },
          }),
    });
    const text = response.body;
    return {
      status: response.statusCode,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
      contentType: response.headers['content-type'] as string | undefined,
    };
  };
  const register = (subject: string, schema: string) =>
    call('POST', `/subjects/${subject}/versions`, { schema });
  /** Confluent's error shape: exactly error_code and message, status from the code. */
  const assertError = (reply: Reply, status: number, errorCode: number, message?: RegExp) => {
    assert.equal(reply.status, status, JSON.stringify(reply.body));
    const body = reply.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['error_code', 'message']);
    assert.equal(body.error_code, errorCode);
    assert.equal(typeof body.message, 'string');
    if (message) assert.match(body.message as string, message);
    assert.equal(reply.contentType, registryContentType);
  };

  it('registers a schema and serves it by id, subject version, latest and raw', async () => {
    const first = await register('events-value', v1);
    assert.equal(first.status, 200);
    assert.equal(first.contentType, registryContentType);
    const { id } = first.body as { id: number };
    assert.ok(Number.isInteger(id) && id > 0);
    assert.deepEqual((await call('GET', `/schemas/ids/${id}`)).body, { schema: v1 });
    assert.deepEqual((await call('GET', `/schemas/ids/${id}/schema`)).body, JSON.parse(v1));
    const expected = { subject: 'events-value', id, version: 1, schema: v1 };
    assert.deepEqual((await call('GET', '/subjects/events-value/versions/1')).body, expected);
    assert.deepEqual((await call('GET', '/subjects/events-value/versions/latest')).body, expected);
    assert.deepEqual((await call('GET', '/subjects/events-value/versions/-1')).body, expected);
    const raw = await call('GET', '/subjects/events-value/versions/1/schema');
    assert.deepEqual(raw.body, JSON.parse(v1));
    assert.deepEqual((await call('GET', '/subjects')).body, ['events-value']);
    assert.deepEqual((await call('GET', '/subjects/events-value/versions')).body, [1]);
    assert.deepEqual((await call('GET', '/')).body, {});
    assert.deepEqual((await call('GET', '/schemas/types')).body, ['AVRO']);
  });

  it('accepts the Confluent media types, plain JSON and octet-stream bodies', async () => {
    for (const type of [
      registryContentType,
      'application/vnd.schemaregistry+json',
      'application/json',
      'application/octet-stream',
    ]) {
      const reply = await call('POST', '/subjects/types-value/versions', { schema: v1 }, type);
      assert.equal(reply.status, 200, type);
    }
    assertError(
      await call('POST', '/subjects/x/versions', '{"schema":', 'application/json'),
      400,
      400,
    );
  });

  it('dedupes: same schema same id, same schema text in another subject reuses the id', async () => {
    const { id } = (await register('a-value', v1)).body as { id: number };
    assert.deepEqual((await register('a-value', v1)).body, { id });
    // Whitespace and key order do not make a different schema.
    const reordered = JSON.stringify(
      {
        fields: [{ type: 'string', name: 'id' }],
        namespace: 'pipewatch.test',
        name: 'Event',
        type: 'record',
      },
      null,
      2,
    );
    assert.deepEqual((await register('b-value', reordered)).body, { id });
    assert.deepEqual((await call('GET', '/subjects/a-value/versions')).body, [1]);
    assert.deepEqual((await call('GET', `/schemas/ids/${id}/versions`)).body, [
      { subject: 'a-value', version: 1 },
      { subject: 'b-value', version: 1 },
    ]);
    assert.deepEqual((await call('GET', '/subjects')).body, ['a-value', 'b-value']);
    const { id: id2 } = (await register('a-value', v2)).body as { id: number };
    assert.notEqual(id2, id);
  });

  it('looks a schema up under a subject', async () => {
    const { id } = (await register('look-value', v1)).body as { id: number };
    await register('look-value', v2);
    assert.deepEqual((await call('POST', '/subjects/look-value', { schema: v1 })).body, {
      subject: 'look-value',
      id,
      version: 1,
      schema: v1,
    });
    assertError(
      await call('POST', '/subjects/look-value', { schema: bad }),
      404,
      40403,
      /^Schema not found$/,
    );
    assertError(
      await call('POST', '/subjects/nobody', { schema: v1 }),
      404,
      40401,
      /^Subject 'nobody' not found\.$/,
    );
  });

  it('answers missing subjects, versions and schemas with 40401, 40402, 40403', async () => {
    assertError(
      await call('GET', '/subjects/nope/versions'),
      404,
      40401,
      /Subject 'nope' not found/,
    );
    assertError(await call('GET', '/subjects/nope/versions/1'), 404, 40401);
    await register('here-value', v1);
    assertError(
      await call('GET', '/subjects/here-value/versions/7'),
      404,
      40402,
      /^Version 7 not found\.$/,
    );
    assertError(await call('GET', '/schemas/ids/999'), 404, 40403, /^Schema 999 not found$/);
    assertError(await call('GET', '/schemas/ids/abc'), 404, 40403);
    assertError(await call('GET', '/schemas/ids/999/versions'), 404, 40403);
    assertError(await call('GET', '/no/such/route'), 404, 404);
  });

  it('refuses invalid versions with 42202', async () => {
    await register('ver-value', v1);
    for (const version of ['0', 'abc', '-2', '2147483648', '1.5']) {
      assertError(
        await call('GET', `/subjects/ver-value/versions/${version}`),
        422,
        42202,
        /is not a valid version id/,
      );
    }
    assertError(await call('DELETE', '/subjects/ver-value/versions/zero'), 422, 42202);
  });

  it('refuses invalid and unsupported schemas with 42201', async () => {
    assertError(await register('bad-value', '{"type": "record"'), 422, 42201, /not JSON/);
    assertError(await register('bad-value', '{"type": "record", "name": "X"}'), 422, 42201);
    assertError(await register('bad-value', '"NoSuchType"'), 422, 42201);
    assertError(await call('POST', '/subjects/bad-value/versions', {}), 422, 42201, /Empty schema/);
    assertError(
      await call('POST', '/subjects/bad-value/versions', {
        schema: '{"type":"object"}',
        schemaType: 'JSON',
      }),
      422,
      42201,
      /JSON is not supported/,
    );
    assertError(
      await call('POST', '/subjects/bad-value/versions', {
        schema: 'syntax = "proto3";',
        schemaType: 'PROTOBUF',
      }),
      422,
      42201,
      /PROTOBUF is not supported/,
    );
    assertError(
      await call('POST', '/subjects/bad-value/versions', {
        schema: v1,
        references: [{ name: 'x', subject: 'y', version: 1 }],
      }),
      422,
      42201,
      /references/,
    );
    // Defaults must match their field's type (Avro spec).
    assertError(
      await register('bad-value', record([{ name: 'n', type: 'int', default: 'zero' }])),
      422,
      42201,
    );
    assert.deepEqual((await call('GET', '/subjects')).body, []);
  });

  it('refuses an incompatible registration with HTTP 409 and error_code 409', async () => {
    await register('compat-value', v1);
    const reply = await register('compat-value', bad);
    assertError(reply, 409, 409, /incompatible with an earlier schema for subject "compat-value"/);
    assert.deepEqual((await call('GET', '/subjects/compat-value/versions')).body, [1]);
  });

  it('soft-deletes and permanently deletes versions with 40406 and 40407', async () => {
    await call('PUT', '/config/del-value', { compatibility: 'NONE' });
    await register('del-value', v1);
    const { id: id2 } = (await register('del-value', v2)).body as { id: number };
    assertError(
      await call('DELETE', '/subjects/del-value/versions/2?permanent=true'),
      404,
      40407,
      /was not deleted first/,
    );
    assert.deepEqual((await call('DELETE', '/subjects/del-value/versions/2')).body, 2);
    assert.deepEqual((await call('GET', '/subjects/del-value/versions')).body, [1]);
    assert.deepEqual((await call('GET', '/subjects/del-value/versions?deleted=true')).body, [1, 2]);
    assertError(await call('GET', '/subjects/del-value/versions/2'), 404, 40402);
    assert.equal((await call('GET', '/subjects/del-value/versions/2?deleted=true')).status, 200);
    // A soft-deleted schema is still served by id (clients may still decode old data).
    assert.equal((await call('GET', `/schemas/ids/${id2}`)).status, 200);
    assertError(
      await call('DELETE', '/subjects/del-value/versions/2'),
      404,
      40406,
      /was soft deleted/,
    );
    assert.deepEqual(
      (await call('DELETE', '/subjects/del-value/versions/2?permanent=true')).body,
      2,
    );
    assertError(await call('GET', `/schemas/ids/${id2}`), 404, 40403);
    assertError(await call('DELETE', '/subjects/del-value/versions/9'), 404, 40402);
    // Numbering goes on after a deleted version, as in Confluent.
    assert.deepEqual((await call('GET', '/subjects/del-value/versions')).body, [1]);
    await register('del-value', v2);
    assert.deepEqual((await call('GET', '/subjects/del-value/versions')).body, [1, 2]);
  });

  it('soft-deletes and permanently deletes subjects with 40404 and 40405', async () => {
    await register('gone-value', v1);
    await call('PUT', '/config/gone-value', { compatibility: 'FULL' });
    assertError(await call('DELETE', '/subjects/gone-value?permanent=true'), 404, 40405);
    assert.deepEqual((await call('DELETE', '/subjects/gone-value')).body, [1]);
    assert.deepEqual((await call('GET', '/subjects')).body, []);
    assert.deepEqual((await call('GET', '/subjects?deleted=true')).body, ['gone-value']);
    assertError(await call('GET', '/subjects/gone-value/versions'), 404, 40401);
    assertError(await call('DELETE', '/subjects/gone-value'), 404, 40404, /was soft deleted/);
    assert.deepEqual((await call('DELETE', '/subjects/gone-value?permanent=true')).body, [1]);
    assert.deepEqual((await call('GET', '/subjects?deleted=true')).body, []);
    assertError(await call('DELETE', '/subjects/gone-value'), 404, 40401);
    // The subject's own level goes with a permanent delete.
    assertError(await call('GET', '/config/gone-value'), 404, 40408);
  });

  it('serves the global and per-subject config', async () => {
    assert.deepEqual((await call('GET', '/config')).body, { compatibilityLevel: 'BACKWARD' });
    assert.deepEqual((await call('PUT', '/config', { compatibility: 'FULL' })).body, {
      compatibility: 'FULL',
    });
    assert.deepEqual((await call('GET', '/config')).body, { compatibilityLevel: 'FULL' });
    assertError(
      await call('GET', '/config/cfg-value'),
      404,
      40408,
      /does not have subject-level compatibility configured/,
    );
    assert.deepEqual((await call('GET', '/config/cfg-value?defaultToGlobal=true')).body, {
      compatibilityLevel: 'FULL',
    });
    assert.deepEqual((await call('PUT', '/config/cfg-value', { compatibility: 'none' })).body, {
      compatibility: 'NONE',
    });
    assert.deepEqual((await call('GET', '/config/cfg-value')).body, { compatibilityLevel: 'NONE' });
    assert.deepEqual((await call('DELETE', '/config/cfg-value')).body, {
      compatibilityLevel: 'NONE',
    });
    assertError(await call('GET', '/config/cfg-value'), 404, 40408);
    assertError(await call('DELETE', '/config/cfg-value'), 404, 40401);
    assertError(
      await call('PUT', '/config', { compatibility: 'SIDEWAYS' }),
      422,
      42203,
      /Invalid compatibility level/,
    );
    assertError(await call('PUT', '/config/cfg-value', {}), 422, 42203);
  });

  it('tests compatibility, with messages when verbose', async () => {
    await register('test-value', v1);
    const path = '/compatibility/subjects/test-value/versions';
    assert.deepEqual((await call('POST', `${path}/latest`, { schema: v2 })).body, {
      is_compatible: true,
    });
    assert.deepEqual((await call('POST', `${path}/1`, { schema: bad })).body, {
      is_compatible: false,
    });
    const verbose = (await call('POST', `${path}/latest?verbose=true`, { schema: bad })).body as {
      is_compatible: boolean;
      messages: unknown[];
    };
    assert.equal(verbose.is_compatible, false);
    // One message: `label` has no default (Confluent's READER_FIELD_MISSING_DEFAULT_VALUE).
    assert.equal(verbose.messages.length, 1, JSON.stringify(verbose.messages));
    const [message] = verbose.messages as string[];
    assert.match(message!, /^\{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', /);
    assert.match(message!, /path:'\/fields\/label'/);
    assert.deepEqual((await call('POST', `${path}/latest?verbose=true`, { schema: v2 })).body, {
      is_compatible: true,
      messages: [],
    });
    assert.deepEqual((await call('POST', path, { schema: bad })).body, { is_compatible: false });
    // Nothing registered yet: compatible with "latest", as in Confluent.
    assert.deepEqual(
      (await call('POST', '/compatibility/subjects/new-value/versions/latest', { schema: bad }))
        .body,
      { is_compatible: true },
    );
    assertError(
      await call('POST', '/compatibility/subjects/new-value/versions/1', { schema: v1 }),
      404,
      40401,
    );
    assertError(await call('POST', `${path}/5`, { schema: v1 }), 404, 40402);
    assertError(await call('POST', `${path}/first`, { schema: v1 }), 422, 42202);
    assertError(await call('POST', `${path}/latest`, { schema: '{' }), 422, 42201);
  });

  it('answers a store failure with 50001', async () => {
    await register('store-value', v1);
    db.close();
    assertError(await call('GET', '/subjects'), 500, 50001, /backend data store/);
    assertError(await register('store-value', v2), 500, 50001);
  });
});
