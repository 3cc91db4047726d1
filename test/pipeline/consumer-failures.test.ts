import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kafka } from 'kafkajs';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';
import {
  FeatureState,
  jsonCodec,
  processBatch,
  startFeatureConsumer,
  startProducer,
  type SourceRecord,
} from '../../pipeline/index.js';
import { createPipelineTopics } from './support.js';
import { waitFor } from '../support/wait.js';

/** Kafka's AddPartitionsToTxn API key and the PRODUCER_FENCED error code (protocol constants). */
export const addPartitionsToTxnApiKey = 24;
export const producerFencedErrorCode = 90;

type Features = Record<string, unknown>;
const withoutComputedAt = (value: Buffer | null): Features => {
  const { computed_at_ms: _ignored, ...rest } = JSON.parse(String(value)) as Features;
  return rest;
};

/** Collects every record of a topic (with partition and offset) from the beginning, until stop. */
async function collect(kafka: Kafka, topic: string) {
  const seen: SourceRecord[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      seen.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
      });
    },
  });
  return { seen, stop: () => consumer.disconnect() };
}

async function readAll(kafka: Kafka, topic: string, expected: number): Promise<SourceRecord[]> {
  const reader = await collect(kafka, topic);
  try {
    await waitFor(() => reader.seen.length >= expected, {
      what: `${expected} records of ${topic}`,
      timeoutMs: 60_000,
    });
  } finally {
    await reader.stop();
  }
  return reader.seen;
}

/**
 * The truth: the features of a run without any failure, computed by the pure transform over
 * each partition in offset order (an account's records all live on one partition).
 */
async function cleanFeatures(raw: readonly SourceRecord[]): Promise<Map<string, Features>> {
  const state = new FeatureState();
  const byPartition = new Map<number, SourceRecord[]>();
  for (const r of raw) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
  const expected = new Map<string, Features>();
  for (const records of byPartition.values()) {
    records.sort((a, b) => Number(a.offset) - Number(b.offset));
    const out = await processBatch(records, {
      codec: jsonCodec(),
      state,
      nowMs: Date.now(),
      maxFutureSkewMs: 300_000,
    });
    for (const m of out.features) {
      const f = withoutComputedAt(m.value);
      expected.set(String(f.transaction_id), f);
    }
  }
  return expected;
}

describe('feature consumer failures', () => {
  let cluster: TestKafkaCluster;
  let kafka: Kafka;
  before(async () => {
    cluster = await startTestKafka();
    kafka = cluster.client();
  });
  after(async () => {
    await cluster.stop();
  });

  it('after a failed write and a re-read from committed offsets, every feature record equals a run without the failure', async (t) => {
    if (!cluster.faults) return t.skip('fault injection needs the mock cluster');
    const faults = cluster.faults;
    const topics = await createPipelineTopics(cluster);
    const records = 3000;
    // 40 accounts: ~75 records each, so a replayed record's account has window state to inflate.
    const producer = await startProducer({
      kafka,
      topic: topics.raw,
      codec: jsonCodec(),
      ratePerSecond: 0,
      maxRecords: records,
      batchSize: 100,
      accountCount: 40,
      idPrefix: uniqueName('tx'),
      faults: { negativeAmountRatio: 0.05 },
    });
    await producer.done;
    await producer.stop();
    const raw = await readAll(kafka, topics.raw, records);
    const expected = await cleanFeatures(raw);

    const consumer = await startFeatureConsumer({
      brokers: cluster.brokers,
      topics,
      groupId: uniqueName('features'),
      codec: jsonCodec(),
      maxBatchRecords: 20,
      maxInFlightBatches: 1,
      deliveryTimeoutMs: 1500,
      sessionTimeoutMs: 6000,
    });
    const output = await collect(kafka, topics.features);
    const distinct = () =>
      new Set(output.seen.map((m) => String(withoutComputedAt(m.value).transaction_id))).size;
    try {
      await waitFor(() => consumer.stats().recordsAcknowledged > 200, { what: 'traffic flowing' });
      faults.setBrokerDown(-1); // every broker: the in-flight write fails for good
      await waitFor(() => consumer.stats().restarts > 0, {
        what: 'the consumer to give up on the write',
      });
      for (const id of faults.brokerIds) faults.setBrokerUp(id);
      await waitFor(() => distinct() >= expected.size, {
        what: 'every feature record',
        timeoutMs: 90_000,
      });
    } finally {
      for (const id of faults.brokerIds) faults.setBrokerUp(id);
      await consumer.stop();
      await output.stop();
    }
    const written = output.seen;
    const copies = new Map<string, number>();
    const wrong: string[] = [];
    for (const m of written) {
      const f = withoutComputedAt(m.value);
      const id = String(f.transaction_id);
      copies.set(id, (copies.get(id) ?? 0) + 1);
      try {
        assert.deepStrictEqual(f, expected.get(id));
      } catch {
        wrong.push(
          `${id}: count_1h ${String(f.account_txn_count_1h)} vs ${String(expected.get(id)?.account_txn_count_1h)}`,
        );
      }
    }
    assert.equal(copies.size, expected.size, 'every valid record has a feature record');
    const replayed = [...copies.values()].filter((n) => n > 1).length;
    assert.ok(replayed > 0, 'the failure made the consumer write some records twice');
    assert.deepEqual(
      wrong.slice(0, 5),
      [],
      `${wrong.length} feature records differ from the clean run`,
    );
    const metrics = await consumer.metrics.registry.getSingleMetricAsString(
      'pipewatch_pipeline_replayed_records_total',
    );
    assert.match(metrics, /restored="exact"\} [1-9]/);
  });

  it('a fenced transactional producer ends the loop: done rejects, health failed, up 0, fatal counted', async (t) => {
    if (!cluster.faults) return t.skip('fault injection needs the mock cluster');
    const topics = await createPipelineTopics(cluster);
    const producer = await startProducer({
      kafka,
      topic: topics.raw,
      codec: jsonCodec(),
      ratePerSecond: 300,
      batchSize: 20,
    });
    const consumer = await startFeatureConsumer({
      brokers: cluster.brokers,
      topics,
      groupId: uniqueName('features'),
      codec: jsonCodec(),
      transactional: true,
      sessionTimeoutMs: 6000,
    });
    try {
      await waitFor(() => consumer.stats().recordsAcknowledged > 0, {
        what: 'traffic flowing',
        timeoutMs: 60_000,
      });
      const metric = (name: string) => consumer.metrics.registry.getSingleMetricAsString(name);
      assert.match(
        await metric('pipewatch_pipeline_consumer_up'),
        /^pipewatch_pipeline_consumer_up 1$/m,
      );
      assert.equal(consumer.health().state, 'running');
      // The broker answers the next AddPartitionsToTxn with PRODUCER_FENCED, as it does when a
      // newer instance took over the transactional id: librdkafka raises a fatal error.
      cluster.faults.pushRequestErrors(addPartitionsToTxnApiKey, [producerFencedErrorCode]);
      await assert.rejects(consumer.done, /fenced/);
      const health = consumer.health();
      assert.equal(health.state, 'failed');
      assert.match(health.state === 'failed' ? health.error.message : '', /fenced/);
      assert.match(
        await metric('pipewatch_pipeline_consumer_up'),
        /^pipewatch_pipeline_consumer_up 0$/m,
      );
      assert.match(
        await metric('pipewatch_pipeline_consumer_fatal_errors_total'),
        /^pipewatch_pipeline_consumer_fatal_errors_total 1$/m,
      );
    } finally {
      await producer.stop();
      await consumer.stop();
    }
  });

  it('health is stopped (not failed) and done resolves after a normal stop()', async () => {
    const topics = await createPipelineTopics(cluster);
    const consumer = await startFeatureConsumer({
      brokers: cluster.brokers,
      topics,
      groupId: uniqueName('features'),
      codec: jsonCodec(),
    });
    await consumer.stop();
    await consumer.done;
    assert.equal(consumer.health().state, 'stopped');
    assert.match(
      await consumer.metrics.registry.getSingleMetricAsString(
        'pipewatch_pipeline_consumer_fatal_errors_total',
      ),
      /_total 0$/m,
    );
  });
});
