import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createMetricsRegistry, pipewatchApp } from '../../api/index.js';
import type { BuiltAlerts } from '../../cli/service/alerts.js';
import type { GroupLagView, LagPipeline, LagView } from '../../monitor/index.js';
import { openDatabase, type SqliteDatabase } from '../../store/index.js';
import { FakeClock, startAlertsApp, tempDir, testBoard } from '../alerts/support.js';

/**
 * What the route-schema conversion of the alerts, rules, silences, lag and health routes
 * changed in behaviour, and that the answer check (PIPEWATCH_TEST_CHECK_RESPONSES) bites on them.
 */
interface ErrorJson {
  error: { code: string; message: string; details: Record<string, unknown> };
}
const errorOf = (r: { json(): unknown }) => (r.json() as ErrorJson).error;
const unknownUuid = '00000000-0000-4000-8000-000000000000';

describe('alerts, rules and silences routes: what the schemas decide', () => {
  const tmp = tempDir();
  const clock = new FakeClock();
  let db: SqliteDatabase;
  let app: FastifyInstance;
  let alerts: BuiltAlerts;
  const count = (table: string) =>
    db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get()!.n;

  before(async () => {
    db = openDatabase(join(tmp.dir, 'ops.sqlite'));
    const board = testBoard();
    ({ alerts, app } = await startAlertsApp({ db, board, nowMs: clock.nowMs }));
  });
  after(async () => {
    await app.close();
    await alerts.runtime.stop();
    db.close();
    tmp.cleanup();
  });

  it('DELETE of a silence id that is not a UUID is a 404 saying why; an unknown UUID is a 404 too', async () => {
    const notUuid = await app.inject({ method: 'DELETE', url: '/api/v1/silences/nope' });
    assert.equal(notUuid.statusCode, 404);
    assert.equal(errorOf(notUuid).code, 'NOT_FOUND');
    assert.equal(errorOf(notUuid).message, 'params/id must be a silence id (a UUID)');
    const unknown = await app.inject({ method: 'DELETE', url: `/api/v1/silences/${unknownUuid}` });
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorOf(unknown).message, `no silence ${unknownUuid}`);
  });

  it('POST of a silence: the silence parser still judges first, with its messages', async () => {
    for (const [body, message] of [
      [{ matchers: [] }, 'field matchers: at least one matcher is required'],
      [
        { matchers: 'a="1"', durationSeconds: 60 },
        'field matchers: at least one matcher is required',
      ],
      [{ matchers: [42], durationSeconds: 60 }, /^field matchers\[0\]: expected label="value"/],
      [{ matchers: ['a="1"'], endsAt: 'soon' }, 'field endsAt: expected ISO-8601 or epoch ms'],
      [{ matchers: ['a="1"'], durationSeconds: 'x' }, /^field endsAt: endsAt or durationSeconds/],
    ] as const) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: body });
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.equal(errorOf(r).code, 'SILENCE_INVALID');
      if (typeof message === 'string') assert.equal(errorOf(r).message, message);
      else assert.match(errorOf(r).message, message);
    }
    assert.equal(count('alert_silences'), 0);
  });

  it('POST of a silence: what the parser used to drop silently is now a SILENCE_INVALID naming the field', async () => {
    const ok = { matchers: ['alertname="X"'], durationSeconds: 60 };
    for (const [body, message] of [
      [{ ...ok, reason: 'deploy' }, 'body/reason is not a known field'],
      [{ ...ok, createdBy: 7 }, /^body\/createdBy: expected string, received number$/],
      [{ ...ok, comment: ['a'] }, /^body\/comment: expected string, received array$/],
      [{ ...ok, endsAt: '2030-01-01T00:00:00Z', durationSeconds: -5 }, /^body\/durationSeconds/],
    ] as const) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: body });
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.equal(errorOf(r).code, 'SILENCE_INVALID');
      if (typeof message === 'string') assert.equal(errorOf(r).message, message);
      else assert.match(errorOf(r).message, message);
    }
    assert.equal(count('alert_silences'), 0);
    const created = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: ok });
    assert.equal(created.statusCode, 201, created.body);
    assert.match(created.json<{ id: string }>().id, /^[0-9a-f-]{36}$/);
  });

  it('a rule name that breaks the pattern is a 400 on GET, PUT and DELETE, before the body is read', async () => {
    const rulesBefore = count('alert_rules');
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const r = await app.inject({
        method,
        url: '/api/v1/rules/9-bad',
        ...(method === 'PUT' ? { payload: { metric: 'm', op: '>>' } } : {}),
      });
      assert.equal(r.statusCode, 400, method);
      assert.equal(errorOf(r).code, 'BAD_REQUEST');
      assert.equal(errorOf(r).message, 'params/name must be a rule name: letters, digits and _');
    }
    assert.equal(count('alert_rules'), rulesBefore);
  });

  it('PUT of a rule: the rules parser still answers every bad body with its RULE_INVALID message', async () => {
    for (const [body, message, field] of [
      [
        { metric: 'm', threshold: 1, color: 'red' },
        /^rule BadRule: field \(rule\) color: /,
        'color',
      ],
      [{ metric: 'm', threshold: 1, op: 1 }, /^rule BadRule: field op: /, 'op'],
      [{ metric: 'm', kind: 'increase', threshold: 1 }, /^rule BadRule: field window: /, 'window'],
      [{ metric: 'm' }, /^rule BadRule: field threshold: required/, 'threshold'],
      [{ alert: 'Other', metric: 'm', threshold: 1 }, /must equal the name in the path/, 'alert'],
      [[], /^rule: field \(rule\): expected object/i, '(rule)'],
    ] as const) {
      const r = await app.inject({ method: 'PUT', url: '/api/v1/rules/BadRule', payload: body });
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.equal(errorOf(r).code, 'RULE_INVALID');
      assert.match(errorOf(r).message, message);
      assert.equal(errorOf(r).details.field, field);
    }
    assert.equal((await app.inject({ url: '/api/v1/rules/BadRule' })).statusCode, 404);
  });

  it('PUT stores the rule as sent, and GET answers it in the format PUT accepts', async () => {
    const sent = { metric: 'pipewatch_dlq_ratio', threshold: 0.5, for: '1m' };
    const put = await app.inject({ method: 'PUT', url: '/api/v1/rules/Sent', payload: sent });
    assert.equal(put.statusCode, 200, put.body);
    const stored = db
      .prepare<[string], { rule_json: string }>('SELECT rule_json FROM alert_rules WHERE name = ?')
      .get('Sent');
    assert.deepEqual(JSON.parse(stored!.rule_json), { alert: 'Sent', ...sent });
    const got = await app.inject({ url: '/api/v1/rules/Sent' });
    assert.deepEqual(got.json<{ rule: unknown }>().rule, {
      alert: 'Sent',
      metric: 'pipewatch_dlq_ratio',
      matchers: [],
      kind: 'gauge',
      op: '>',
      threshold: 0.5,
      for: '1m',
      keep_firing_for: '0s',
      severity: 'warning',
      labels: {},
      annotations: {},
    });
  });

  it('RFC 3339 times are checked by the schema: history `since` and the webhook times', async () => {
    const since = await app.inject({ url: '/api/v1/alerts/history?since=yesterday' });
    assert.equal(since.statusCode, 400);
    assert.equal(errorOf(since).code, 'BAD_REQUEST');
    assert.equal(
      errorOf(since).message,
      'querystring/since must be an RFC 3339 time such as 2026-01-05T12:00:00Z',
    );
    const good = await app.inject({ url: '/api/v1/alerts/history?since=2026-01-05T12:00:00Z' });
    assert.equal(good.statusCode, 200, good.body);
    const webhook = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/webhook',
      payload: { alerts: [{ status: 'firing', labels: { alertname: 'A' }, startsAt: '12:00' }] },
    });
    assert.equal(webhook.statusCode, 400);
    assert.equal(
      errorOf(webhook).message,
      'body/alerts/0/startsAt must be an RFC 3339 time such as 2026-01-05T12:00:00Z',
    );
    const impossible = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/webhook',
      payload: {
        alerts: [
          { status: 'resolved', labels: { alertname: 'A' }, endsAt: '2026-99-01T00:00:00Z' },
        ],
      },
    });
    assert.equal(impossible.statusCode, 400);
    assert.equal(
      errorOf(impossible).message,
      'body/alerts/0/endsAt must be an RFC 3339 time that exists',
    );
  });

  it('GET routes without a query refuse one, naming the key', async () => {
    for (const url of ['/api/v1/rules/DLQRatioHigh?verbose=1']) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 400, url);
      assert.equal(errorOf(r).message, 'querystring/verbose is not a known field');
    }
  });
});

const pipelineView: LagPipeline = {
  name: 'p',
  rawTopics: ['raw'],
  featureTopics: ['features'],
  dlqTopics: ['dlq'],
  groups: ['g'],
  freshnessTargetSeconds: 60,
};
const groupView: GroupLagView = {
  pipeline: 'p',
  group: 'g',
  polled: true,
  discovered: false,
  status: 'OK',
  rule: 'ok',
  worstPartition: { topic: 'raw', partition: 0 },
  lagMessages: 3,
  maxStalenessSeconds: 1.5,
  drainSeconds: { raw: 2 },
  polledAtMs: 1_000,
  partitions: [
    {
      topic: 'raw',
      partition: 0,
      committedOffset: 7,
      endOffset: 10,
      logStartOffset: 0,
      lagMessages: 3,
      staleness: { seconds: 1.5, method: 'exact', recordOffset: 7, recordTimestampMs: 900 },
      timeLag: { seconds: 1.4, method: 'interpolated', errorSeconds: 0.1 },
      status: 'OK',
      rule: 'ok',
      messagesLost: 0,
      producerIdleSeconds: 0,
      consumeRatePerSecond: 2,
      produceRatePerSecond: 1,
    },
  ],
};

/** A LagView over fixed views; `pipelines`/`groups` may be made wrong by the test. */
function stubLag(pipelines: readonly unknown[], groups: readonly unknown[]): LagView {
  return {
    pipelines: () => pipelines as LagPipeline[],
    groups: () => groups as GroupLagView[],
    collector: () => ({
      lastPollAtMs: 1_000,
      lastPollSeconds: 0.2,
      groupDiscovery: 'configured-only',
      errors: { offset_fetch: 0 },
    }),
    refresh: () => undefined,
  };
}

async function lagApp(lag: LagView, checkResponses: boolean) {
  const app = Fastify();
  await app.register(pipewatchApp, {
    metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
    lag,
    checkResponses,
  });
  return app;
}

describe('lag routes: the answer check bites', () => {
  it('answers true views with 200 when checked', async () => {
    const app = await lagApp(stubLag([pipelineView], [groupView]), true);
    for (const url of ['/api/v1/pipelines', '/api/v1/groups', '/api/v1/groups/g']) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
    }
    await app.close();
  });

  it('turns an answer that breaks its schema into a 500 INTERNAL in check mode, and only then', async () => {
    const wrongPipeline = { ...pipelineView, owner: 'team-a' };
    const wrongGroup = {
      ...groupView,
      partitions: [{ ...groupView.partitions[0]!, lagMessages: '3' }],
    };
    const checked = await lagApp(stubLag([wrongPipeline], [wrongGroup]), true);
    for (const url of ['/api/v1/pipelines', '/api/v1/groups/g']) {
      const r = await checked.inject({ url });
      assert.equal(r.statusCode, 500, `${url}: ${r.body}`);
      assert.equal(errorOf(r).code, 'INTERNAL');
    }
    await checked.close();
    const unchecked = await lagApp(stubLag([wrongPipeline], [wrongGroup]), false);
    const r = await unchecked.inject({ url: '/api/v1/pipelines' });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json<{ pipelines: { owner: string }[] }>().pipelines[0]!.owner, 'team-a');
    await unchecked.close();
  });

  it('GET routes without a query refuse one, naming the key', async () => {
    const app = await lagApp(stubLag([pipelineView], [groupView]), true);
    for (const url of ['/api/v1/pipelines?x=1', '/api/v1/groups/g?x=1']) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 400, url);
      assert.equal(errorOf(r).message, 'querystring/x is not a known field');
    }
    await app.close();
  });
});

describe('health routes', () => {
  it('/readyz answers 200 ready with every check when all pass; /metrics still answers text', async () => {
    const app = Fastify();
    await app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      readinessChecks: { sqlite: () => true, kafka: async () => true },
      checkResponses: true,
    });
    const ready = await app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready', checks: { sqlite: true, kafka: true } });
    const metrics = await app.inject({ url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.headers['content-type'] as string, /^text\/plain/);
    assert.match(metrics.body, /^pipewatch_build_info\{/m);
    await app.close();
  });
});
