import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { decodeJsonRecord, startTap, type DecodedRecord } from '../../collector/index.js';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';
import { waitFor } from '../support/wait.js';

describe('collector tap', () => {
  let cluster: TestKafkaCluster;
  before(async () => {
    cluster = await startTestKafka();
  });
  after(async () => {
    await cluster.stop();
  });

  it('publishes every tapped topic’s record counter at 0 before its first record', async () => {
    const quiet = await cluster.createTopic('tap-quiet', 1);
    const registry = new Registry();
    const tap = await startTap({
      kafka: cluster.client(),
      groupId: uniqueName('tap'),
      topics: [quiet],
      decode: decodeJsonRecord,
      sinks: [],
      metricsRegistry: registry,
      logger: pino({ level: 'silent' }),
    });
    try {
      const metrics = await registry.metrics();
      assert.match(metrics, new RegExp(`pipewatch_topic_records_total\\{topic="${quiet}"\\} 0\n`));
    } finally {
      await tap.stop();
    }
  });

  it('hands every decoded record to every sink and counts undecodable ones', async () => {
    const topic = await cluster.createTopic('tap', 2);
    const producer = cluster.client().producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'a', value: JSON.stringify({ amount_usd: 12.5 }), headers: { h: 'x' } },
        { key: 'b', value: JSON.stringify({ amount_usd: 7 }) },
        { key: 'c', value: 'not json' },
        { key: 'd', value: '[1, 2]' },
      ],
    });
    await producer.disconnect();

    const seen: DecodedRecord[] = [];
    const alsoSeen: number[] = [];
    const undecodable: string[] = [];
    const registry = new Registry();
    const tap = await startTap({
      kafka: cluster.client(),
      groupId: uniqueName('tap'),
      topics: [topic],
      decode: decodeJsonRecord,
      sinks: [
        { name: 'collect', onRecord: (record) => seen.push(record) },
        {
          name: 'broken',
          onRecord: () => {
            throw new Error('sink bug');
          },
        },
        { name: 'clock', onRecord: (_record, nowMs) => alsoSeen.push(nowMs) },
      ],
      onUndecodable: (record, kind) => undecodable.push(`${String(record.key)}:${kind}`),
      metricsRegistry: registry,
      logger: pino({ level: 'silent' }),
      clock: () => 1_700_000_000_000,
      fromBeginning: true,
    });
    try {
      await waitFor(() => tap.processedCount(topic) === 4, { what: 'four records' });
    } finally {
      await tap.stop();
    }

    assert.deepEqual(seen.map((r) => r.payload.amount_usd).sort(), [12.5, 7]);
    const first = seen.find((r) => String(r.key) === 'a');
    assert.equal(first?.headers.h, 'x');
    assert.equal(first?.topic, topic);
    assert.ok(Number.isFinite(first?.timestampMs));
    assert.deepEqual(
      alsoSeen,
      [1_700_000_000_000, 1_700_000_000_000],
      'a failing sink does not stop the next',
    );
    assert.deepEqual(undecodable.sort(), ['c:invalid_json', 'd:invalid_json']);

    const metrics = await registry.metrics();
    assert.match(metrics, new RegExp(`pipewatch_topic_records_total\\{topic="${topic}"\\} 4`));
    assert.match(metrics, /pipewatch_tap_sink_errors_total\{sink="broken"\} 2/);
  });
});
