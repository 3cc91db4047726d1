import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { apiServerOptions, createMetricsRegistry, pipewatchApp } from '../../api/index.js';
import { buildAlerts, type BuiltAlerts } from '../../cli/service/alerts.js';
import { parseConfig } from '../../config/index.js';
import { sqliteReferenceStore } from '../../store/index.js';
import { pipeline, startHarness, type Harness } from '../collector/offsets/harness.js';

/**
 * Issue 12 item 3: every list pages with `?limit=N&offset=N` and answers `nextOffset` (null on
 * the last page) beside its unchanged list key. Data is chosen so the page boundaries are
 * known: 250 references → 100 + 100 + 50.
 */
type Body = Record<string, unknown> & { nextOffset: number | null };

describe('pagination of the list endpoints', () => {
  let h: Harness;
  let app: FastifyInstance;
  let alerts: BuiltAlerts;
  const groupCount = 25;

  before(async () => {
    h = await startHarness();
    const topic = await h.cluster.createTopic('pages', 1);
    const groups = Array.from({ length: groupCount }, (_, i) => `g-${String(i).padStart(2, '0')}`);
    const monitor = h.monitor([pipeline('p-pages', [topic], groups)]);
    await monitor.tick();
    const config = parseConfig({}, {});
    alerts = buildAlerts({
      config,
      db: h.db,
      board: h.board,
      logger: pino({ level: 'silent' }),
      nowMs: () => h.clock.nowMs,
    });
    app = Fastify(apiServerOptions);
    await app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      referenceStore: sqliteReferenceStore(h.db),
      board: h.board,
      lag: monitor,
      alerts: { ...alerts, nowMs: () => h.clock.nowMs },
    });
  });
  after(async () => {
    await app.close();
    await alerts.runtime.stop();
    await h.stop();
  });

  /** Follows nextOffset from offset 0; returns the pages' list items and sizes. */
  async function walk(path: string, key: string, limit?: number) {
    const items: unknown[] = [];
    const sizes: number[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const sep = path.includes('?') ? '&' : '?';
      const query: string = `${limit === undefined ? '' : `limit=${limit}&`}offset=${offset}`;
      const res: { statusCode: number; body: string; json<T>(): T } = await app.inject({
        url: `${path}${sep}${query}`,
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json<Body>();
      const list = body[key] as unknown[];
      items.push(...list);
      sizes.push(list.length);
      assert.ok(sizes.length < 100, 'pages never end');
      offset = body.nextOffset;
    }
    return { items, sizes };
  }

  it('references: 250 → pages of 100, 100, 50 with the default limit, none repeated or missing', async () => {
    for (let i = 0; i < 250; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/references',
        payload: { topic: 'pages', feature: `f${String(i).padStart(3, '0')}`, values: [1, 2, 3] },
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    const { items, sizes } = await walk('/api/v1/references', 'references');
    assert.deepEqual(sizes, [100, 100, 50]);
    const features = items.map((r) => (r as { feature: string }).feature);
    assert.equal(new Set(features).size, 250);
    assert.deepEqual(
      [...features].sort(),
      Array.from({ length: 250 }, (_, i) => `f${String(i).padStart(3, '0')}`),
    );
    const first = (await app.inject({ url: '/api/v1/references' })).json<Body>();
    assert.equal(first.nextOffset, 100);
    assert.ok(Array.isArray(first.invalid), 'the existing keys stay');
    const filtered = await walk('/api/v1/references?topic=pages', 'references', 1000);
    assert.deepEqual(filtered.sizes, [250]);
  });

  it('silences: 120 with limit=50 → 50, 50, 20', async () => {
    for (let i = 0; i < 120; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/silences',
        payload: { matchers: [`n="${i}"`], durationSeconds: 3600 },
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    const { items, sizes } = await walk('/api/v1/silences', 'silences', 50);
    assert.deepEqual(sizes, [50, 50, 20]);
    assert.equal(new Set(items.map((s) => (s as { id: string }).id)).size, 120);
  });

  it('rules: every rule exactly once across pages of 7', async () => {
    for (let i = 0; i < 30; i++) {
      const res = await app.inject({
        method: 'PUT',
        url: `/api/v1/rules/Paged${i}`,
        payload: { metric: 'pipewatch_consumer_group_lag_seconds', threshold: i, for: '1m' },
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    const all = (await app.inject({ url: '/api/v1/rules?limit=1000' })).json<Body>();
    const total = (all.rules as unknown[]).length;
    assert.equal(all.nextOffset, null);
    const { items, sizes } = await walk('/api/v1/rules', 'rules', 7);
    assert.equal(items.length, total);
    assert.equal(sizes.length, Math.ceil(total / 7));
    const names = items.map((r) => (r as { rule: { alert: string } }).rule.alert);
    assert.equal(new Set(names).size, total);
    for (let i = 0; i < 30; i++) assert.ok(names.includes(`Paged${i}`));
  });

  it('alerts/history: 250 entries newest first → 100, 100, 50', async () => {
    const insert = h.db.prepare(
      `INSERT INTO alert_history (fingerprint, rule, from_status, to_status, at_ms, value, labels_json, annotations_json)
       VALUES (?, 'R', 'inactive', 'pending', ?, NULL, '{}', '{}')`,
    );
    for (let i = 0; i < 250; i++) insert.run(`fp${i}`, 1_000 + i);
    const { items, sizes } = await walk('/api/v1/alerts/history', 'history');
    assert.deepEqual(sizes, [100, 100, 50]);
    const at = items.map((e) => (e as { atMs: number }).atMs);
    assert.deepEqual(
      at,
      Array.from({ length: 250 }, (_, i) => 1_249 - i),
    );
  });

  it(`groups: ${groupCount} with limit=10 → 10, 10, 5, the collector key kept`, async () => {
    const { items, sizes } = await walk('/api/v1/groups', 'groups', 10);
    assert.deepEqual(sizes, [10, 10, 5]);
    assert.equal(new Set(items.map((g) => (g as { group: string }).group)).size, groupCount);
    const body = (await app.inject({ url: '/api/v1/groups?limit=10' })).json<Body>();
    assert.ok(body.collector !== undefined);
  });

  it('a bad limit or offset is a 400 naming the parameter, on every list', async () => {
    const lists = [
      '/api/v1/references',
      '/api/v1/alerts/history',
      '/api/v1/silences',
      '/api/v1/rules',
      '/api/v1/groups',
    ];
    for (const path of lists) {
      for (const [query, field] of [
        ['limit=0', 'limit'],
        ['limit=1001', 'limit'],
        ['limit=-1', 'limit'],
        ['limit=abc', 'limit'],
        ['limit=1.5', 'limit'],
        ['limit=Infinity', 'limit'],
        ['limit=1e309', 'limit'],
        ['limit=', 'limit'],
        ['limit=1&limit=2', 'limit'],
        ['offset=-1', 'offset'],
        ['offset=NaN', 'offset'],
        ['offset=01', 'offset'],
        ['offset=1&offset=2', 'offset'],
        ['cursor=abc', 'cursor'],
      ] as const) {
        const res = await app.inject({ url: `${path}?${query}` });
        assert.equal(res.statusCode, 400, `${path}?${query}: ${res.body}`);
        const error = res.json<{ error: { code: string; message: string } }>().error;
        assert.equal(error.code, 'BAD_REQUEST');
        assert.match(error.message, new RegExp(`querystring.${field}`), `${path}?${query}`);
      }
    }
  });

  it('an offset past the end is an empty last page', async () => {
    const res = (await app.inject({ url: '/api/v1/references?offset=100000' })).json<Body>();
    assert.deepEqual(res.references, []);
    assert.equal(res.nextOffset, null);
  });
});
