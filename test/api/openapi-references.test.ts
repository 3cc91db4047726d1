/**
 * The OpenAPI document for the references, capture, drift, schema-violation and status routes:
 * every operation shows its parameters, its request body and a described 2xx answer, and the
 * caps a client must respect (references.maxValues, page limits) are in it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createMetricsRegistry, defaultReferenceLimits, pipewatchApp } from '../../api/index.js';
import { ReadingsBoard } from '../../monitor/index.js';
import { memoryReferenceStore } from '../../store/index.js';

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  nullable?: boolean;
  additionalProperties?: boolean;
  minItems?: number;
  maxItems?: number;
  required?: string[];
}
interface Operation {
  parameters?: { in: string; name: string; required: boolean; description?: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

const maxValues = 5000;

const operations: [string, string, string[], boolean, string][] = [
  // [method, path, parameters (in:name), has a body, success status]
  ['post', '/api/v1/references', [], true, '201'],
  ['get', '/api/v1/references', ['query:topic', 'query:limit', 'query:offset'], false, '200'],
  [
    'get',
    '/api/v1/references/{topic}/{feature}',
    ['path:topic', 'path:feature', 'query:version'],
    false,
    '200',
  ],
  [
    'delete',
    '/api/v1/references/{topic}/{feature}',
    ['path:topic', 'path:feature', 'query:version'],
    false,
    '200',
  ],
  ['post', '/api/v1/references/capture', [], true, '201'],
  ['get', '/api/v1/drift', [], false, '200'],
  ['get', '/api/v1/drift/{topic}/{feature}', ['path:topic', 'path:feature'], false, '200'],
  ['get', '/api/v1/schema-violations', ['query:topic'], false, '200'],
  ['get', '/api/v1/status', [], false, '200'],
];

/** Every object in a response schema lists its fields and refuses others (`.strict()`). */
function assertClosed(schema: Schema, where: string): void {
  if (schema.properties) {
    assert.equal(schema.additionalProperties, false, `${where} is closed`);
    for (const [k, v] of Object.entries(schema.properties)) assertClosed(v, `${where}.${k}`);
  }
  if (schema.items) assertClosed(schema.items, `${where}[]`);
  for (const s of schema.anyOf ?? []) assertClosed(s, where);
}

describe('OpenAPI document: references, capture, drift, schema violations, status', () => {
  let app: FastifyInstance;
  let doc: Doc;
  before(async () => {
    app = Fastify();
    await app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      referenceStore: memoryReferenceStore(),
      referenceLimits: { ...defaultReferenceLimits, maxValues },
      captureReferenceValues: async () => {
        throw new Error('not read in this test');
      },
      drift: { features: () => [], feature: () => undefined },
      schemaViolations: { snapshot: () => ({ violations: [], lookupFailures: [] }) },
      board: new ReadingsBoard(),
      checkResponses: true,
    });
    await app.ready();
    doc = (await app.inject({ url: '/docs/json' })).json<Doc>();
  });
  after(() => app.close());

  for (const [method, path, parameters, hasBody, status] of operations) {
    it(`${method.toUpperCase()} ${path}: parameters, body and a described ${status}`, () => {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method} ${path} is documented`);
      const given = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`).sort();
      assert.deepEqual(given, [...parameters].sort());
      for (const p of op.parameters ?? []) {
        if (p.in === 'path') assert.equal(p.required, true, `${p.name} is required`);
      }
      const body = op.requestBody?.content['application/json']?.schema;
      assert.equal(body !== undefined, hasBody, 'request body');
      if (body) {
        assert.equal(body.additionalProperties, false, 'unknown body fields are refused');
        assert.ok(body.description, 'the body is described');
      }
      const answer = op.responses[status];
      assert.ok(answer, `${status} documented; got ${Object.keys(op.responses).join(' ')}`);
      assert.ok(answer.description.length > 10, `${status} is described: ${answer.description}`);
      const schema = answer.content?.['application/json']?.schema;
      assert.ok(schema?.properties, `${status} has a JSON object schema`);
      assertClosed(schema, `${path} ${status}`);
      assert.ok(op.responses['4XX'], 'errors are documented');
    });
  }

  it('shows the register body with its sources, the values element types and the cap', () => {
    const body =
      doc.paths['/api/v1/references']!.post!.requestBody!.content['application/json']!.schema;
    assert.deepEqual(body.required, ['topic', 'feature']);
    const values = body.properties!.values!;
    assert.equal(values.type, 'array');
    assert.equal(values.minItems, 1);
    assert.equal(values.maxItems, maxValues, 'the configured references.maxValues');
    assert.deepEqual(
      values.items!.anyOf!.map((s) => s.type),
      ['number', 'string'],
    );
    assert.equal(values.items!.nullable, true);
    for (const source of ['histogram', 'quantiles', 'bins', 'fineBins']) {
      assert.ok(body.properties![source]?.description, `${source} is described`);
    }
  });

  it('describes the units of drift and status numbers', () => {
    const text = JSON.stringify([
      doc.paths['/api/v1/drift/{topic}/{feature}'],
      doc.paths['/api/v1/status'],
    ]);
    assert.match(text, /window length \(seconds\)/);
    assert.match(text, /epoch ms/);
    assert.match(text, /\(a count\)/);
  });

  it('documents / as text/html and still answers the page in check mode', async () => {
    const op = doc.paths['/']!.get!;
    assert.ok(op.responses['200']!.content?.['text/html'], 'HTML answer documented');
    const page = await app.inject({ url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<html/i);
  });
});
