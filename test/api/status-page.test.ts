import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { pipewatchApp } from '../../api/index.js';
import type { DriftView, FeatureDriftState } from '../../monitor/index.js';
import { ReadingsBoard, type Reading } from '../../monitor/index.js';
import { createMetricsRegistry } from '../../api/index.js';
import { browserSkipReason, launchBrowser, screenshotPath } from '../support/browser.js';

const atMs = Date.UTC(2026, 11, 1, 8, 0, 0);
const r = (name: string, labels: Record<string, string>, value: number): Reading => ({
  name,
  labels,
  value,
  atMs,
});

/** A board with chosen readings under the contract metric names. */
function filledBoard(): ReadingsBoard {
  const board = new ReadingsBoard();
  const describe = (name: string, labelNames: string[], type: 'gauge' | 'counter' = 'gauge') =>
    board.describe({ name, help: name, type, labelNames });
  const part = ['pipeline', 'group', 'topic', 'partition'];
  describe('pipewatch_pipeline_freshness_seconds', ['pipeline']);
  describe('pipewatch_consumer_group_status', ['pipeline', 'group', 'status']);
  describe('pipewatch_partition_status', [...part, 'status']);
  describe('pipewatch_consumer_group_lag_messages', part);
  describe('pipewatch_consumer_group_lag_seconds', [...part, 'method']);
  describe('pipewatch_consumer_group_drain_seconds', ['pipeline', 'group', 'topic']);
  describe('pipewatch_dlq_ratio', ['pipeline', 'source_topic', 'window']);
  describe('pipewatch_alerts_firing', ['rule', 'severity']);
  describe('pipewatch_feature_drift_detected', ['topic', 'feature', 'window']);
  describe('pipewatch_feature_drift', ['topic', 'feature', 'metric', 'window']);
  describe('pipewatch_feature_drift_critical', ['topic', 'feature', 'metric', 'window']);
  describe('pipewatch_collector_errors_total', ['operation'], 'counter');
  const g = { pipeline: 'transactions', group: 'features' };
  const t = 'raw.transactions';
  board.publish('lag', [
    r('pipewatch_pipeline_freshness_seconds', { pipeline: 'transactions' }, 4.5),
    ...['OK', 'WARN', 'STALL', 'STOP'].map((s) =>
      r('pipewatch_consumer_group_status', { ...g, status: s }, s === 'STALL' ? 1 : 0),
    ),
    r(
      'pipewatch_consumer_group_status',
      { pipeline: 'transactions', group: 'audit', status: 'OK' },
      1,
    ),
    r('pipewatch_partition_status', { ...g, topic: t, partition: '1', status: 'STALL' }, 1),
    r('pipewatch_consumer_group_lag_messages', { ...g, topic: t, partition: '0' }, 10),
    r('pipewatch_consumer_group_lag_messages', { ...g, topic: t, partition: '1' }, 250),
    r(
      'pipewatch_consumer_group_lag_seconds',
      { ...g, topic: t, partition: '0', method: 'exact' },
      2,
    ),
    r(
      'pipewatch_consumer_group_lag_seconds',
      { ...g, topic: t, partition: '1', method: 'exact' },
      95,
    ),
    r('pipewatch_consumer_group_drain_seconds', { ...g, topic: t }, 30),
    r('pipewatch_collector_errors_total', { operation: 'list_offsets' }, 2),
  ]);
  board.publish('dlq', [
    r('pipewatch_dlq_ratio', { pipeline: 'transactions', source_topic: t, window: '5m' }, 0.002),
    r('pipewatch_dlq_ratio', { pipeline: 'transactions', source_topic: t, window: '1h' }, 0.0004),
  ]);
  board.publish('alerts', [
    r('pipewatch_alerts_firing', { rule: 'DLQRatioHigh', severity: 'warning' }, 1),
  ]);
  board.publish('drift', [
    r('pipewatch_feature_drift_detected', { topic: 'f', feature: 'amount_usd', window: '5m' }, 1),
    r('pipewatch_feature_drift_detected', { topic: 'f', feature: 'channel', window: '5m' }, 0),
    r(
      'pipewatch_feature_drift',
      { topic: 'f', feature: 'amount_usd', metric: 'psi', window: '5m' },
      0.8,
    ),
    r(
      'pipewatch_feature_drift_critical',
      { topic: 'f', feature: 'amount_usd', metric: 'psi', window: '5m' },
      0.02,
    ),
  ]);
  return board;
}

function feature(name: string, detected: boolean, current: number[]): FeatureDriftState {
  const reading = {
    metric: 'psi',
    value: detected ? 0.8 : 0.01,
    critical: 0.02,
    pvalue: detected ? 1e-9 : 0.4,
  };
  return {
    topic: 'f',
    feature: name,
    referenceVersion: 1,
    kind: 'numeric',
    evaluatedAtMs: atMs,
    detected,
    referenceHistogram: {
      bins: ['(-inf, 1)', '[1, 2)', '[2, +inf)'],
      edges: [1, 2],
      counts: [300, 400, 300],
    },
    windows: [
      {
        evaluation: {
          window: '5m',
          windowSeconds: 300,
          referenceValues: 1000,
          windowValues: current.reduce((a, b) => a + b, 0),
          decided: true,
          drift: detected,
          readings: [reading],
          startMs: atMs - 300_000,
          endMs: atMs,
          verdicts: [],
          topBins: [],
        },
        currentCounts: current,
        streak: { consecutive: detected ? 3 : 0, drifting: detected },
      },
    ],
  } as unknown as FeatureDriftState;
}

const driftView: DriftView = {
  features: () => [
    feature('channel', false, [290, 410, 300]),
    feature('amount_usd', true, [50, 150, 800]),
  ],
  feature: (topic, name) =>
    driftView.features().find((f) => f.topic === topic && f.feature === name),
};

describe('status page', () => {
  let app: FastifyInstance;
  let url: string;
  before(async () => {
    app = Fastify();
    await app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      board: filledBoard(),
      drift: driftView,
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => app.close());

  it('summarises the board: worst group first, its worst partition first, DLQ per window', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/status' });
    assert.equal(res.statusCode, 200);
    const s = res.json<{
      pipelines: {
        name: string;
        freshnessSeconds: number;
        groups: {
          group: string;
          status: string;
          lagMessages: number;
          maxLagSeconds: number;
          drainSeconds: number;
          worstPartitions: { partition: string; status: string }[];
        }[];
        dlq: { window: string; ratio: number }[];
      }[];
      alertsFiring: unknown[];
      drift: {
        feature: string;
        detected: boolean;
        psi: number | null;
        psiCritical: number | null;
      }[];
      collectorErrors: { operation: string; total: number }[];
    }>();
    assert.equal(s.pipelines.length, 1);
    const p = s.pipelines[0]!;
    assert.equal(p.freshnessSeconds, 4.5);
    assert.deepEqual(
      p.groups.map((g) => [g.group, g.status]),
      [
        ['features', 'STALL'],
        ['audit', 'OK'],
      ],
    );
    const g = p.groups[0]!;
    assert.equal(g.lagMessages, 260);
    assert.equal(g.maxLagSeconds, 95);
    assert.equal(g.drainSeconds, 30);
    assert.deepEqual(
      g.worstPartitions.map((w) => [w.partition, w.status]),
      [
        ['1', 'STALL'],
        ['0', 'OK'],
      ],
    );
    assert.deepEqual(
      p.dlq.map((d) => [d.window, d.ratio]),
      [
        ['1h', 0.0004],
        ['5m', 0.002],
      ],
    );
    assert.deepEqual(s.alertsFiring, [{ rule: 'DLQRatioHigh', severity: 'warning', count: 1 }]);
    assert.deepEqual(
      s.drift.map((d) => [d.feature, d.detected, d.psi, d.psiCritical]),
      [
        ['amount_usd', true, 0.8, 0.02],
        ['channel', false, null, null],
      ],
    );
    assert.deepEqual(s.collectorErrors, [{ operation: 'list_offsets', total: 2 }]);
  });

  it('serves the page at / as HTML with no external asset', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.doesNotMatch(res.body, /<(script|link)[^>]+(src|href)="https?:/);
  });

  it(
    'renders in headless Chromium: statuses, DLQ over the line, drifting feature first with its histogram',
    { skip: browserSkipReason() },
    async () => {
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(url);
        await page.waitForSelector('body[data-loaded="true"]', { timeout: 15_000 });
        const pipelines = await page.textContent('#pipelines');
        assert.match(pipelines ?? '', /transactions — freshness 4\.5 s/);
        assert.match(pipelines ?? '', /raw\.transactions\/1 STALL lag 250 msgs, 95 s \(exact\)/);
        assert.equal(await page.locator('#pipelines .badge.STALL').count(), 1);
        assert.equal(
          await page.locator('#dlq td.bad').count(),
          1,
          'only the 5m ratio (0.2 %) is over 0.1 %',
        );
        assert.match((await page.textContent('#dlq td.bad')) ?? '', /0\.2 %/);
        const first = page.locator('#drift .feature').first();
        assert.match((await first.textContent()) ?? '', /amount_usd/);
        assert.equal(
          await first.locator('svg rect').count(),
          6,
          'reference and current bar per bin',
        );
        assert.match((await page.textContent('#drift h2')) ?? '', /1 of 2 drifting/);
        assert.match((await page.textContent('#alerts')) ?? '', /DLQRatioHigh/);
        await page.screenshot({ path: screenshotPath('status-page-fixture.png'), fullPage: true });
        assert.deepEqual(errors, []);
      } finally {
        await browser.close();
      }
    },
  );
});
