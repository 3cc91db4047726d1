import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';

async function consumeN(consumer: Consumer, topic: string, n: number, timeoutMs = 20_000) {
  const seen: KafkaMessage[] = [];
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`saw ${seen.length}/${n} records`)), timeoutMs);
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message);
        if (seen.length === n) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  return seen;
}

describe('test Kafka cluster (real wire protocol)', () => {
  let cluster: TestKafkaCluster;
  before(async () => {
    cluster = await startTestKafka();
  });
  after(async () => {
    await cluster.stop();
  });

  it('produces and consumes keyed records through kafkajs across partitions', async () => {
    const topic = await cluster.createTopic('roundtrip', 3);
    const kafka = cluster.client();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 7}`, value: `v${i}` }));
    await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('g') });
    await consumer.connect();
    const got = await consumeN(consumer, topic, 30);
    await consumer.disconnect();
    assert.deepEqual(got.map((m) => String(m.value)).sort(), sent.map((m) => m.value).sort());

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    assert.equal(offsets.length, 3);
    assert.equal(
      offsets.reduce((sum, p) => sum + Number(p.high), 0),
      30,
      'end offsets add up to the records produced',
    );
  });

  it('keeps a producer and consumer working across a broker going down and coming back', async (t) => {
    if (!cluster.faults) return t.skip('fault injection needs the mock cluster');
    const faults = cluster.faults;
    const topic = await cluster.createTopic('outage', 1);
    faults.setPartitionLeader(topic, 0, 1);
    const kafka = cluster.client();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'before' }] });

    faults.setBrokerDown(1);
    const during = producer.send({ topic, acks: -1, messages: [{ value: 'during' }] });
    await new Promise((r) => setTimeout(r, 1500));
    faults.setBrokerUp(1);
    await during;
    await producer.send({ topic, acks: -1, messages: [{ value: 'after' }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('g') });
    await consumer.connect();
    const got = await consumeN(consumer, topic, 3);
    await consumer.disconnect();
    assert.deepEqual(
      got.map((m) => String(m.value)),
      ['before', 'during', 'after'],
      'every record arrives once, in order, after the outage',
    );
  });

  it('surfaces injected request errors and recovers (Produce: NOT_LEADER_OR_FOLLOWER x2)', async (t) => {
    if (!cluster.faults) return t.skip('fault injection needs the mock cluster');
    const topic = await cluster.createTopic('errors', 1);
    const producer = cluster.client().producer();
    await producer.connect();
    cluster.faults.pushRequestErrors(0, [6, 6]);
    const [result] = await producer.send({ topic, acks: -1, messages: [{ value: 'x' }] });
    await producer.disconnect();
    assert.equal(result?.errorCode, 0);
    assert.equal(result?.baseOffset, '0', 'the retried record is written exactly once');
  });

  it('delays answers by the injected broker round-trip time until a request times out', async (t) => {
    if (!cluster.faults) return t.skip('fault injection needs the mock cluster');
    const topic = await cluster.createTopic('rtt', 1);
    cluster.faults.setPartitionLeader(topic, 0, 2);
    const { Kafka, logLevel } = await import('kafkajs');
    const impatient = new Kafka({
      brokers: [...cluster.brokers],
      logLevel: logLevel.NOTHING,
      requestTimeout: 500,
      retry: { retries: 0 },
    });
    const producer = impatient.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'fast' }] });
    cluster.faults.setBrokerRoundTripMs(2, 3000);
    try {
      await assert.rejects(
        producer.send({ topic, acks: -1, messages: [{ value: 'slow' }] }),
        /timed out|Request Timeout|KafkaJSRequestTimeoutError|retries/i,
      );
    } finally {
      cluster.faults.setBrokerRoundTripMs(2, 0);
      await producer.disconnect();
    }
  });
});
