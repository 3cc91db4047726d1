import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { BuiltAlerts } from '../../cli/service/alerts.js';
import type { LagView } from '../../monitor/index.js';
import { openDatabase, type SqliteDatabase } from '../../store/index.js';
import { FakeClock, startAlertsApp, tempDir, testBoard } from '../alerts/support.js';

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: unknown;
  enum?: unknown[];
}
interface Operation {
  parameters?: { in: string; name: string; description?: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

const emptyLag: LagView = {
  pipelines: () => [],
  groups: () => [],
  collector: () => ({
    lastPollAtMs: null,
    lastPollSeconds: null,
    groupDiscovery: 'listgroups',
    errors: {},
  }),
  refresh: () => undefined,
};

/** Every operation of the alerts, rules, silences, lag and health routes, with its 2xx. */
const operations: [method: string, path: string, success: string, params: string[]][] = [
  ['get', '/healthz', '200', []],
  ['get', '/readyz', '200', []],
  ['get', '/metrics', '200', []],
  ['get', '/api/v1/pipelines', '200', []],
  ['get', '/api/v1/groups', '200', ['query:limit', 'query:offset']],
  ['get', '/api/v1/groups/{group}', '200', ['path:group']],
  ['get', '/api/v1/alerts', '200', ['query:status', 'query:rule', 'query:source']],
  [
    'get',
    '/api/v1/alerts/history',
    '200',
    ['query:since', 'query:rule', 'query:source', 'query:limit', 'query:offset'],
  ],
  ['post', '/api/v1/alerts/webhook', '200', []],
  ['get', '/api/v1/rules', '200', ['query:limit', 'query:offset']],
  ['get', '/api/v1/rules/{name}', '200', ['path:name']],
  ['put', '/api/v1/rules/{name}', '200', ['path:name']],
  ['delete', '/api/v1/rules/{name}', '204', ['path:name']],
  ['post', '/api/v1/silences', '201', []],
  ['get', '/api/v1/silences', '200', ['query:limit', 'query:offset']],
  ['delete', '/api/v1/silences/{id}', '204', ['path:id']],
];

describe('OpenAPI document: alerts, rules, silences, lag and health operations', () => {
  const tmp = tempDir();
  let db: SqliteDatabase;
  let app: FastifyInstance;
  let alerts: BuiltAlerts;
  let doc: Doc;

  before(async () => {
    db = openDatabase(join(tmp.dir, 'doc.sqlite'));
    const clock = new FakeClock();
    const board = testBoard();
    ({ alerts, app } = await startAlertsApp({
      db,
      board,
      nowMs: clock.nowMs,
      app: { lag: emptyLag },
    }));
    const res = await app.inject({ url: '/docs/json' });
    assert.equal(res.statusCode, 200);
    doc = res.json<Doc>();
  });
  after(async () => {
    await app.close();
    await alerts.runtime.stop();
    db.close();
    tmp.cleanup();
  });

  it('gives every operation described parameters and a described success response', () => {
    for (const [method, path, success, params] of operations) {
      const op = doc.paths[path]?.[method];
      const what = `${method.toUpperCase()} ${path}`;
      assert.ok(op, `${what} is documented`);
      const got = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      assert.deepEqual(got, params, `${what} parameters`);
      for (const p of op.parameters ?? []) {
        assert.ok(p.description, `${what} parameter ${p.name} is described`);
      }
      const response = op.responses[success];
      assert.ok(response, `${what} documents ${success}; has ${Object.keys(op.responses).join()}`);
      assert.notEqual(response.description, 'Default Response', `${what} ${success} described`);
      if (success === '204') {
        assert.equal(response.content, undefined, `${what} 204 has no body`);
      } else {
        const media = Object.keys(response.content ?? {});
        assert.equal(media.length, 1, `${what} ${success} has one media type`);
        assert.ok(response.content![media[0]!]!.schema.type, `${what} ${success} has a schema`);
      }
      assert.ok(op.responses['4XX'], `${what} documents its errors`);
    }
  });

  it('documents JSON answers as closed objects with described fields', () => {
    const answer = (path: string, method: string, status: string) =>
      doc.paths[path]![method]!.responses[status]!.content!['application/json']!.schema;
    const groups = answer('/api/v1/groups', 'get', '200');
    assert.equal(groups.additionalProperties, false);
    assert.match(groups.properties!.nextOffset!.description!, /next page/);
    const alert = answer('/api/v1/alerts', 'get', '200').properties!.alerts as Schema & {
      items: Schema;
    };
    assert.equal(alert.items.additionalProperties, false);
    assert.match(alert.items.properties!.silenced!.description!, /silence/);
    assert.deepEqual(alert.items.properties!.source!.enum, ['pipewatch', 'alertmanager']);
    const notReady = answer('/readyz', 'get', '503');
    assert.deepEqual(notReady.properties!.status!.enum, ['not_ready']);
    const metrics = doc.paths['/metrics']!.get!.responses['200']!.content!;
    assert.deepEqual(Object.keys(metrics), ['text/plain']);
  });

  it('documents the bodies PUT and POST take: the rule format and the silence', () => {
    const body = (path: string, method: string) =>
      doc.paths[path]![method]!.requestBody!.content['application/json']!.schema;
    const rule = body('/api/v1/rules/{name}', 'put');
    assert.equal(rule.additionalProperties, false);
    assert.deepEqual(rule.properties!.op!.enum, ['>', '>=', '<', '<=', '==', '!=']);
    for (const field of ['alert', 'metric', 'matchers', 'kind', 'window', 'for', 'labels']) {
      assert.ok(rule.properties![field]!.description, `rule field ${field} is described`);
    }
    const silence = body('/api/v1/silences', 'post');
    assert.equal(silence.additionalProperties, false);
    assert.match(silence.properties!.durationSeconds!.description!, /seconds/);
    const webhook = body('/api/v1/alerts/webhook', 'post');
    assert.ok(webhook.properties!.alerts, 'the webhook body lists alerts');
  });
});
