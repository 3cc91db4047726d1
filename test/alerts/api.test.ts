import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createMetricsRegistry, pipewatchApp } from '../../api/index.js';
import { buildAlerts, type BuiltAlerts } from '../../cli/service/alerts.js';
import { parseConfig } from '../../config/index.js';
import { renderBoard } from '../../monitor/index.js';
import { openDatabase, type SqliteDatabase } from '../../store/index.js';
import { FakeClock, publishDlq, tempDir, testBoard, WebhookSink } from './support.js';

interface Json {
  error: { code: string; message: string; details: Record<string, unknown> };
  rules: { source: string; rule: { alert: string } }[];
  alerts: { rule: string; status: string; labels: Record<string, string>; silenced: boolean }[];
  history: { rule: string; from: string; to: string }[];
  silences: { id: string; state: string }[];
  id: string;
  accepted: number;
}
const json = (r: { json(): unknown }) => r.json() as Json;

describe('alerts, rules and silences API', () => {
  const tmp = tempDir();
  const hook = new WebhookSink();
  const clock = new FakeClock();
  const board = testBoard();
  let db: SqliteDatabase;
  let app: FastifyInstance;
  let alerts: BuiltAlerts;

  before(async () => {
    await hook.start();
    db = openDatabase(join(tmp.dir, 'api.sqlite'));
    const config = parseConfig(
      { alerts: { webhooks: [{ name: 'hook', url: hook.url }], groupWaitSeconds: 0 } },
      {},
    );
    alerts = buildAlerts({
      config,
      db,
      board,
      logger: pino({ level: 'silent' }),
      nowMs: clock.nowMs,
      random: () => 0.5,
    });
    app = Fastify();
    await app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      board,
      alerts: { ...alerts, nowMs: clock.nowMs },
    });
  });
  after(async () => {
    await app.close();
    await alerts.runtime.stop();
    db.close();
    await hook.stop();
    tmp.cleanup();
  });

  it('PUT of a bad rule is a 400 naming the rule and the field', async () => {
    const r = await app.inject({
      method: 'PUT',
      url: '/api/v1/rules/LagHigh',
      payload: { metric: 'pipewatch_consumer_group_lag_seconds', op: '>>', threshold: 60 },
    });
    assert.equal(r.statusCode, 400);
    assert.equal(json(r).error.code, 'RULE_INVALID');
    assert.match(json(r).error.message, /LagHigh: field op/);
    assert.equal(json(r).error.details.field, 'op');
  });

  it('PUT creates a rule, GET lists it with its source, DELETE removes it; defaults cannot be deleted', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: '/api/v1/rules/LagHigh',
      payload: { metric: 'pipewatch_consumer_group_lag_seconds', threshold: 60, for: '5m' },
    });
    assert.equal(put.statusCode, 200, put.body);
    const list = json(await app.inject({ url: '/api/v1/rules' })).rules;
    assert.equal(list.find((r) => r.rule.alert === 'LagHigh')?.source, 'api');
    assert.equal(list.find((r) => r.rule.alert === 'DLQRatioHigh')?.source, 'default');
    assert.equal(
      (await app.inject({ method: 'DELETE', url: '/api/v1/rules/DLQRatioHigh' })).statusCode,
      409,
    );
    assert.equal(
      (await app.inject({ method: 'DELETE', url: '/api/v1/rules/LagHigh' })).statusCode,
      204,
    );
    assert.equal((await app.inject({ url: '/api/v1/rules/LagHigh' })).statusCode, 404);
  });

  it('lists firing alerts and their history; publishes pipewatch_alerts_firing on the board', async () => {
    for (const s of [0, 60, 120]) {
      clock.now += s === 0 ? 0 : 60_000;
      publishDlq(board, 0.01, clock.now);
      await alerts.runtime.tick(clock.now);
    }
    const firing = json(await app.inject({ url: '/api/v1/alerts?status=firing' })).alerts;
    assert.deepEqual(
      firing.map((a) => a.rule),
      ['DLQRatioHigh'],
    );
    const history = json(await app.inject({ url: '/api/v1/alerts/history' })).history;
    assert.deepEqual(history.map((h) => `${h.from}->${h.to}`).reverse(), [
      'inactive->pending',
      'pending->firing',
    ]);
    assert.match(
      renderBoard(board),
      /pipewatch_alerts_firing\{rule="DLQRatioHigh",severity="critical"\} 1/,
    );
    assert.match(
      renderBoard(board),
      /pipewatch_alerts_firing\{rule="PipelineStale",severity="critical"\} 0/,
    );
    await alerts.runtime.deliverNow();
    const payload = hook.bodies.at(-1) as {
      version: string;
      status: string;
      alerts: { fingerprint: string }[];
    };
    assert.equal(payload.version, '4');
    assert.equal(payload.status, 'firing');
  });

  it('silences: POST with an expiry, GET, DELETE; a bad silence is a 400 naming the field', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      payload: { matchers: ['x=1'] },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(json(bad).error.code, 'SILENCE_INVALID');
    assert.match(json(bad).error.message, /matchers\[0\]/);
    const noEnd = await app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      payload: { matchers: ['a="1"'] },
    });
    assert.match(json(noEnd).error.message, /endsAt/);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      payload: { matchers: ['alertname="DLQRatioHigh"'], durationSeconds: 3600, comment: 'deploy' },
    });
    assert.equal(ok.statusCode, 201);
    const alertsNow = json(await app.inject({ url: '/api/v1/alerts?status=firing' })).alerts;
    assert.equal(alertsNow[0]?.silenced, true);
    const id = json(ok).id;
    assert.equal(json(await app.inject({ url: '/api/v1/silences' })).silences[0]?.state, 'active');
    assert.equal(
      (await app.inject({ method: 'DELETE', url: `/api/v1/silences/${id}` })).statusCode,
      204,
    );
    assert.equal(json(await app.inject({ url: '/api/v1/silences' })).silences[0]?.state, 'expired');
    assert.equal(
      (await app.inject({ method: 'DELETE', url: '/api/v1/silences/nope' })).statusCode,
      404,
    );
  });

  it('accepts Alertmanager webhook payloads and routes those alerts to its receivers', async () => {
    const before = hook.bodies.length;
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/webhook',
      payload: {
        version: '4',
        status: 'firing',
        receiver: 'pipewatch',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'PromSideAlert', pipeline: 'other' },
            annotations: { summary: 'from Prometheus' },
            startsAt: '2026-01-05T12:00:00Z',
            endsAt: '0001-01-01T00:00:00Z',
          },
        ],
      },
    });
    assert.equal(r.statusCode, 200);
    assert.equal(json(r).accepted, 1);
    await alerts.runtime.deliverNow();
    const got = hook.bodies.slice(before) as { alerts: { labels: Record<string, string> }[] }[];
    assert.equal(got.length, 1);
    assert.equal(got[0]!.alerts[0]!.labels.alertname, 'PromSideAlert');
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/webhook',
      payload: { alerts: [{}] },
    });
    assert.equal(bad.statusCode, 400);
  });
});
