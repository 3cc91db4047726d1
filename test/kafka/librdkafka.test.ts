import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Partitioners, type Kafka } from 'kafkajs';
import { isPipewatchError } from '../../common/index.js';
import { RdConsumer, RdProducer, type ConsumedRecord } from '../../kafka/index.js';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';

interface Seen {
  partition: number;
  key: string | undefined;
  value: string | undefined;
  headers: Record<string, string>;
}

/** Reads `expected` records of a topic with kafkajs, an independent client. */
async function readWithKafkajs(kafka: Kafka, topic: string, expected: number): Promise<Seen[]> {
  const seen: Seen[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`saw ${seen.length}/${expected}`)), 30_000);
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(m.headers ?? {})) {
              headers[name] = String(value);
            }
            seen.push({
              partition: batch.partition,
              key: m.key?.toString(),
              value: m.value?.toString(),
              headers,
            });
          }
          if (seen.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('librdkafka client (kafka/librdkafka)', () => {
  let cluster: TestKafkaCluster;
  let kafka: Kafka;
  before(async () => {
    cluster = await startTestKafka();
    kafka = cluster.client();
  });
  after(async () => {
    await cluster.stop();
  });

  it('produces keys, values and headers that kafkajs reads back, on kafkajs partitions', async () => {
    const topic = await cluster.createTopic('rd-produce', 6);
    const producer = new RdProducer({ brokers: cluster.brokers, clientId: 'rd-test' });
    const messages = Array.from({ length: 500 }, (_, i) => ({
      key: `account-${i % 37}`,
      value: Buffer.from(`value-${i}`),
      ...(i % 50 === 0 ? { headers: { 'pipewatch.error.type': 'SEMANTIC_ERROR', n: `${i}` } } : {}),
    }));
    try {
      await producer.send([{ topic, messages }]);
    } finally {
      await producer.close();
    }
    const seen = await readWithKafkajs(kafka, topic, messages.length);
    assert.equal(seen.length, messages.length);
    // kafkajs' default partitioner is Java's murmur2: the same key must land on the same
    // partition whichever client wrote it.
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({
      partitionId,
      leader: 1,
      partitionErrorCode: 0,
      replicas: [1],
      isr: [1],
    }));
    for (const record of seen) {
      const i = Number(record.value!.slice('value-'.length));
      assert.equal(record.key, `account-${i % 37}`);
      const expected = partitioner({
        topic,
        partitionMetadata,
        message: { key: record.key, value: null },
      });
      assert.equal(record.partition, expected, `partition of ${record.key}`);
      if (i % 50 === 0) {
        assert.deepEqual(record.headers, { 'pipewatch.error.type': 'SEMANTIC_ERROR', n: `${i}` });
      } else {
        assert.deepEqual(record.headers, {});
      }
    }
  });

  it('consumes what kafkajs wrote, in order per partition, and resumes after a commit', async () => {
    const topic = await cluster.createTopic('rd-consume', 3);
    const writer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await writer.connect();
    await writer.send({
      topic,
      messages: Array.from({ length: 300 }, (_, i) => ({
        key: i % 10 === 0 ? null : `k${i % 7}`,
        value: i % 25 === 0 ? null : `v${i}`,
        partition: i % 3,
      })),
    });
    await writer.disconnect();
    const groupId = uniqueName('rd-group');
    const readAll = async (consumer: RdConsumer, count: number) => {
      const records: ConsumedRecord[] = [];
      const deadline = Date.now() + 30_000;
      while (records.length < count && Date.now() < deadline) {
        records.push(...(await consumer.poll(200)));
      }
      return records;
    };
    const first = new RdConsumer({
      brokers: cluster.brokers,
      clientId: 'rd',
      groupId,
      topics: [topic],
      sessionTimeoutMs: 6000,
    });
    let records: ConsumedRecord[];
    try {
      records = await readAll(first, 300);
      const firstHalf = records.filter((r) => r.offset < 50);
      await first.commitSync([0, 1, 2].map((partition) => ({ topic, partition, offset: 50 })));
      assert.equal(firstHalf.length, 150);
    } finally {
      await first.close();
    }
    assert.equal(records.length, 300);
    for (const partition of [0, 1, 2]) {
      const offsets = records.filter((r) => r.partition === partition).map((r) => r.offset);
      assert.deepEqual(
        offsets,
        Array.from({ length: 100 }, (_, i) => i),
        `order of ${partition}`,
      );
    }
    for (const r of records) {
      const i = r.partition + 3 * r.offset;
      assert.equal(r.topic, topic);
      assert.equal(r.key?.toString() ?? null, i % 10 === 0 ? null : `k${i % 7}`);
      assert.equal(r.value?.toString() ?? null, i % 25 === 0 ? null : `v${i}`);
    }

    const second = new RdConsumer({
      brokers: cluster.brokers,
      clientId: 'rd',
      groupId,
      topics: [topic],
      sessionTimeoutMs: 6000,
    });
    try {
      const resumed = await readAll(second, 150);
      assert.equal(resumed.length, 150);
      assert.ok(
        resumed.every((r) => r.offset >= 50),
        'starts at the committed offsets',
      );
    } finally {
      await second.close();
    }
  });

  it('rejects a send that no broker acknowledges in time, naming the error', async (t) => {
    if (!cluster.faults) {
      t.skip('needs the mock cluster to take brokers down');
      return;
    }
    const topic = await cluster.createTopic('rd-down', 1);
    const producer = new RdProducer({
      brokers: cluster.brokers,
      clientId: 'rd-down',
      deliveryTimeoutMs: 1500,
    });
    cluster.faults.setBrokerDown(-1);
    try {
      await assert.rejects(
        producer.send([{ topic, messages: [{ key: 'k', value: Buffer.from('v') }] }]),
        (error: unknown) =>
          isPipewatchError(error) &&
          error.code === 'KAFKA_DELIVERY_FAILED' &&
          /timed out/i.test(error.message),
      );
    } finally {
      for (const id of cluster.faults.brokerIds) cluster.faults.setBrokerUp(id);
      await producer.close();
    }
  });

  it('refuses an unknown librdkafka property at construction, naming it', () => {
    assert.throws(
      () =>
        new RdProducer({
          brokers: cluster.brokers,
          clientId: 'rd-bad',
          lingerMs: -5,
        }),
      (error: unknown) =>
        isPipewatchError(error) &&
        error.code === 'CONFIG_INVALID' &&
        /linger\.ms/.test(error.message),
    );
  });
});
