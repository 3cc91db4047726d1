import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { decodeJsonRecord, startTap } from '../../collector/index.js';
import { FreshnessMonitor, ReadingsBoard, renderBoard } from '../../monitor/index.js';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';

const logger = pino({ level: 'silent' });

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('pipeline freshness', () => {
  let cluster: TestKafkaCluster;
  before(async () => {
    cluster = await startTestKafka();
  });
  after(async () => {
    await cluster.stop();
  });

  it('is now minus the newest event time on the feature topics, computed when read', async () => {
    const features = await cluster.createTopic('fresh-features', 2);
    const other = await cluster.createTopic('fresh-other', 1);
    const T = 1_800_000_000_000; // the tap's (and the reader's) clock
    const producer = cluster.client().producer();
    await producer.connect();
    // Out of order across partitions; the newest usable one is T - 3 s.
    const eventTimes = [T - 12_000, T - 3_000, T - 5_000, T - 9_000];
    await producer.send({
      topic: features,
      messages: [
        ...eventTimes.map((ms, i) => ({
          key: String(i),
          value: JSON.stringify({ event_time_ms: ms, amount_usd: 1 }),
        })),
        // Ten minutes ahead: beyond the 5-minute skew, ignored rather than pinning freshness at 0.
        { key: 'f', value: JSON.stringify({ event_time_ms: T + 600_000 }) },
        { key: 'm', value: JSON.stringify({ amount_usd: 2 }) }, // no event time: ignored
      ],
    });
    // The second pipeline names its own field.
    await producer.send({
      topic: other,
      messages: [{ value: JSON.stringify({ ts: T - 42_000, event_time_ms: T }) }],
    });
    await producer.disconnect();

    const board = new ReadingsBoard();
    const freshness = new FreshnessMonitor({
      pipelines: [
        { name: 'a', featureTopics: [features] },
        { name: 'b', featureTopics: [other], eventTimeField: 'ts' },
        { name: 'never', featureTopics: ['no-such-topic'] },
      ],
      board,
      intervalMs: 60_000,
      maxFutureSkewMs: 300_000,
      logger,
      nowMs: () => T + 2_000,
    });
    const tap = await startTap({
      brokers: cluster.brokers,
      groupId: uniqueName('fresh'),
      topics: [features, other],
      decode: decodeJsonRecord,
      sinks: [freshness.sink],
      metricsRegistry: new Registry(),
      logger,
      clock: () => T,
      fromBeginning: true,
    });
    try {
      await waitFor(
        () => tap.processedCount(features) === 6 && tap.processedCount(other) === 1,
        'every record',
      );
    } finally {
      await tap.stop();
    }

    assert.equal(freshness.freshnessSeconds('a', T), 3);
    // Read two seconds later, the same newest event time gives two more seconds.
    assert.equal(freshness.freshnessSeconds('a', T + 2_000), 5);
    assert.equal(freshness.freshnessSeconds('b', T), 42);
    assert.equal(freshness.freshnessSeconds('never', T), undefined);
    assert.deepEqual(
      freshness.state().map((s) => [s.pipeline, s.ignoredRecords]),
      [
        ['a', 2],
        ['b', 0],
        ['never', 0],
      ],
    );

    freshness.start(); // publishes at its clock, T + 2 s
    const text = renderBoard(board);
    assert.match(text, /^pipewatch_pipeline_freshness_seconds\{pipeline="a"\} 5$/m);
    assert.match(text, /^pipewatch_pipeline_freshness_seconds\{pipeline="b"\} 44$/m);
    assert.doesNotMatch(text, /pipeline="never"/, 'no event time seen: no reading, not 0');
    freshness.stop();
    assert.equal(board.readings({ name: 'pipewatch_pipeline_freshness_seconds' }).length, 0);
  });
});
