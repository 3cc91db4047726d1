import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { decodeJsonRecord, startTap, type Tap } from '../../collector/index.js';
import { categoricalReferenceFromCounts } from '../../detectors/index.js';
import { DriftRuntime, ReadingsBoard, renderBoard } from '../../monitor/index.js';
import { memoryReferenceStore } from '../../store/index.js';
import { promSample } from '../support/drift.js';
import { waitFor } from '../support/wait.js';
import { startTestKafka, type TestKafkaCluster } from '../support/kafka.js';

const minute = 60_000;

/**
 * Issue 9 item 3 through the real tap: a backlog on the topic (records produced with their own
 * CreateTime, read in one burst from the beginning) must land in the windows of its record
 * timestamps. On the tap's clock every value would sit in "the last 5 minutes".
 */
describe('drift over a backlog read from Kafka (record time, mock cluster)', () => {
  let cluster: TestKafkaCluster;
  before(async () => {
    cluster = await startTestKafka({ brokerCount: 1 });
  });
  after(async () => {
    await cluster.stop();
  });

  it('counts each record in the windows of its own timestamp, across partitions', async () => {
    const topic = await cluster.createTopic('backlog', 2);
    // A 5-minute boundary, a few minutes back: the tap's clock stays there for the whole read.
    const nowMs = Math.floor(Date.now() / (5 * minute)) * 5 * minute;
    const store = memoryReferenceStore();
    store.register(
      {
        topic,
        feature: 'c',
        source: 'histogram',
        reference: categoricalReferenceFromCounts({ categories: ['a', 'b'], counts: [1, 1] }),
      },
      nowMs,
    );
    const board = new ReadingsBoard();
    const runtime = new DriftRuntime({
      referenceStore: store,
      board,
      logger: pino({ level: 'silent' }),
      windows: [
        { windowSeconds: 300, subWindowSeconds: 30 },
        { windowSeconds: 3600, subWindowSeconds: 300 },
      ],
      thresholds: {},
      minWindowValues: 1,
      evaluateIntervalMs: 60_000,
      persistIntervalMs: 60_000,
    });
    runtime.refresh(nowMs);

    // Chosen truth: partition 0 holds 200 records of 2 minutes ago; partition 1 holds 300 of
    // 50 minutes ago and 40 of 2 hours ago (before every window).
    const producer = cluster.client().producer();
    await producer.connect();
    const batch = (partition: number, count: number, agoMs: number) =>
      Array.from({ length: count }, () => ({
        partition,
        timestamp: String(nowMs - agoMs),
        value: JSON.stringify({ c: 'a' }),
      }));
    await producer.send({
      topic,
      messages: [...batch(1, 40, 120 * minute), ...batch(1, 300, 50 * minute)],
    });
    await producer.send({ topic, messages: batch(0, 200, 2 * minute) });
    await producer.disconnect();

    let seen = 0;
    const tap: Tap = await startTap({
      kafka: cluster.client(),
      groupId: `backlog-${topic}`,
      topics: [topic],
      decode: decodeJsonRecord,
      sinks: [runtime.sink, { name: 'count', onRecord: () => void seen++ }],
      metricsRegistry: new Registry(),
      logger: pino({ level: 'silent' }),
      clock: () => nowMs,
      fromBeginning: true,
    });
    try {
      await waitFor(() => seen === 540, { what: 'the 540 backlog records' });
      runtime.evaluate(nowMs);
      const text = renderBoard(board);
      const labels = { topic, feature: 'c' };
      const values = 'pipewatch_feature_drift_window_values';
      assert.equal(promSample(text, values, { ...labels, window: '5m' }), 200);
      assert.equal(promSample(text, values, { ...labels, window: '1h' }), 500);
      const clamped = 'pipewatch_feature_drift_timestamps_clamped_total';
      assert.equal(promSample(text, clamped, { ...labels, direction: 'past' }), 40);
      assert.equal(promSample(text, clamped, { ...labels, direction: 'future' }), 0);
    } finally {
      await tap.stop();
      runtime.stop();
    }
  });
});
