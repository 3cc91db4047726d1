import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import Fastify from 'fastify';
import { createMetricsRegistry, pipewatchApp } from '../../api/index.js';
import type { TappedRecord } from '../../collector/index.js';
import { isPipewatchError } from '../../common/index.js';
import { parseConfig } from '../../config/index.js';
import { DlqMonitor, ReadingsBoard, renderBoard } from '../../monitor/index.js';
import { memoryDlqWindowStore } from '../../store/index.js';
import { parseMetricsText } from '../support/metrics-text.js';

const T = 1_800_000_000_000;
const record = (topic: string, headers: Record<string, string> = {}): TappedRecord => ({
  topic,
  partition: 0,
  offset: '0',
  timestampMs: T - 1000,
  key: null,
  headers,
  value: null,
});

describe('DLQ monitor', () => {
  it('labels sources: listed raw topics by name, no header unknown, unlisted other', () => {
    const board = new ReadingsBoard();
    const store = memoryDlqWindowStore();
    const monitor = new DlqMonitor({
      pipelines: [{ name: 'p', rawTopics: ['raw'], dlqTopics: ['dlq'] }],
      board,
      store,
      windows: [{ windowSeconds: 300, subWindowSeconds: 10 }],
      maxSkewMs: 300_000,
      evaluateIntervalMs: 60_000,
      persistIntervalMs: 60_000,
      logger: pino({ level: 'silent' }),
      nowMs: () => T,
    });
    for (let i = 0; i < 4; i++) monitor.sink.onTapped(record('raw'), T);
    monitor.sink.onTapped(
      record('dlq', { 'pipewatch.source.topic': 'raw', 'pipewatch.error.type': 'COMPUTE_ERROR' }),
      T,
    );
    monitor.sink.onTapped(record('dlq', { '__connect.errors.topic': 'elsewhere' }), T);
    monitor.sink.onTapped(record('dlq'), T);
    monitor.sink.onTapped(record('unrelated'), T);
    monitor.publish(T);
    const text = renderBoard(board);
    assert.match(
      text,
      /^pipewatch_dlq_ratio\{pipeline="p",source_topic="raw",window="5m"\} 0.25$/m,
    );
    assert.match(
      text,
      /^pipewatch_dlq_records_total\{pipeline="p",source_topic="other",error_type="UNKNOWN"\} 1$/m,
    );
    assert.match(
      text,
      /^pipewatch_dlq_records_total\{pipeline="p",source_topic="unknown",error_type="UNKNOWN"\} 1$/m,
    );
    assert.match(text, /# TYPE pipewatch_dlq_records_total counter/);
    assert.doesNotMatch(text, /source_topic="(other|unknown)",window=/, 'no denominator, no ratio');

    monitor.stop(); // saves
    const restarted = new DlqMonitor({
      pipelines: [{ name: 'p', rawTopics: ['raw'], dlqTopics: ['dlq'] }],
      board: new ReadingsBoard(),
      store,
      windows: [{ windowSeconds: 300, subWindowSeconds: 10 }],
      maxSkewMs: 300_000,
      evaluateIntervalMs: 60_000,
      persistIntervalMs: 60_000,
      logger: pino({ level: 'silent' }),
      nowMs: () => T,
    });
    restarted.start(); // restores
    assert.equal(restarted.evaluate(T)[0]?.evaluation.ratios[0]?.ratio, 0.25);
    restarted.stop();
  });

  it('config: dlq defaults are 5m by 10s and 1h by 1 min; a bad window names its key', () => {
    const { dlq } = parseConfig({}, {});
    assert.deepEqual(dlq, {
      windows: [
        { windowSeconds: 300, subWindowSeconds: 10 },
        { windowSeconds: 3600, subWindowSeconds: 60 },
      ],
      maxTimestampSkewSeconds: 300,
      evaluateIntervalMs: 5000,
      persistIntervalMs: 60_000,
    });
    try {
      parseConfig({ dlq: { windows: [{ windowSeconds: 300, subWindowSeconds: 7 }] } }, {});
      assert.fail('expected a config error');
    } catch (error) {
      assert.ok(isPipewatchError(error));
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.match(String(error.details.key), /^dlq\.windows/);
    }
  });

  it('/metrics has every DLQ counter at 0 before the first DLQ record, so increase() sees it', async () => {
    const board = new ReadingsBoard();
    let now = T;
    const monitor = new DlqMonitor({
      pipelines: [
        { name: 'p', rawTopics: ['raw.a', 'raw.b'], dlqTopics: ['dlq'] },
        { name: 'no-dlq', rawTopics: ['raw.c'], dlqTopics: [] },
      ],
      board,
      windows: [{ windowSeconds: 300, subWindowSeconds: 10 }],
      maxSkewMs: 300_000,
      evaluateIntervalMs: 60_000,
      persistIntervalMs: 60_000,
      logger: pino({ level: 'silent' }),
      nowMs: () => now,
    });
    const app = Fastify();
    await app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      board,
    });
    monitor.start();
    try {
      const scrape = async () =>
        parseMetricsText((await app.inject({ method: 'GET', url: '/metrics' })).body).filter(
          (s) => s.name === 'pipewatch_dlq_records_total',
        );
      const errorTypes = [
        'SCHEMA_VIOLATION',
        'SEMANTIC_ERROR',
        'COMPUTE_ERROR',
        'DELIVERY_ERROR',
        'OTHER',
        'UNKNOWN',
      ];
      const expected = ['raw.a', 'raw.b', 'unknown', 'other']
        .flatMap((topic) => errorTypes.map((type) => `p|${topic}|${type}`))
        .sort();
      const key = (s: { labels: Readonly<Record<string, string>> }) =>
        `${s.labels.pipeline}|${s.labels.source_topic}|${s.labels.error_type}`;
      const before = await scrape();
      // 4 sources (2 raw + unknown + other) × 6 error types; none for the pipeline without a DLQ.
      assert.deepEqual(before.map(key).sort(), expected);
      assert.ok(before.every((s) => s.value === 0));

      monitor.sink.onTapped(
        record('dlq', {
          'pipewatch.source.topic': 'raw.b',
          'pipewatch.error.type': 'COMPUTE_ERROR',
        }),
        now,
      );
      now += 1000;
      monitor.publish(now);
      const afterOne = await scrape();
      assert.deepEqual(afterOne.map(key).sort(), expected, 'no series added or lost');
      assert.deepEqual(
        afterOne.filter((s) => s.value !== 0).map((s) => [key(s), s.value]),
        [['p|raw.b|COMPUTE_ERROR', 1]],
      );
    } finally {
      monitor.stop();
      await app.close();
    }
  });
});
