import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registryContentType, registryServerOptions, schemaRegistryApi } from '../../api/index.js';
import { createSchemaRegistry, engineCompatibilityChecker } from '../../schemas/index.js';
import { openDatabase, sqliteSchemaRegistryStore, type SqliteDatabase } from '../../store/index.js';

/**
 * Issue 9 item 11 for the embedded registry: subjects Confluent Schema Registry refuses
 * (ISO control characters: its RestInvalidSubjectException, error_code 42208) and path tricks
 * are refused before anything is stored; a query flag given twice is a 400, not "first wins".
 */
describe('registry: subject names and query flags', () => {
  let dir: string;
  let db: SqliteDatabase;
  let app: FastifyInstance;
  const schema = JSON.stringify({ schema: '"string"' });
  const subjectCount = () =>
    db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM registry_subject_version').get()?.n;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-registry-names-'));
    db = openDatabase(join(dir, 'registry.sqlite'));
    const registry = createSchemaRegistry({
      store: sqliteSchemaRegistryStore(db),
      checker: engineCompatibilityChecker,
    });
    app = Fastify(registryServerOptions);
    await app.register(schemaRegistryApi, { registry });
  });
  after(async () => {
    await app.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const register = (subject: string) =>
    app.inject({
      method: 'POST',
      url: `/subjects/${encodeURIComponent(subject)}/versions`,
      headers: { 'content-type': registryContentType },
      payload: schema,
    });

  for (const [name, subject] of [
    ['NUL', '\u0000'],
    ['CR LF', '\r\n'],
    ['a C1 control character', 'a\u0085b'],
    ['a path trick', '../config'],
    ['a backslash', 'a\\b'],
    ['256 characters', 's'.repeat(256)],
  ] as const) {
    it(`refuses a subject with ${name}: 422, error_code 42208, nothing stored`, async () => {
      const before = subjectCount();
      const response = await register(subject);
      assert.equal(response.statusCode, 422, response.body);
      const body = response.json<{ error_code: number; message: string }>();
      assert.equal(body.error_code, 42208);
      assert.match(body.message, /^Invalid subject /);
      assert.equal(subjectCount(), before);
    });
  }

  it('refuses bad subjects on reads and config too', async () => {
    for (const url of [
      '/subjects/%00/versions',
      '/subjects/..%2Fconfig/versions/latest',
      '/config/%0D%0A',
      '/compatibility/subjects/%00/versions/latest',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      if (url.startsWith('/compatibility')) continue; // POST only: 404 is the right answer
      assert.equal(response.statusCode, 422, `${url}: ${response.body}`);
    }
  });

  it('accepts what Confluent accepts: dots, dashes, colons and non-ASCII', async () => {
    for (const subject of ['raw.transactions-value', 'a:b', 'données-value', 's'.repeat(255)]) {
      const response = await register(subject);
      assert.equal(response.statusCode, 200, `${subject}: ${response.body}`);
    }
  });

  it('answers 400 when a query flag is given twice', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/subjects?deleted=true&deleted=false',
    });
    assert.equal(response.statusCode, 400, response.body);
    assert.deepEqual(response.json(), {
      error_code: 400,
      message: 'query parameter deleted must be given once',
    });
  });
});
