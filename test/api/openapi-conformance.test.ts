import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv, type ValidateFunction } from 'ajv';
import type { LightMyRequestResponse } from 'fastify';
import { startFullApp, type FullApp } from '../support/full-app.js';

/**
 * Issue 12: "an OpenAPI 3 document at /docs generated from the route schemas". The document is
 * read as a client reads it (GET /docs/json) and checked with ajv, a validator independent of
 * the zod schemas it was generated from: every operation of the running app is documented
 * with its parameters, body and answers, and real answers to good and bad requests match the
 * documented schema of their status.
 */
const token = 'openapi-token-0123456789';
const bearer = { authorization: `Bearer ${token}` };

interface Operation {
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: object }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

/** `/api/v1/references/:topic/:feature` → `/api/v1/references/{topic}/{feature}` */
const docPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

interface Exchange {
  readonly method: string;
  /** The route, as registered (`:param`). */
  readonly route: string;
  readonly response: LightMyRequestResponse;
}

describe('OpenAPI document against the running app', () => {
  let full: FullApp;
  let doc: Doc;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validators = new Map<object, ValidateFunction>();
  const exchanges: Exchange[] = [];

  async function call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    route: string,
    url: string,
    payload?: object,
  ): Promise<LightMyRequestResponse> {
    const response = await full.app.inject({
      method,
      url,
      headers: method === 'GET' ? {} : bearer,
      ...(payload === undefined ? {} : { payload }),
    });
    exchanges.push({ method, route, response });
    return response;
  }

  before(async () => {
    full = await startFullApp({
      auth: { tokens: [token], readRequiresToken: false },
      maxBodyBytes: 1024 * 1024,
      captureReferenceValues: async () => ({
        values: Array.from({ length: 200 }, (_, i) => i % 17),
        method: 'offsets-by-timestamp',
        recordsRead: 200,
        recordsInRange: 200,
        undecodable: 0,
        invalid: 0,
      }),
    });
    doc = (await full.app.inject('/docs/json')).json<Doc>();
  });
  after(() => full.stop());

  function operation(method: string, route: string): Operation | undefined {
    return doc.paths[docPath(route)]?.[method.toLowerCase()];
  }

  const apiRoutes = () =>
    full.routes.filter((r) => r.server === 'app' && !r.url.startsWith('/docs'));

  it('is a valid OpenAPI 3.0 document by the specification’s own JSON schema', async () => {
    const result = await new Validator().validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1)?.slice(0, 2000));
  });

  it('documents every route with its path parameters, body, success answer and error shape', () => {
    const gaps: string[] = [];
    for (const r of apiRoutes()) {
      const op = operation(r.method, r.url);
      const what = `${r.method} ${r.url}`;
      if (!op) {
        gaps.push(`${what}: not documented`);
        continue;
      }
      for (const name of [...r.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!)) {
        const p = op.parameters?.find((x) => x.in === 'path' && x.name === name);
        if (!p?.required) gaps.push(`${what}: path parameter ${name} not documented`);
      }
      if ((r.method === 'POST' || r.method === 'PUT') && !op.requestBody?.content) {
        gaps.push(`${what}: no request body schema`);
      }
      const success = Object.entries(op.responses).filter(([s]) => /^2/.test(s));
      if (success.length === 0) gaps.push(`${what}: no 2xx answer documented`);
      for (const [status, answer] of success) {
        if (status !== '204' && !answer.content) gaps.push(`${what}: ${status} has no content`);
        if (!answer.description || answer.description === 'Default Response') {
          gaps.push(`${what}: ${status} has no description`);
        }
      }
      if (!op.responses['4XX']?.content) gaps.push(`${what}: no 4XX error shape`);
    }
    assert.ok(apiRoutes().length >= 25, `only ${apiRoutes().length} routes collected`);
    assert.deepEqual(gaps, []);
  });

  it('answers good and bad requests to every operation as documented', async () => {
    await call('GET', '/healthz', '/healthz');
    await call('GET', '/readyz', '/readyz');
    await call('GET', '/metrics', '/metrics');
    await call('GET', '/', '/');
    await call('GET', '/api/v1/status', '/api/v1/status');
    await call('GET', '/api/v1/pipelines', '/api/v1/pipelines');
    await call('GET', '/api/v1/groups', '/api/v1/groups?limit=1');
    await call('GET', '/api/v1/groups/:group', '/api/v1/groups/g-fuzz');
    await call('GET', '/api/v1/groups/:group', '/api/v1/groups/nope');
    await call('GET', '/api/v1/schema-violations', '/api/v1/schema-violations?topic=fuzz');

    const values = Array.from({ length: 500 }, (_, i) => Math.sin(i) * 10);
    const created = await call('POST', '/api/v1/references', '/api/v1/references', {
      topic: 'fuzz',
      feature: 'amount',
      values,
    });
    assert.equal(created.statusCode, 201, created.body);
    await call('POST', '/api/v1/references', '/api/v1/references', { topic: 'fuzz' });
    await call('GET', '/api/v1/references', '/api/v1/references?topic=fuzz');
    await call('GET', '/api/v1/references', '/api/v1/references?limit=0');
    const ref = '/api/v1/references/:topic/:feature';
    await call('GET', ref, '/api/v1/references/fuzz/amount?version=1');
    await call('GET', ref, '/api/v1/references/fuzz/nope');
    await call('POST', '/api/v1/references/capture', '/api/v1/references/capture', {
      topic: 'fuzz',
      feature: 'captured',
      from: 0,
      to: 1_000,
    });
    await call('GET', '/api/v1/drift', '/api/v1/drift');
    await call('GET', '/api/v1/drift/:topic/:feature', '/api/v1/drift/fuzz/amount');
    await call('GET', '/api/v1/drift/:topic/:feature', '/api/v1/drift/fuzz/none');
    await call('DELETE', ref, '/api/v1/references/fuzz/captured');
    await call('DELETE', ref, '/api/v1/references/fuzz/captured');

    await call('GET', '/api/v1/rules', '/api/v1/rules');
    await call('GET', '/api/v1/rules/:name', '/api/v1/rules/DLQRatioHigh');
    const rule = { metric: 'pipewatch_consumer_group_lag_seconds', threshold: 60, for: '5m' };
    await call('PUT', '/api/v1/rules/:name', '/api/v1/rules/LagHigh', rule);
    await call('PUT', '/api/v1/rules/:name', '/api/v1/rules/LagHigh', { ...rule, op: '>>' });
    await call('DELETE', '/api/v1/rules/:name', '/api/v1/rules/LagHigh');
    await call('DELETE', '/api/v1/rules/:name', '/api/v1/rules/DLQRatioHigh');

    const silence = await call('POST', '/api/v1/silences', '/api/v1/silences', {
      matchers: ['alertname="DLQRatioHigh"'],
      durationSeconds: 3600,
      comment: 'deploy',
    });
    assert.equal(silence.statusCode, 201, silence.body);
    await call('POST', '/api/v1/silences', '/api/v1/silences', { matchers: [] });
    await call('GET', '/api/v1/silences', '/api/v1/silences');
    const id = silence.json<{ id: string }>().id;
    await call('DELETE', '/api/v1/silences/:id', `/api/v1/silences/${id}`);

    await call('GET', '/api/v1/alerts', '/api/v1/alerts?status=firing');
    await call('GET', '/api/v1/alerts/history', '/api/v1/alerts/history?limit=5');
    await call('POST', '/api/v1/alerts/webhook', '/api/v1/alerts/webhook', {
      version: '4',
      status: 'firing',
      alerts: [{ status: 'firing', labels: { alertname: 'FromPrometheus' } }],
    });
    await call('POST', '/api/v1/alerts/webhook', '/api/v1/alerts/webhook', { alerts: [{}] });
    // A write without the token: the 401 is documented too.
    exchanges.push({
      method: 'DELETE',
      route: '/api/v1/silences/:id',
      response: await full.app.inject({ method: 'DELETE', url: `/api/v1/silences/${id}` }),
    });

    const mismatches: string[] = [];
    for (const { method, route, response } of exchanges) {
      const what = `${method} ${route} → ${response.statusCode}`;
      const op = operation(method, route);
      if (!op) {
        mismatches.push(`${what}: operation not documented`);
        continue;
      }
      const status = String(response.statusCode);
      const answer = op.responses[status] ?? op.responses[`${status[0]}XX`];
      if (!answer) {
        mismatches.push(`${what}: status not documented (${Object.keys(op.responses).join(' ')})`);
        continue;
      }
      if (status === '204') continue;
      const type = String(response.headers['content-type'] ?? '').split(';')[0]!;
      const media = answer.content?.[type];
      if (!media) {
        mismatches.push(`${what}: ${type} not documented`);
        continue;
      }
      if (type !== 'application/json') continue;
      let validate = validators.get(media.schema);
      if (!validate) {
        validate = ajv.compile(media.schema);
        validators.set(media.schema, validate);
      }
      if (!validate(response.json())) {
        mismatches.push(
          `${what}: ${ajv.errorsText(validate.errors)} in ${response.body.slice(0, 200)}`,
        );
      }
    }
    const byStatus = new Map<number, number>();
    for (const e of exchanges) {
      byStatus.set(e.response.statusCode, (byStatus.get(e.response.statusCode) ?? 0) + 1);
    }
    console.log(
      `openapi: ${exchanges.length} answers on ${apiRoutes().length} operations checked against the document; by status ${[
        ...byStatus,
      ]
        .sort(([a], [b]) => a - b)
        .map(([st, n]) => `${st}:${n}`)
        .join(' ')}`,
    );
    assert.deepEqual(mismatches, []);
    const statuses = new Set(exchanges.map((e) => Math.floor(e.response.statusCode / 100)));
    assert.deepEqual([...statuses].sort(), [2, 4], 'both good and bad answers were checked');

    const exercised = new Set(exchanges.map((e) => `${e.method} ${e.route}`));
    const unexercised = apiRoutes()
      .map((r) => `${r.method} ${r.url}`)
      .filter((r) => !exercised.has(r));
    assert.deepEqual(unexercised, [], 'every route is called at least once');
  });
});
